# Booking reminders, the attendance question, cancellation by the center, partner appointments (route sheet).
# Every key must also be in ru.reminders.ftl (a test checks it).

## When: "today at 15:00", "tomorrow (26.11) at 15:00", "on Thursday, 26.11, at 15:00"

reminder-when = { $whenDay ->
        [today] today at { $whenTime }
        [tomorrow] tomorrow ({ $whenDate }) at { $whenTime }
       *[other] on { $whenWeekday ->
            [mon] Monday
            [tue] Tuesday
            [wed] Wednesday
            [thu] Thursday
            [fri] Friday
            [sat] Saturday
           *[sun] Sunday
        }, { $whenDate }, at { $whenTime }
    }

## Reminders

reminder-day-before = 🔔 A reminder: you have an appointment { reminder-when }. We look forward to seeing you!
reminder-two-hours = 🔔 Your appointment is coming up — { reminder-when }. See you soon!
reminder-with = Specialist: { $specialist }
reminder-place = Where: { $place }
reminder-by-phone = Format: by phone — the specialist will call you at that time.
reminder-by-video = Format: video call — the specialist will contact you at that time.
reminder-partner-org = Where: { $org }
reminder-partner-address = Address: { $address }
reminder-partner-person = Ask for: { $person }
reminder-partner-phone = Phone: { $phone }
reminder-bring = Please bring: { $items }.
reminder-change = If your plans have changed, cancel or reschedule in "My appointments" — so another family can have this time.
reminder-change-partner = If you cannot make it, please let the organisation know — or call us at { $phone } and we will help arrange another time.
my-bookings-button = 📅 My appointments

## After the appointment

attendance-question =
    Could you tell us whether your appointment { reminder-when } ({ $who }) took place?
    If it did not work out, no problem: I will help you book another time.
attend-yes = ✅ Yes, it did
attend-no = ❌ No, it did not

## The center cancelled an appointment

staff-cancelled = 😔 We are sorry: we had to cancel your appointment { reminder-when } ({ $who }).
staff-cancelled-alternatives = Here are the nearest free times — tap one that suits you and I will help you book again. All your appointments are in "My appointments".
staff-cancelled-no-alternatives = There are no free times in the coming days yet. Please call us at { $phone } — we will find a time together.
alt-slot-button = { $whenDay ->
        [today] Today
        [tomorrow] Tomorrow
       *[other] { $whenWeekday ->
            [mon] Mon
            [tue] Tue
            [wed] Wed
            [thu] Thu
            [fri] Fri
            [sat] Sat
           *[sun] Sun
        }
    } { $whenDate }, { $whenTime }

## Partner appointments (route sheet)

route-item-booked = 📌 We have booked an appointment for you { reminder-when }.
route-item-next = I will remind you before the appointment. If anything changes, write here or call us at { $phone }.
