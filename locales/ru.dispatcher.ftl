# Сообщения диспетчеров семьям (issue 6).

dispatcher-reply =
    💬 { $name } · обращение № { $number }:
    { $text }
desk-taken =
    👩‍💼 Вашим обращением № { $number } занимается { $name }.
    Пишите сюда — вам ответит человек; автоответы бота на это время отключены. Меню всегда доступно по команде /menu.
desk-closed = Обращение № { $number } закрыто. Если понадобится помощь — напишите нам в любое время.
desk-hold-notice = ✉️ Сообщение передано: { $name }. Ответ придёт сюда, в рабочее время центра.
staff-sla-due-soon = ⏰ Обращение № { $number }: обещали перезвонить { due-when }. Осталось около 30 минут.
staff-sla-overdue = ⚠️ Просрочено: обращение № { $number } — обещанный звонок не сделан в срок. Свяжитесь с семьёй как можно скорее.

## Staff chat (dispatchers only; Russian is the staff language, the English file mirrors it for parity).
staff-button-take = 🙋 Взять в работу
staff-button-resume = ▶️ Снова в работу
staff-button-callback-done = 📞 Перезвонил(а)
staff-button-wait = ⏸ Ожидание
staff-button-close = ✅ Закрыть…
staff-button-reopen = ↩️ Вернуть в работу
staff-button-back = ← Назад
staff-result-resolved = Решён
staff-result-partly = Решён частично
staff-result-not_resolved = Не решён
staff-result-withdrawn = Отозван семьёй
staff-card-hint = Ответьте на это сообщение, чтобы написать семье.
staff-change =
    { $action ->
        [take] 🙋 № { $number }: в работе у { $name }{ $via }.
        [wait] ⏸ № { $number }: ожидание ({ $name }{ $via }).
        [callback-done] 📞 № { $number }: связь с семьёй состоялась ({ $name }{ $via }).
        [close] ✅ № { $number } закрыто ({ $name }{ $via }): { $result }.
       *[reopen] ↩️ № { $number } снова в работе ({ $name }{ $via }).
    }
staff-via-web = , веб
staff-family-message =
    💬 Семья · № { $number }:
    { $text }
staff-family-hint = ↪️ Ответьте на это сообщение — ответ уйдёт семье.
staff-web-reply =
    ↩️ { $name } (веб) ответил(а) семье по № { $number }:
    { $text }
staff-not-dispatcher = Действия с обращениями доступны только диспетчерам центра.
staff-done = Готово
staff-refused-not_found = Обращение не найдено.
staff-refused-not_allowed = Сейчас это невозможно: у обращения уже другой статус.
staff-refused-result_required = Выберите результат.
staff-refused-anonymised = Семья удалила свои данные: обращение можно только закрыть.
staff-refused-no_contact = Чат семьи больше недоступен — свяжитесь по телефону.
staff-refused-closed = Обращение закрыто. Верните его в работу, чтобы написать семье.
staff-reply-text-only = Семье можно ответить только текстом.
staff-route-added = 📍 № { $number }: пункт маршрута — { $org }, { $when } ({ $name }{ $via }). Семья получила подтверждение и напоминания.
staff-route-usage =
    Чтобы добавить пункт маршрута, ответьте на сообщение об обращении так:
    /route 26.11 14:30; Центр занятости; ул. Ленина, 1; Иванова И. И., 8-3842-00-00-00
    (дата и время; организация; адрес и специалист — по желанию)
staff-refused-in_the_past = Это время уже прошло — укажите будущие дату и время.
staff-progress =
    { $answer ->
        [yes] 📝 № { $number }: семья сообщает — вопрос решён.
        [partly] 📝 № { $number }: семья сообщает — вопрос решён частично.
        [no] ⚠️ № { $number }: семья сообщает — вопрос НЕ решён. Свяжитесь с семьёй.
       *[help] ⚠️ № { $number }: семья просит помощи специалиста. Свяжитесь с семьёй.
    }
staff-erased = Данные удалены по просьбе семьи.
