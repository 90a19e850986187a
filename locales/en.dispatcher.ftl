# Dispatchers' messages to families (issue 6).

dispatcher-reply =
    💬 The dispatcher, about request No. { $number }:
    { $text }
staff-sla-due-soon = ⏰ Request No. { $number }: a call was promised { due-when }. About 30 minutes left.
staff-sla-overdue = ⚠️ Overdue: request No. { $number } — the promised call was not made in time. Contact the family as soon as possible.
