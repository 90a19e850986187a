# Crisis messages: help at once and an urgent signal to the dispatchers (safety.md).
# Every key must also be in ru.safety.ftl (a test checks it).

## To the family — at once, at any step. No visit promised, no documents asked for, the conversation stays open.

crisis-help =
    I am so sorry you are going through this. You are not alone, and help is available right now:
    • if there is a danger to life or health, call 112 (free, 24/7);
    • the children's helpline +7 800 2000-122 — free, 24/7, you do not have to give your name;
    • the all-Russian helpline for women facing domestic violence +7 800 7000-600 — free;
    • "{ $center }": { $phone } ({ $hours }).
    You do not need to give your name or send any documents. You can write to me here at any time.

## Who gets in touch and when (a second message, before the step's question — the question is not just repeated).
## Numbers are written in international form (+7 …): that is the form Telegram and VK make tappable.

# The text answered an intake question (the description): it is kept in the request, which is urgent.
crisis-kept = I have put your words into your request and marked it as urgent; the dispatchers already have the signal.
# Anywhere else in the conversation: the text is not kept, the dispatchers got only the signal.
crisis-alerted = I have sent the center's dispatchers an urgent signal.
crisis-contact-open = A dispatcher will get in touch with you as soon as possible, today during the center's working hours.
crisis-contact-closed = The center is closed now: a dispatcher will get in touch with you as soon as possible after it opens — { from-day } from { $fromTime }. 112 and the children's helpline work 24/7.
crisis-continue = If you are ready, let us go on — it helps the dispatcher to help you sooner.

## To the dispatchers — only the contact number, never the message or personal data.

staff-urgent = 🚨 URGENT: crisis signal ({ $signal ->
        [suicide] suicidal thoughts
        [violence] violence, cruelty
        [sexual_violence] sexual violence
        [child_danger] a child in danger
        [loss] loss of a close person
       *[emergency] emergency
    }), channel { $channel }, contact #{ $contact }. Contact the family out of turn.
staff-urgent-appeals = The family's open requests are marked urgent: No. { $numbers }.
