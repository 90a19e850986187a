## Free text: answers, the navigator, a question for a dispatcher (issue 11)

button-menu = ☰ Menu
button-ask-dispatcher = 💬 Pass my question to a dispatcher
reply-thanks = You are welcome! Glad I could help. If you have more questions, write any time.
reply-goodbye = Goodbye! Take care. If you need help, just write here.
reply-presence = { $open ->
        [yes] Yes, I am here! Please write your question in your own words, or choose an option below.
       *[other] Yes, I am here, day and night. The dispatchers are off shift now, but I will pass your question on and you will get an answer during working hours. Urgent: call { $phone }.
    }
ask-story = Please tell me in your own words: how can I help you? A couple of sentences is enough; I will ask for your name and address later.

## Appeal status

status-none = You have no open requests right now. I can help you make a new request or pass a question to a dispatcher.
status-open = Your request No. { $number } { $status ->
        [new] is registered and waiting for a dispatcher
        [in_work] is being worked on{ $holder ->
            [none] {""}
           *[other] {""}
        }
        [waiting] is waiting for an answer from a partner organisation
       *[other] is being worked on
    }.{ $dueDay ->
        [none] {""}
        [today] {" "}We promised to contact you today by { $dueTime }.
        [tomorrow] {" "}We promised to contact you tomorrow by { $dueTime }.
       *[other] {" "}We promised to contact you on { $dueDate } by { $dueTime }.
    }
status-late = Sorry to keep you waiting: for request No. { $number } we should have contacted you { $dueDay ->
        [today] today by { $dueTime }
        [tomorrow] tomorrow by { $dueTime }
       *[other] on { $dueDate } by { $dueTime }
    }. I have reminded the dispatcher; you will be contacted first.
status-forwarded = I have passed your message to the dispatcher.
forwarded-to-appeal = I have passed your message to the dispatcher of request No. { $number }. The answer will come here, in this chat, during the center's working hours.
question-asked = Your question No. { $number } has been passed to a dispatcher. The answer will come here, in this chat, { $dueDay ->
        [today] today by { $dueTime }
        [tomorrow] tomorrow by { $dueTime }
       *[other] on { $dueDate } by { $dueTime }
    }{ $open ->
        [yes] .
       *[other] {" "}— the center is closed now; a dispatcher will answer at the start of the working day.
    }

## Not understood

fallback-topics = I am not sure I understood. Are you asking about one of these? Or I can pass your question to a dispatcher, who will answer here.
fallback-no-topics = I am not sure I understood. I can pass your question to a dispatcher, who will answer here in the chat. Or choose an option in the menu.
fallback-offer-dispatcher = Let me pass your question to a dispatcher: a person will look into it and answer here in the chat.
topic-article = 📖 { $title }
topic-status = What is happening with my request
topic-callback = 📞 Call me back

## Navigator

kb-answer =
    { $title }

    { $answer }
kb-documents = What to bring:
kb-document = • { $item }
next-book-lawyer = 📅 Book a lawyer
next-book-psychologist = 📅 Book a psychologist
next-book-other = 📅 Book a specialist

## Returning family

known-summary =
    From your last request we have:
    Full name: { $name }
    Address: { $address }
    Marital status: { $marital ->
        [married] officially married
       *[other] not married
    }
    Minor children: { $children }
    Date of birth: { $birthDate }
    Phone: { $phone }
known-question = Is this still correct?
known-yes = ✅ Yes, correct
known-no = ✏️ No, it has changed
purpose-suggested = It looks like you need { $purpose ->
        [lawyer] a lawyer's consultation
        [psychologist] a psychologist's consultation
        [other_specialist] a specialist's help
        [social_services] help with social services
        [social_support] social accompaniment
        [gosuslugi] help with Gosuslugi
       *[other] help
    }. Is that right? If not, choose another option.
purpose-suggested-yes = ✅ Yes, that's right
book-wanted-day-full = There is no free time on { $day }. Here are the nearest days:
hours-on-day = { $open ->
        [yes] On { $day } the center is open: { $periods }.
       *[other] On { $day } the center is closed. You can write here any time; we answer during working hours.
    }
