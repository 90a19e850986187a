# График выездов по населённым пунктам, подписки и напоминания (issue 7).
# Каждый ключ должен быть и в en.outreach.ftl (это проверяет тест).

outreach-line-arranged = { $place }: по предварительной договорённости
outreach-choose = Выберите населённый пункт — покажу ближайшие даты и помогу подписаться на напоминания.
outreach-settlement-button = 📍 { $settlement }
outreach-my-button = 🔔 Мои подписки
outreach-list-button = 🚐 Населённые пункты
outreach-other-button = ← Другой пункт
outreach-menu-button = ☰ Меню
outreach-all-dates-button = 📅 Все даты выездов
outreach-unknown-settlement = Этот пункт больше не в графике выездов. Выберите, пожалуйста, из списка.

## Ближайшие даты

outreach-next-title = 🚐 { $settlement } — ближайшие выезды специалистов:
outreach-visit-line = • { $date } — { $place }, { $from }–{ $to }{ $status ->
        [changed] {" "}(изменено)
        [extra] {" "}(дополнительный выезд)
       *[other] {""}
    }
outreach-visit-cancelled = • { $date } — ❌ выезд отменён
outreach-visit-cancelled-reason = • { $date } — ❌ выезд отменён ({ $reason })
outreach-none-ahead = В ближайшие недели выездов не запланировано. Уточнить можно по телефону центра: { $phone }.
outreach-arranged = Мобильный пункт приезжает по предварительной договорённости с семьями. Позвоните, чтобы договориться: { $phone }. Если подпишетесь — я сообщу, как только дата будет назначена.
outreach-subscribe-offer = Хотите, я буду напоминать накануне и утром в день выезда?
outreach-subscribed-note = 🔔 Вы подписаны: напомню накануне и утром в день выезда.
outreach-subscribe-button = 🔔 Напоминать о выездах
outreach-unsubscribe-button = 🔕 Отписаться

## Подписки

outreach-subscribed =
    ✅ Готово! Буду напоминать о выездах ({ $settlement }) накануне вечером и утром в день выезда, а если график изменится — сообщу сразу.
    Для подписки мы храним только номер этого чата и название пункта. Отписаться можно в любой момент.
outreach-unsubscribed = 🔕 Вы отписались от напоминаний о выездах ({ $settlement }). Подписаться снова можно в «График выездов».
outreach-my-title = Ваши подписки на напоминания о выездах:
outreach-my-line = • { $settlement }
outreach-my-none = У Вас пока нет подписок. Выберите населённый пункт — и я буду напоминать о выездах специалистов.
outreach-unsubscribe-from = 🔕 Отписаться: { $settlement }

## Напоминания (отправляются в часовом поясе центра, не ночью)

outreach-reminder-day-before = 🔔 Напоминаем: завтра, { $date }, — приём специалистов ({ $settlement }).
outreach-reminder-morning = 🔔 Сегодня, { $date }, — приём специалистов ({ $settlement }).
outreach-reminder-line = 📍 { $place } — { $from }–{ $to }
outreach-reminder-phone = Телефон центра: { $phone }

## Изменения графика

outreach-change-cancelled = ⚠️ Изменение в графике ({ $settlement }): выезд { $date } отменён.
outreach-change-moved = ⚠️ Изменение в графике ({ $settlement }): выезд { $date } проходит иначе:
outreach-change-extra = ➕ Дополнительный выезд ({ $settlement }):
outreach-change-reason = Причина: { $reason }
outreach-change-next = Ближайший выезд:
