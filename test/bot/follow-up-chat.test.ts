import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { CenterProfile } from '../../config/center.ts';
import { followUpMoment, surveyReminderMoment } from '../../domain/follow-up.ts';
import { progressPayload } from '../../flows/progress.ts';
import { getAppeal } from '../../storage/appeals.ts';
import { confirmBooking, holdSlot } from '../../storage/bookings.ts';
import { ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { anotherAppeal, familyWithAppeal, sentTo } from '../support/families.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { RecordingScheduler } from '../support/recording-scheduler.ts';
import { staffLogin } from '../support/staff.ts';

const ZONE = 'Asia/Novokuznetsk';
const local = (text: string) => DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toJSDate();
const NOW = local('2026-11-24 12:30');
const PASSWORD = 'secret-pass';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};
/** A forged session cookie: matches no session. */
const WRONG = { cookie: 'sd_staff=forged-session-token' };

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('follow-up after a visit and progress reports in chat', () => {
  let t: TestDatabase;
  let center: CenterProfile;
  let runtime: Runtime;
  let app: FastifyInstance;
  const scheduler = new RecordingScheduler();
  const progress: Array<[number, string]> = [];
  let families = 0;

  beforeAll(async () => {
    t = await engine.create();
    center = await loadBelovo();
    const translator = new Translator();
    runtime = new Runtime({
      db: t.db,
      center,
      translator,
      scheduler,
      logger: silentLogger,
      clock: () => NOW,
    });
    runtime.onProgress((appealId, answer) => progress.push([appealId, answer]));
    app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger: silentLogger,
      dispatcherPassword: PASSWORD,
      scheduler,
      // The staff APIs check "in the future" against this clock, not the machine's: fixed dates stay valid.
      clock: () => NOW,
    });
    AUTH = await staffLogin(app, 'dispatcher', PASSWORD);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  /** A family with consent to the current version and one appeal, and its chat. */
  async function family(consentVersion = center.consent.version) {
    const externalId = `follow-up-family-${++families}`;
    const created = await familyWithAppeal(t.db, externalId, NOW, consentVersion);
    return { ...created, chat: new ChatDriver(runtime, externalId) };
  }

  const history = (appealId: number) =>
    t.db
      .selectFrom('appeal_events')
      .select(['actor', 'action', 'note'])
      .where('appeal_id', '=', appealId)
      .orderBy('id')
      .execute();

  async function confirmedLawyerBooking(contactId: number, appealId: number, startsAt: Date) {
    const held = await holdSlot(t.db, {
      contactId,
      specialistId: 'lawyer-1',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 45 * 60_000),
      now: NOW,
      holdMinutes: 10,
      appealId,
    });
    if (!held.ok) throw new Error('slot taken');
    const booking = await confirmBooking(t.db, held.booking.id, contactId, NOW);
    if (!booking) throw new Error('not confirmed');
    return booking;
  }

  it('plans the follow-up 5 working days after an attended visit, and not after a missed one', async () => {
    const f = await family();
    const visit = local('2026-11-24 09:00');
    const booking = await confirmedLawyerBooking(f.contactId, f.appealId, visit);
    await f.chat.send({ type: 'button', payload: `attend:yes:${booking.id}` });
    const expected = local('2026-12-01 10:00');
    expect(followUpMoment(visit, center)).toEqual(expected);
    expect((await getAppeal(t.db, f.appealId))?.follow_up_at).toEqual(expected);
    expect(scheduler.followUps).toContainEqual({ appealId: f.appealId, at: expected });

    const g = await family();
    const missed = await confirmedLawyerBooking(g.contactId, g.appealId, local('2026-11-24 09:45'));
    await g.chat.send({ type: 'button', payload: `attend:no:${missed.id}` });
    expect((await getAppeal(t.db, g.appealId))?.follow_up_at).toBeNull();
    expect(scheduler.followUps.map((entry) => entry.appealId)).not.toContain(g.appealId);
  });

  it('records «Нет», tells the family a dispatcher will call, signals dispatchers, and keeps a comment', async () => {
    const f = await family();
    await t.db
      .updateTable('appeals')
      .set({ follow_up_at: local('2026-12-01 10:00') })
      .where('id', '=', f.appealId)
      .execute();
    await f.chat.start();
    await f.chat.send({ type: 'button', payload: progressPayload(f.appealId, 'no') });
    expect(f.chat.text).toContain(`Мы отметили это в обращении № ${f.number}`);
    expect(f.chat.text).toContain('Диспетчер свяжется с Вами');
    expect(f.chat.text).toContain('напишите одним сообщением');
    expect(progress).toContainEqual([f.appealId, 'no']);
    // The family told us on its own: the planned follow-up is not sent any more.
    expect((await getAppeal(t.db, f.appealId))?.follow_up_at).toBeNull();

    await f.chat.say('Справку так и не выдали, нужна помощь юриста');
    expect(f.chat.text).toContain('передали это диспетчеру');
    expect(await history(f.appealId)).toEqual([
      { actor: 'family', action: 'progress', note: 'no' },
      { actor: 'family', action: 'progress-comment', note: 'Справку так и не выдали, нужна помощь юриста' },
    ]);

    // Deleting the data takes the family's words with it; that an answer was given stays for reports.
    await f.chat.tap('Удалить мои данные');
    await f.chat.tap('Да');
    // …and the history says the family deleted its data (issue 12), without any of it.
    expect(await history(f.appealId)).toEqual([
      { actor: 'family', action: 'progress', note: 'no' },
      { actor: 'family', action: 'progress-comment', note: null },
      { actor: 'family', action: 'data-deleted', note: null },
    ]);
  });

  it('«Сообщить о результате» from the menu: which appeal, the answer in words, «Пропустить»', async () => {
    const f = await family();
    const second = await anotherAppeal(t.db, f, NOW);
    await f.chat.start();
    await f.chat.tap('Сообщить о результате');
    expect(f.chat.text).toContain('По какому обращению');
    await f.chat.tap(`Обращение № ${second.number}`);
    expect(f.chat.text).toContain(`Решился ли ваш вопрос по обращению № ${second.number}?`);
    await f.chat.say('что?');
    expect(f.chat.text).toContain(`Решился ли ваш вопрос по обращению № ${second.number}?`);
    await f.chat.say('Частично');
    expect(f.chat.text).not.toContain('Диспетчер свяжется');
    await f.chat.tap('Пропустить');
    expect(f.chat.text).toContain('Чем могу помочь?');
    expect(await history(second.appealId)).toEqual([{ actor: 'family', action: 'progress', note: 'partly' }]);
    expect(await history(f.appealId)).toEqual([]);
    expect(progress).toContainEqual([second.appealId, 'partly']);

    // With one open appeal the question comes at once; «Нужна помощь специалиста» asks for a dispatcher.
    await t.db.updateTable('appeals').set({ status: 'closed' }).where('id', '=', second.appealId).execute();
    await f.chat.tap('Сообщить о результате');
    expect(f.chat.text).toContain(`Решился ли ваш вопрос по обращению № ${f.number}?`);
    await f.chat.tap('Нужна помощь специалиста');
    expect(f.chat.text).toContain('Диспетчер свяжется с Вами');
    expect(progress).toContainEqual([f.appealId, 'help']);
  });

  it('answers politely when there is nothing to report on, the appeal is closed, or it is not theirs', async () => {
    const f = await family();
    await t.db.updateTable('appeals').set({ status: 'closed' }).where('id', '=', f.appealId).execute();
    await f.chat.start();
    await f.chat.tap('Сообщить о результате');
    expect(f.chat.text).toContain('нет открытых обращений');
    await f.chat.send({ type: 'button', payload: progressPayload(f.appealId, 'yes') });
    expect(f.chat.text).toContain(`Работа по обращению № ${f.number} уже завершена`);

    const other = await family();
    const stranger = new ChatDriver(runtime, 'follow-up-stranger');
    await stranger.send({ type: 'button', payload: progressPayload(other.appealId, 'yes') });
    expect(stranger.text).toContain('относится к предыдущему вопросу');
    expect(await history(other.appealId)).toEqual([]);
    expect(await history(f.appealId)).toEqual([]);
  });

  it('takes an answer in the middle of an intake without losing the place, and no comment without consent', async () => {
    const f = await family();
    await f.chat.start();
    await f.chat.tap('Оставить обращение');
    await f.chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    const question = f.chat.text;
    await f.chat.send({ type: 'button', payload: progressPayload(f.appealId, 'yes') });
    expect(f.chat.text).toContain('Спасибо, что рассказали');
    expect(f.chat.text).not.toContain('напишите одним сообщением');
    expect(f.chat.text).toContain(question.split('\n').at(-1) ?? '');
    expect(await history(f.appealId)).toEqual([{ actor: 'family', action: 'progress', note: 'yes' }]);

    // Consent to an older text only: the answer counts, but no free text is asked for or stored.
    const old = await family('2020-01-01');
    await old.chat.send({ type: 'button', payload: progressPayload(old.appealId, 'partly') });
    expect(old.chat.text).toContain('Спасибо, что рассказали');
    expect(old.chat.text).not.toContain('напишите одним сообщением');
    expect(await history(old.appealId)).toEqual([{ actor: 'family', action: 'progress', note: 'partly' }]);
  });

  describe('staff API', () => {
    const post = (id: number | string, payload: unknown, headers: Record<string, string> = AUTH) =>
      app.inject({
        method: 'POST',
        url: `/api/staff/appeals/${id}/follow-up`,
        headers,
        payload: payload as object,
      });

    it('sets an agreed follow-up time, records it and schedules the job', async () => {
      const f = await family();
      const at = '2026-11-27T11:00:00+07:00';
      const response = await post(f.appealId, { at });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        ok: true,
        appealId: f.appealId,
        followUpAt: '2026-11-27T04:00:00.000Z',
      });
      const appeal = await getAppeal(t.db, f.appealId);
      expect(appeal?.follow_up_at).toEqual(new Date(at));
      expect(appeal?.follow_up_agreed).toBe(true);
      expect(scheduler.followUps).toContainEqual({ appealId: f.appealId, at: new Date(at) });
      expect(await history(f.appealId)).toEqual([
        { actor: 'web:dispatcher', action: 'follow-up-agreed', note: '2026-11-27T04:00:00.000Z' },
      ]);

      // A visit afterwards does not move an agreed time.
      const booking = await confirmedLawyerBooking(f.contactId, f.appealId, local('2026-11-24 10:30'));
      await f.chat.send({ type: 'button', payload: `attend:yes:${booking.id}` });
      expect((await getAppeal(t.db, f.appealId))?.follow_up_at).toEqual(new Date(at));
    });

    it('refuses without the login and explains bad input', async () => {
      const f = await family();
      expect((await post(f.appealId, { at: '2026-11-27T11:00:00+07:00' }, {})).statusCode).toBe(401);
      expect((await post(f.appealId, { at: '2026-11-27T11:00:00+07:00' }, WRONG)).statusCode).toBe(401);
      const cases: Array<[number | string, unknown, RegExp]> = [
        ['abc', { at: '2026-11-27T11:00:00+07:00' }, /appeal id must be a positive number/],
        [f.appealId, {}, /at is required/],
        [f.appealId, { at: 'завтра' }, /ISO date-time/],
        [f.appealId, { at: '2026-11-27T11:00:00' }, /ISO date-time/],
        [f.appealId, { at: '2026-11-20T11:00:00+07:00' }, /must be in the future/],
        [
          f.appealId,
          { at: '2026-11-27T22:30:00+07:00' },
          /22:30 local time falls in quiet hours 21:00–08:00/,
        ],
        [f.appealId, { at: '2027-11-27T11:00:00+07:00' }, /within 180 days/],
      ];
      for (const [id, body, message] of cases) {
        const response = await post(id, body);
        expect(response.statusCode, JSON.stringify(body)).toBe(400);
        expect(response.json().message).toMatch(message);
      }
      expect((await post(999_999, { at: '2026-11-27T11:00:00+07:00' })).statusCode).toBe(404);
      await t.db.updateTable('appeals').set({ status: 'closed' }).where('id', '=', f.appealId).execute();
      const closed = await post(f.appealId, { at: '2026-11-27T11:00:00+07:00' });
      expect(closed.statusCode).toBe(409);
      expect(closed.json().error).toBe('closed');
      expect((await getAppeal(t.db, f.appealId))?.follow_up_at).toBeNull();
    });

    it('plans the follow-up from a route-sheet item, and the survey reminder when the survey is sent', async () => {
      const f = await family();
      const item = await app.inject({
        method: 'POST',
        url: '/api/staff/route-items',
        headers: AUTH,
        payload: { appealId: f.appealId, org: 'Пенсионный фонд', startsAt: '2026-11-26T14:00:00+07:00' },
      });
      expect(item.statusCode).toBe(201);
      const expected = local('2026-12-03 10:00');
      expect((await getAppeal(t.db, f.appealId))?.follow_up_at).toEqual(expected);
      expect(scheduler.followUps).toContainEqual({ appealId: f.appealId, at: expected });

      const closed = await app.inject({
        method: 'POST',
        url: `/api/staff/appeals/${f.appealId}/close`,
        headers: AUTH,
        payload: { result: 'resolved' },
      });
      expect(closed.statusCode).toBe(200);
      const survey = await t.db
        .selectFrom('surveys')
        .selectAll()
        .where('appeal_id', '=', f.appealId)
        .executeTakeFirstOrThrow();
      expect(scheduler.surveyReminders).toContainEqual({
        surveyId: survey.id,
        at: surveyReminderMoment(survey.sent_at, center),
      });
      expect((await sentTo(t.db, f.contactId)).map((m) => m.text).join()).toContain('Доступна ли информация');
    });
  });
});
