# Visit schedule by settlement, subscriptions and reminders (issue 7). Keys mirror ru.outreach.ftl.

outreach-line-arranged = { $place }: by prior arrangement
outreach-choose = Choose a settlement: I will show the next dates and can remind you.
outreach-settlement-button = 📍 { $settlement }
outreach-my-button = 🔔 My subscriptions
outreach-list-button = 🚐 Settlements
outreach-other-button = ← Another place
outreach-menu-button = ☰ Menu
outreach-all-dates-button = 📅 All visit dates
outreach-unknown-settlement = This place is no longer in the visit schedule. Please choose from the list.

## Next dates

outreach-next-title = 🚐 { $settlement } — next visits of the specialists:
outreach-visit-line = • { $date } — { $place }, { $from }–{ $to }{ $status ->
        [changed] {" "}(changed)
        [extra] {" "}(extra visit)
       *[other] {""}
    }
outreach-visit-cancelled = • { $date } — ❌ visit cancelled
outreach-visit-cancelled-reason = • { $date } — ❌ visit cancelled ({ $reason })
outreach-none-ahead = No visits are planned for the coming weeks. Please ask the center: { $phone }.
outreach-arranged = The mobile point comes by prior arrangement with families. Call to arrange a visit: { $phone }. Subscribe and I will tell you as soon as a date is set.
outreach-subscribe-offer = Shall I remind you the day before and on the morning of each visit?
outreach-subscribed-note = 🔔 You are subscribed: reminders the day before and on the morning of each visit.
outreach-subscribe-button = 🔔 Remind me of visits
outreach-unsubscribe-button = 🔕 Unsubscribe

## Subscriptions

outreach-subscribed =
    ✅ Done! I will remind you of the visits ({ $settlement }) the evening before and on the morning of each visit, and tell you at once if the schedule changes.
    For this we keep only this chat's id and the name of the place. You can unsubscribe at any time.
outreach-unsubscribed = 🔕 You have unsubscribed from visit reminders ({ $settlement }). You can subscribe again in "Visit schedule".
outreach-my-title = Your visit reminder subscriptions:
outreach-my-line = • { $settlement }
outreach-my-none = You have no subscriptions yet. Choose a settlement and I will remind you of the specialists' visits.
outreach-unsubscribe-from = 🔕 Unsubscribe: { $settlement }

## Reminders (sent in the center's time zone, never at night)

outreach-reminder-day-before = 🔔 Reminder: tomorrow, { $date }, the specialists receive ({ $settlement }).
outreach-reminder-morning = 🔔 Today, { $date }, the specialists receive ({ $settlement }).
outreach-reminder-line = 📍 { $place } — { $from }–{ $to }
outreach-reminder-phone = Center phone: { $phone }

## Schedule changes

outreach-change-cancelled = ⚠️ Schedule change ({ $settlement }): the visit on { $date } is cancelled.
outreach-change-moved = ⚠️ Schedule change ({ $settlement }): the visit on { $date } now takes place as follows:
outreach-change-extra = ➕ Extra visit ({ $settlement }):
outreach-change-reason = Reason: { $reason }
outreach-change-next = Next visit:
