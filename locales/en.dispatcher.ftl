# Dispatchers' messages to families (issue 6).

dispatcher-reply =
    💬 The dispatcher, about request No. { $number }:
    { $text }
