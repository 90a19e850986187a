# Сообщения диспетчеров семьям (issue 6).

dispatcher-reply =
    💬 Диспетчер по обращению № { $number }:
    { $text }
