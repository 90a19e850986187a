import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import type { CenterProfile } from '../../config/center.ts';
import { encodeSlotPayload } from '../../flows/slot-payload.ts';
import type { Db } from '../../storage/db.ts';
import { ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger, TUESDAY_10AM } from '../support/fixtures.ts';
import { RecordingScheduler } from '../support/recording-scheduler.ts';

const translator = new Translator();
let center: CenterProfile;
beforeAll(async () => {
  center = await loadBelovo();
});

const makeRuntime = (db: Db, scheduler = new RecordingScheduler(), now = TUESDAY_10AM) =>
  new Runtime({ db, center, translator, scheduler, logger: silentLogger, clock: () => now });

/** An in-person appeal (to a lawyer unless told), ending at the "choose a time now" offer. */
async function inPersonAppeal(chat: ChatDriver, purpose = 'юриста'): Promise<void> {
  await chat.start();
  await chat.tap('Оставить обращение');
  await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
  await chat.tap('Согласен');
  await chat.say('Иванова Мария Петровна');
  await chat.say('г. Белово, ул. Маркса, 10');
  await chat.tap('Не в браке');
  await chat.tap('2');
  await chat.say('05.03.1988');
  await chat.say('89131234567');
  await chat.tap(purpose);
  await chat.tap('Пропустить');
  await chat.tap('Личный приём');
  await chat.tap('Всё верно');
  expect(chat.text).toContain('Можно сразу выбрать удобное время');
}

