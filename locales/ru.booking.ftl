# Запись на приём (issue 5).

menu-book = 📅 Записаться на приём
menu-bookings = 🗓 Мои записи
book-ask-role = К какому специалисту Вы хотите записаться?
book-role-lawyer = Юрист
book-role-psychologist = Психолог
book-role-other = Другой специалист
book-ask-day = Выберите удобный день:
book-day = { $day }
book-ask-time-day = { $day }.
book-who-where = Принимает: { $specialist }, { $place }.
book-ask-time = Выберите время:
book-time = { $time }
book-other-day = ← Другой день
book-other-time = Другое время
bring-line = { $bring ->
        [none] {""}
       *[other] {"\u000a"}Взять с собой: { $bring }
    }
book-confirm-question =
    Проверьте, пожалуйста:
    { $specialist }
    { $date }, { $time }
    Место: { $place }{ bring-line }
    Подтвердить запись? Я придержу это время за Вами { $holdMinutes } мин.
book-confirm-yes = ✅ Подтвердить
book-no-slots = К сожалению, в ближайшие { $days } дней свободного времени нет. Оставьте обращение — диспетчер подберёт время, или позвоните: { $phone }.
book-taken = Это время только что заняли. Вот ближайшее свободное:
book-moved-freed = Запись на { $when } отменена, время освобождено. Новая запись:
book-confirmed =
    Вы записаны: { $specialist }, { $date } в { $time }.
    Место: { $place }{ bring-line }
    Я напомню накануне и за 2 часа до приёма. Отменить или перенести запись можно в «Мои записи».
book-hold-expired = Время на подтверждение вышло, и это время могло уйти к другой семье. Давайте выберем снова.
my-bookings-title = Ваши предстоящие записи — можно перенести или отменить:
my-booking-line = • { $date }, { $time } — { $specialist }, { $place }
my-bookings-empty = У Вас пока нет предстоящих записей. Записаться можно кнопкой «Записаться на приём».
my-booking-move = Перенести { $when }
my-booking-cancel = Отменить { $when }
book-cancel-question = Отменить запись { $when } — { $specialist }, { $place }?
book-cancel-yes = Да, отменить
book-cancel-no = Нет, оставить
book-cancelled = Запись отменена, время освободилось для других семей. Если понадобится — запишитесь снова.
book-cancel-failed = Эта запись уже отменена или прошла.
book-cancel-kept = Хорошо, запись остаётся.
book-offer = Можно сразу выбрать удобное время приёма — или дождаться звонка диспетчера.
book-offer-button = 📅 Выбрать время приёма
attend-thanks-yes = Спасибо, что пришли! Если вопрос ещё не решён — пишите, мы на связи.
attend-thanks-no = Жаль, что не получилось. Записаться снова можно кнопкой «Записаться на приём» или по телефону { $phone }.
