# Напоминания о записи, вопрос о посещении, отмена записи центром, запись к партнёрам (маршрутный лист).
# Каждый ключ должен быть и в en.reminders.ftl (это проверяет тест).

## Когда: «сегодня в 15:00», «завтра, 26.11, в 15:00», «в четверг, 26.11, в 15:00»

reminder-when = { $whenDay ->
        [today] сегодня в { $whenTime }
        [tomorrow] завтра, { $whenDate }, в { $whenTime }
       *[other] { $whenWeekday ->
            [mon] в понедельник
            [tue] во вторник
            [wed] в среду
            [thu] в четверг
            [fri] в пятницу
            [sat] в субботу
           *[sun] в воскресенье
        }, { $whenDate }, в { $whenTime }
    }

## Напоминания

reminder-day-before = 🔔 Напоминаем: Вы записаны на приём { reminder-when }. Ждём Вас!
reminder-two-hours = 🔔 Приём уже скоро — { reminder-when }. Ждём Вас!
reminder-with = Специалист: { $specialist }
reminder-place = Где: { $place }
reminder-by-phone = Формат: по телефону — специалист сам позвонит Вам в это время.
reminder-by-video = Формат: видеосвязь — специалист свяжется с Вами в это время.
reminder-partner-org = Куда: { $org }
reminder-partner-address = Адрес: { $address }
reminder-partner-person = К кому: { $person }
reminder-partner-phone = Телефон: { $phone }
reminder-bring = Возьмите с собой: { $items }.
reminder-change = Если планы изменились, отмените или перенесите запись в «Мои записи» — тогда это время достанется другой семье.
reminder-change-partner = Если не получается прийти, предупредите, пожалуйста, организацию — или позвоните нам: { $phone }, поможем договориться о другом времени.
my-bookings-button = 📅 Мои записи

## После приёма

attendance-question =
    Подскажите, пожалуйста, состоялся ли Ваш приём { reminder-when } ({ $who })?
    Если не получилось — ничего страшного: я помогу записаться на другое время.
attend-yes = ✅ Да, состоялся
attend-no = ❌ Нет, не получилось

## Центр отменил запись

staff-cancelled = 😔 Простите, нам пришлось отменить Вашу запись { reminder-when } ({ $who }).
staff-cancelled-alternatives = Вот ближайшее свободное время — нажмите на удобное, и я помогу записаться заново. Все Ваши записи — в «Мои записи».
staff-cancelled-no-alternatives = Свободного времени в ближайшие дни пока нет. Позвоните нам, пожалуйста: { $phone } — подберём время вместе.
alt-slot-button = { $whenDay ->
        [today] Сегодня
        [tomorrow] Завтра
       *[other] { $whenWeekday ->
            [mon] Пн
            [tue] Вт
            [wed] Ср
            [thu] Чт
            [fri] Пт
            [sat] Сб
           *[sun] Вс
        }
    } { $whenDate }, { $whenTime }

## Запись к партнёрам (маршрутный лист)

route-item-booked = 📌 Мы записали Вас на приём { reminder-when }.
route-item-next = Я напомню о приёме заранее. Если что-то изменится — напишите сюда или позвоните нам: { $phone }.
