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

## Staff chat (dispatchers only).
staff-button-take = 🙋 Take
staff-button-resume = ▶️ Back to work
staff-button-callback-done = 📞 Called back
staff-button-wait = ⏸ Waiting
staff-button-close = ✅ Close…
staff-button-reopen = ↩️ Reopen
staff-button-back = ← Back
staff-result-resolved = Resolved
staff-result-partly = Partly resolved
staff-result-not_resolved = Not resolved
staff-result-withdrawn = Withdrawn by the family
staff-card-hint = Reply to this message to write to the family.
staff-change =
    { $action ->
        [take] 🙋 No. { $number }: taken by { $name }{ $via }.
        [wait] ⏸ No. { $number }: waiting ({ $name }{ $via }).
        [callback-done] 📞 No. { $number }: the family was reached ({ $name }{ $via }).
        [close] ✅ No. { $number } closed ({ $name }{ $via }): { $result }.
       *[reopen] ↩️ No. { $number } reopened ({ $name }{ $via }).
    }
staff-via-web = , web
staff-family-message =
    💬 Family · No. { $number }:
    { $text }
staff-family-hint = ↪️ Reply to this message to answer the family.
staff-web-reply =
    ↩️ { $name } (web) replied to the family, No. { $number }:
    { $text }
staff-not-dispatcher = Only the center's dispatchers can act on requests.
staff-done = Done
staff-refused-not_found = Request not found.
staff-refused-not_allowed = Not possible now: the request already has another status.
staff-refused-result_required = Choose a result.
staff-refused-anonymised = The family deleted their data: the request can only be closed.
staff-refused-no_contact = The family's chat is no longer available — call them.
staff-refused-closed = The request is closed. Reopen it to write to the family.
staff-reply-text-only = Only text can be sent to the family.
staff-route-added = 📍 No. { $number }: route item — { $org }, { $when } ({ $name }{ $via }). The family got a confirmation and reminders.
staff-route-usage =
    To add a route item, reply to a message about the request like this:
    /route 26.11 14:30; Job centre; 1 Lenina St; Ivanova I. I., 8-3842-00-00-00
    (date and time; organisation; address and specialist are optional)
staff-refused-in_the_past = That time has passed — give a future date and time.
staff-progress =
    { $answer ->
        [yes] 📝 No. { $number }: the family reports the question is solved.
        [partly] 📝 No. { $number }: the family reports it is partly solved.
        [no] ⚠️ No. { $number }: the family reports it is NOT solved. Contact the family.
       *[help] ⚠️ No. { $number }: the family asks for a specialist's help. Contact the family.
    }
staff-erased = Data deleted at the family's request.
