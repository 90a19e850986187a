# Crisis messages: help at once and an urgent signal to the dispatchers (safety.md).
# Every key must also be in ru.safety.ftl (a test checks it).

## To the family — at once, at any step. No visit promised, no documents asked for, the conversation stays open.

crisis-help =
    I am so sorry you are going through this. You are not alone, and help is available right now:
    • if there is a danger to life or health, call 112 (free, 24/7);
    • the children's helpline 8-800-2000-122 — free, 24/7, you do not have to give your name;
    • "{ $center }": { $phone } ({ $hours }).
    I have marked your message as urgent for the center's specialists. You do not need to give your name or send any documents. You can write to me here at any time.

## To the dispatchers — only the contact number, never the message or personal data.

staff-urgent = 🚨 URGENT: crisis signal ({ $signal ->
        [suicide] suicidal thoughts
        [violence] violence, cruelty
        [sexual_violence] sexual violence
        [child_danger] a child in danger
        [loss] loss of a close person
       *[emergency] emergency
    }), channel { $channel }, contact #{ $contact }. Contact the family out of turn.
