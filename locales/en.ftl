# English. Every key here must also be in ru.ftl (a test checks it).

## Buttons

button-back = ← Back
button-cancel = Cancel
button-skip = Skip
button-submit = ✅ All correct, send
button-edit = ✏️ Correct something
button-back-to-summary = ← Back to the summary
button-continue = Continue
button-restart = Start over
number = { $n }

## Main menu

greeting =
    Hello! You have written to { $center }.
    I can help you reach a specialist — a lawyer, a psychologist and others — and tell you our contacts and visit schedule. How can I help?
menu-intake = 📝 Ask for help
menu-contacts = ☎️ Contacts and hours
menu-outreach = 🚐 Visit schedule
menu-delete = Delete my data
menu-prompt = How can I help? Please choose an option below.
menu-not-understood = Sorry, I did not quite understand. Please choose an option below — or write, for example, "I need a lawyer".
contacts =
    { $organisation }
    Address: { $address }
    Phone: { $phone }
    Hours: { $hours }
outreach-title = Specialists' visit schedule:
outreach-line = { $day }: { $place }, { $from }–{ $to }{ $rule ->
        [biweekly] {" "}(every two weeks)
        [monthly_nth] {" "}({ $nth } week of the month)
       *[other] {""}
    }
outreach-empty = The visit schedule has not been published yet. Please ask by phone.

## Consent to personal-data processing

consent-text =
    { $purpose ->
        [question] To pass your question to a dispatcher we need your consent to the processing of personal data: the question may say something about you.
       *[other] To register your request we need your consent to the processing of personal data.
    }
    { $organisation } uses it only to help you and contact you, and does not share it without your consent (Federal Law 152-FZ).
    You can withdraw consent and delete your data at any time. Consent version: { $version }. Do you agree?
consent-more = Read more
consent-full =
    To register your request we need your consent to the processing of personal data.

    { $organisation } will process your full name, address, marital status, number of children, date of birth and phone number only to register your request, contact you and help you. We do not pass your data to third parties without your consent, except where the law requires it (Federal Law 152-FZ "On Personal Data"). The consent is valid until you withdraw it: you can press "Delete my data" at any time.

    We never ask for documents in this chat. Consent text version: { $version }.

    Do you agree?
consent-yes = I agree
consent-no = I do not agree
consent-thanks = Thank you! Your consent is recorded.
consent-declined =
    All right: without consent we do not store your data.
    I can still show our contacts and visit schedule. You can call the center at { $phone } ({ $hours }).
error-consent-choose = Please press "I agree" or "I do not agree". I record no data before you agree.

## Intake questions

