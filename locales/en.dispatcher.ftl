# Dispatchers' messages to families (issue 6).

dispatcher-reply =
    💬 { $name } · request No. { $number }:
    { $text }
desk-taken =
    👩‍💼 Your request No. { $number } is now handled by { $name }.
    Write here — a person will answer; the bot's automatic replies are off meanwhile. The menu is always at /menu.
desk-closed = Request No. { $number } is closed. If you need help again, write to us any time.
desk-hold-notice = ✉️ Your message went to { $name }. The answer will come here, during the center's working hours.
staff-sla-due-soon = ⏰ Request No. { $number }: a call was promised { due-when }. About 30 minutes left.
staff-sla-overdue = ⚠️ Overdue: request No. { $number } — the promised call was not made in time. Contact the family as soon as possible.
