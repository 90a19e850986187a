# Booking an appointment (issue 5).

menu-book = 📅 Book an appointment
menu-bookings = 🗓 My appointments
book-ask-role = Which specialist would you like to see?
book-role-lawyer = Lawyer
book-role-psychologist = Psychologist
book-role-other = Another specialist
book-ask-day = Choose a day:
book-day = { $day }
book-ask-time-day = { $day }.
book-who-where = With: { $specialist }, { $place }.
book-ask-time = Choose a time:
book-time = { $time }
book-other-day = ← Another day
book-other-time = Another time
bring-line = { $bring ->
        [none] {""}
       *[other] {"\u000a"}Please bring: { $bring }
    }
book-confirm-question =
    Please check:
    { $specialist }
    { $date }, { $time }
    Place: { $place }{ bring-line }
    Confirm the appointment? I will keep this time for you for { $holdMinutes } min.
book-confirm-yes = ✅ Confirm
book-no-slots = Sorry, there is no free time in the next { $days } days. Leave a request — a dispatcher will find a time — or call { $phone }.
book-taken = That time has just been taken. Here are the nearest free ones:
book-moved-freed = The appointment on { $when } is cancelled and that time is freed. Your new appointment:
book-confirmed =
    You are booked: { $specialist }, { $date } at { $time }.
    Place: { $place }{ bring-line }
    I will remind you the day before and 2 hours before. You can cancel or move it in "My appointments".
book-hold-expired = The time to confirm ran out and the slot may have gone to another family. Let us choose again.
my-bookings-title = Your upcoming appointments — you can move or cancel them:
my-booking-line = • { $date }, { $time } — { $specialist }, { $place }
my-bookings-empty = You have no upcoming appointments. Use "Book an appointment" to make one.
my-booking-move = Move { $when }
my-booking-cancel = Cancel { $when }
book-cancel-question = Cancel the appointment on { $when } — { $specialist }, { $place }?
book-cancel-yes = Yes, cancel
book-cancel-no = No, keep it
book-cancelled = The appointment is cancelled and the time is free for other families. Book again whenever you need.
book-cancel-failed = This appointment is already cancelled or over.
book-cancel-kept = All right, the appointment stays.
book-offer = You can choose a time for your visit right now — or wait for the dispatcher's call.
book-offer-button = 📅 Choose a time
attend-thanks-yes = Thank you for coming! If the question is not solved yet, write to us — we are here.
attend-thanks-no = Sorry it did not work out. You can book again with "Book an appointment" or call { $phone }.