intake-intro = A few short questions — it takes a couple of minutes. You can go back or cancel at any moment.
intake-cancelled = The request is cancelled and the draft deleted. If you need help, I am here.
ask-name = Please write your full name: surname, first name and patronymic.
ask-address = Your home address: town or village, street, house.
ask-marital = Your marital status?
marital-married = Officially married
marital-not_married = Not married
ask-children = How many children under 18 do you have? Tap a number or type it.
ask-birthdate = Your date of birth as DD.MM.YYYY, for example 05.03.1988.
ask-phone = Your contact phone number, for example +7 913 123-45-67 or 8 913 123 45 67.
phone-saved = Thank you, the number is saved: { $phone }
ask-purpose = What do you need help with?
purpose-lawyer = Lawyer consultation
purpose-psychologist = Psychologist consultation
purpose-other_specialist = Another specialist
purpose-social_services = Social services
purpose-social_support = Social accompaniment
purpose-gosuslugi = Help with Gosuslugi
purpose-other = Something else
ask-need-required = Please describe briefly what you need help with.
ask-need-optional = If you like, describe the situation in two or three sentences so the specialist can prepare. Or press "Skip".
ask-format = Would you prefer a phone consultation or an in-person visit?
format-phone = By phone
format-in_person = In person
ask-call-mode = How should we contact you? A specialist will call you back { promise-within }.
promise-within = { $hours ->
        [0] within { $minutes } minutes
        [1] within an hour
       *[other] within { $hours } hours
    } (during the center's working hours)
call-mode-chat_now = 💬 Write to a dispatcher now
call-mode-callback_asap = 📞 Call me back
call-mode-callback_window = 🕑 Call me at a convenient time
ask-call-window = When is it convenient for you to take the call?
call-window-morning = Before lunch ({ $from }–{ $to })
call-window-afternoon = After lunch ({ $from }–{ $to })

## Review and corrections

confirm-summary =
    Please check:
    { card-fields }
card-fields =
    Full name: { $name }
    Address: { $address }
    Marital status: { $marital ->
        [married] officially married
       *[other] not married
    }
    Children under 18: { $children }
    Date of birth: { $birthDate }
    Phone: { $phone }
    Request: { $purpose ->
        [lawyer] lawyer consultation
        [psychologist] psychologist consultation
        [other_specialist] another specialist
        [social_services] social services
        [social_support] social accompaniment
        [gosuslugi] help with Gosuslugi
       *[other] something else
    }
    Description: { $need }
    Format: { $format ->
        [phone] by phone{ $callMode ->
            [chat_now] , write to a dispatcher now
            [callback_asap] , call back
            [callback_window] , call back { $callWindow ->
                [morning] before lunch
               *[other] after lunch
            }
           *[other] {""}
        }
       *[other] in-person visit
    }
confirm-question = Is everything correct?
edit-which = What would you like to correct?
field-name = Full name
field-address = Address
field-marital = Marital status
field-children = Children
field-birthDate = Date of birth
field-phone = Phone
field-purpose = Request
field-format = Format
resume-question = You have an unfinished request. Shall we continue where you stopped?

## Input errors

error-name-empty = The message seems to be empty.
error-name-too-long = That is too long for a name — please check it.
error-name-digits = A name should not contain digits.
error-name-too-short = Please write at least your surname and first name, for example: Ivanova Maria Petrovna.
error-name-letters = Please write your name in letters, separated by spaces, for example: Ivanova Maria Petrovna.
error-address-too-short = The address is too short.
error-address-too-long = The address is very long — the town, street and house are enough.
error-address-letters = I could not read the address. Please give the town and street.
error-children-not-number = I did not get the number. Please type digits: 0, 1, 2…
error-children-range = Please check the number: from 0 to 20.
error-birthdate-format = I could not read the date. Use DD.MM.YYYY, for example 05.03.1988.
error-birthdate-invalid = There is no such date in the calendar — please check the day and month.
error-birthdate-future = That date has not come yet — please check the year.
error-birthdate-age = Please check the year of birth: the age must be between 14 and 100.
error-phone-format = I could not recognise the number. Please write it with the code, for example +7 913 123-45-67.
error-phone-country = We can only call back a Russian number (+7).
error-need-too-short = Please write a little more.
error-need-too-long = The message is very long — please shorten it to 1000 characters. You can tell the specialist the rest.
error-choose-button = Please choose an option with a button below.
error-type-answer = Please type your answer here.
error-stale-button = That button belongs to an earlier question. Here is the current one:
error-missing-field = One answer is missing — let us fill it in.
error-message-too-long = The message is too long — please shorten it to { $max } characters.
error-internal = Sorry, something went wrong on my side. Your message is not lost — please try again in a minute. If it is urgent, call { $phone }.

## Result

appeal-accepted = Your request No. { $number } has been registered.
due-when = { $dueDay ->
        [today] today by { $dueTime }
        [tomorrow] tomorrow by { $dueTime }
       *[other] on { $dueDate } by { $dueTime }
    }
from-day = { $fromDay ->
        [today] today
        [tomorrow] tomorrow
       *[other] on { $fromDate }
    }
next-chat-now = I have passed it to a dispatcher. Please wait: the dispatcher will answer here, in this chat, { due-when }.
next-chat-closed = The center is closed now. A dispatcher will answer here, in this chat, { due-when }.
next-callback = A specialist will call you at { $phone } { due-when }.
next-callback-window = A specialist will call you at { $phone } { from-day } between { $fromTime } and { $dueTime }.
next-in-person = A dispatcher will call you at { $phone } { due-when } to agree on the day and time of your visit.
closing =
    Any other questions? Write at any time. Thank you for reaching out — we are always glad to help!
    { $organisation }, phone { $phone }, { $hours }.

## Data deletion

delete-question = Delete all your personal data? The conversation will be deleted, your requests anonymised and your consent withdrawn. If you have an open request, the dispatcher will not be able to call you. This cannot be undone.
delete-yes = Yes, delete
delete-no = No, keep it
delete-done = Done: your data has been deleted (requests anonymised: { $appeals }).
delete-kept = All right, nothing is deleted.
delete-cancels-title = Deleting your data also cancels:
delete-cancels-bookings = { $count ->
    [one] • { $count } appointment:
   *[other] • { $count } appointments:
}
delete-cancels-booking =   — { $when }
delete-cancels-more =   — and { $count } more
delete-cancels-subscriptions = • reminders of specialists' visits: { $settlements }
delete-cancels-appeals = { $count ->
    [one] • an open request: { $numbers } — the dispatcher will not be able to call you
   *[other] • open requests: { $numbers } — the dispatcher will not be able to call you
}
delete-cancels-nothing = You have no appointments, subscriptions or open requests.

## Web chat

web-title = Family dispatch service — chat
web-placeholder = Type a message…
web-send = Send
web-offline = No connection to the server. Trying to reconnect…
web-send-failed = The message was not sent. Press "Send" again.

## Commands and other

help =
    I help families reach "{ $center }": ask a lawyer, a psychologist or another specialist for help, and find our contacts and visit schedule.
    Commands: /start — start, /menu — menu, /cancel — cancel, /lang — language.
    Center phone: { $phone } ({ $hours }).
choose-language = Выберите язык / Choose a language:
language-ru = Русский
language-en = English
error-unsupported-message = I understand only text and buttons — I cannot read photos, voice messages or files. No documents are needed in this chat.
button-share-phone = 📱 Share my number
command-start = Start
command-menu = Main menu
command-cancel = Cancel the current step
command-help = Help
command-lang = Language / Язык

## Staff card

staff-card-header = { $urgent ->
        [yes] 🚨 URGENT.
       *[other] 🆕
    } Request No. { $number } ({ $kind ->
        [secondary] repeated
       *[other] first
    }), channel: { $channel }
staff-card-due = Contact by: { due-when }
