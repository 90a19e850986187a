# Web chat: session, limits, "End and forget the chat" (issue 12). Every key must also be in ru.webchat.ftl.

web-rate-limited = Too many requests in a row. Please wait a minute and try again.
web-forget = End and forget the chat
web-forget-confirm = End the chat and erase the conversation from this device? Requests you have already sent stay with the center's specialists.
web-forgotten = The chat is ended. The conversation is no longer on this device.
web-new-chat = Start a new chat
web-replaced = This chat is open in another tab or on another device.

# More than three requests a day from one chat: a polite refusal and the phone number.
appeal-daily-limit = { $count } requests have already been sent from this chat today — no more can be accepted here. The center's specialists will contact you about the ones sent. If it is urgent or a new question, please call us: { $phone }.

## To the dispatchers: repeats of one crisis signal and a summary during a flood.

staff-urgent-repeats = Repeated signals from this contact: { $count }, the latest at { $time }.
staff-urgent-summary = 🚨 { $count } more urgent signals in the last minute, see the inbox (dispatcher web page).