describe.each(ENGINES)('booking in chat on $name', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('books after an in-person appeal, then reschedules and cancels from "my appointments"', async () => {
    const scheduler = new RecordingScheduler();
    const chat = new ChatDriver(makeRuntime(t.db, scheduler));
    await inPersonAppeal(chat);
    await chat.tap('Выбрать время приёма');
    // Tuesday 10:00: the lawyer's next free times are today from 13:00 (2-hour lead), then Thursday.
    expect(chat.text).toContain('Выберите удобный день');
    await chat.tap('вт, 24.11');
    expect(chat.text).toContain('Выберите время');
    expect(chat.text).toContain('Принимает: Юрисконсульт центра, г. Белово, ул. Маркса, 2, каб. 5.');
    expect(
      chat.lastReplies
        .at(-1)
        ?.buttons?.flat()
        .map((b) => b.label),
    ).toEqual(expect.arrayContaining(['13:00', '13:45']));
    await chat.tap('13:00');
    expect(chat.text).toContain('Юрисконсульт центра');
    expect(chat.text).toContain('каб. 5');
    expect(chat.text).toContain('Взять с собой: паспорт, СНИЛС и документы по Вашему вопросу');
    await chat.tap('Подтвердить');
    expect(chat.text).toContain('Вы записаны: Юрисконсульт центра, вторник, 24.11 в 13:00');

    const first = await t.db
      .selectFrom('bookings')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const appeal = await t.db
      .selectFrom('appeals')
      .select('id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(first).toMatchObject({ status: 'confirmed', specialist_id: 'lawyer-1', appeal_id: appeal.id });
    expect(first.starts_at.toISOString()).toBe('2026-11-24T06:00:00.000Z');
    expect(scheduler.reminders.map((r) => r.id)).toEqual([first.id]);

    await chat.tap('Мои записи');
    expect(chat.text).toContain('Ваши предстоящие записи');
    expect(chat.text).toContain(
      '• вторник, 24.11, 13:00 — Юрисконсульт центра, г. Белово, ул. Маркса, 2, каб. 5',
    );
    await chat.tap('Перенести 24.11 13:00');
    await chat.tap('чт, 26.11');
    await chat.tap('09:00');
    await chat.tap('Подтвердить');
    expect(chat.text).toContain('Запись на 24.11 13:00 отменена, время освобождено. Новая запись:');
    expect(chat.text).toContain('четверг, 26.11 в 09:00');
    const rows = await t.db
      .selectFrom('bookings')
      .selectAll()
      .where('contact_id', '=', first.contact_id)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.status, r.rescheduled_from])).toEqual([
      ['cancelled', null],
      ['confirmed', first.id],
    ]);
    expect(scheduler.cancelledReminders).toEqual([first.id]);

    await chat.tap('Мои записи');
    await chat.tap('Отменить 26.11 09:00');
    await chat.tap('Да, отменить');
    expect(chat.text).toContain('Запись отменена');
    const last = await t.db
      .selectFrom('bookings')
      .select('status')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last.status).toBe('cancelled');
    await chat.tap('Мои записи');
    expect(chat.text).toContain('нет предстоящих записей');
  });

  it("offers the psychologist's afternoon from 13:00 on the quarter-hour grid, never 12:48", async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    await inPersonAppeal(chat, 'психолог');
    await chat.tap('Выбрать время приёма');
    await chat.tap('ср, 25.11');
    const times =
      chat.lastReplies
        .at(-1)
        ?.buttons?.flat()
        .map((b) => b.label) ?? [];
    expect(times).toEqual(['09:00', '09:50', '10:40', '13:00', '13:50', '14:40', '← Другой день']);
    expect(chat.text).toContain('Принимает: Педагог-психолог, г. Белово, ул. Маркса, 2.');
  });

  it('offers the nearest free times when the slot was taken meanwhile', async () => {
    const runtime = makeRuntime(t.db);
    const ann = new ChatDriver(runtime);
    const olga = new ChatDriver(runtime);
    for (const chat of [ann, olga]) {
      await inPersonAppeal(chat);
      await chat.tap('Выбрать время приёма');
      await chat.tap('чт, 26.11');
    }
    await ann.tap('14:30');
    await ann.tap('Подтвердить');
    await olga.tap('14:30'); // her buttons were shown before Ann booked
    expect(olga.text).toContain('только что заняли');
    const offered =
      olga.lastReplies
        .at(-1)
        ?.buttons?.flat()
        .map((b) => b.label) ?? [];
    expect(offered).not.toContain('чт 26.11 14:30');
    expect(offered).toContain('чт 26.11 15:15');
    expect(offered.length).toBeGreaterThan(0);
  });

  it('holds one slot for exactly one of 50 families tapping at once; the rest get the nearest free times', async () => {
    const runtime = makeRuntime(t.db);
    const families = Array.from({ length: 50 }, () => new ChatDriver(runtime));
    for (const chat of families) {
      await inPersonAppeal(chat);
      await chat.tap('Выбрать время приёма');
      await chat.tap('чт, 26.11');
    }
    await Promise.all(families.map((chat) => chat.tap('15:15')));
    const won = families.filter((chat) => chat.text.includes('Подтвердить запись'));
    const lost = families.filter((chat) => chat.text.includes('только что заняли'));
    expect([won.length, lost.length]).toEqual([1, 49]);
    for (const chat of lost)
      expect(
        chat.lastReplies
          .at(-1)
          ?.buttons?.flat()
          .some((b) => b.payload.startsWith('slot:')),
      ).toBe(true);
    const live = await t.db
      .selectFrom('bookings')
      .select('id')
      .where('starts_at', '=', new Date('2026-11-26T08:15:00Z'))
      .where('status', 'in', ['held', 'confirmed'])
      .execute();
    expect(live).toHaveLength(1);
  }, 60_000);

  it('takes an alternative offered in a staff message from the menu', async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    await inPersonAppeal(chat);
    // A staff cancellation carries concrete slot buttons; tapping one holds it and asks to confirm.
    await chat.send({
      type: 'button',
      payload: encodeSlotPayload({ specialistId: 'lawyer-1', startsAt: new Date('2026-12-01T06:45:00Z') }),
    });
    expect(chat.text).toContain('вторник, 01.12, 13:45');
    await chat.tap('Подтвердить');
    expect(chat.text).toContain('Вы записаны');
  });

  it('records attendance from the reminder button', async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    await inPersonAppeal(chat);
    await chat.tap('Выбрать время приёма');
    await chat.tap('вт, 24.11');
    await chat.tap('15:15');
    await chat.tap('Подтвердить');
    const booking = await t.db
      .selectFrom('bookings')
      .selectAll()
      .where('status', '=', 'confirmed')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const later = new ChatDriver(
      makeRuntime(t.db, new RecordingScheduler(), new Date('2026-11-24T10:00:00Z')),
      chat.externalId,
    );
    await later.send({ type: 'button', payload: `attend:yes:${booking.id}` });
    expect(later.text).toContain('Спасибо, что пришли');
    expect(
      (
        await t.db
          .selectFrom('bookings')
          .select('status')
          .where('id', '=', booking.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('attended');
  });

  it('asks for consent first when a new family chooses "book" in the menu', async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    await chat.start();
    await chat.tap('Записаться на приём');
    expect(chat.text).toContain('согласие');
  });

  it('rejects a forged slot button politely', async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    await inPersonAppeal(chat);
    await chat.tap('Выбрать время приёма');
    await chat.tap('чт, 26.11');
    await chat.send({ type: 'button', payload: 'slot:lawyer-1:1' }); // 1970
    expect(chat.text).toContain('только что заняли');
  });
});
