import Fastify from 'fastify';
import { DateTime } from 'luxon';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerOutreachApi } from '../../adapters/web/outreach-api.ts';
import { registerStaffArea } from '../../adapters/web/staff-access.ts';
import { Translator } from '../../bot/i18n.ts';
import { OutreachNotices } from '../../bot/outreach-notices.ts';
import { Runtime } from '../../bot/runtime.ts';
import { type CenterProfile, loadCenterProfile } from '../../config/center.ts';
import { DispatcherDirectory, webDispatcher } from '../../config/dispatchers.ts';
import { OUTREACH_SCHEDULERS, OutreachScheduler } from '../../scheduler/outreach.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { findContact } from '../../storage/contacts.ts';
import { subscriptionsOf } from '../../storage/outreach.ts';
import { ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { BARNAUL, loadBelovo, silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, waitFor } from '../support/redis.ts';
import { staffLogin } from '../support/staff.ts';

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');
const translator = new Translator();
const PASSWORD = 'outreach-pass';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};

/** A family in the web chat, a runtime, the outreach sweep and scheduler, all on one controlled clock. */
async function harness(
  t: TestDatabase,
  center: CenterProfile,
  start: string,
  patterns?: Record<string, string>,
) {
  const clockState = { now: local(start, center) };
  const clock = () => clockState.now;
  const runtime = new Runtime({
    db: t.db,
    center,
    translator,
    scheduler: noScheduler,
    logger: silentLogger,
    clock,
  });
  const notices = new OutreachNotices({ db: t.db, center, runtime, logger: silentLogger, clock });
  const prefix = uniquePrefix();
  const makeScheduler = () => {
    const s = new OutreachScheduler({
      redisUrl: REDIS_URL,
      prefix,
      center,
      logger: silentLogger,
      sweep: () => notices.sweep(),
      clock,
      patterns,
    });
    open.push(s);
    return s;
  };
  const chat = new ChatDriver(runtime, `outreach-${Math.random()}`, 'web');
  const contactId = async () => (await findContact(t.db, 'web', chat.externalId))?.id ?? 0;
  /** Everything the system sent this family, in order. */
  const outbox = async () =>
    (
      await t.db
        .selectFrom('messages')
        .select('body')
        .where('contact_id', '=', await contactId())
        .where('direction', '=', 'out')
        .orderBy('id')
        .execute()
    ).map((row) => row.body as { text: string; buttons?: Array<Array<{ payload: string }>> });
  const matching = async (fragment: string) => (await outbox()).filter((m) => m.text.includes(fragment));
  const set = (value: string) => {
    clockState.now = local(value, center);
  };
  return { runtime, notices, makeScheduler, chat, contactId, outbox, matching, set, clock };
}

const local = (value: string, center: CenterProfile) =>
  DateTime.fromISO(value, { zone: center.timeZone }).toJSDate();
const open: OutreachScheduler[] = [];

describe('outreach reminders for a web-chat subscriber (real Redis, controlled clock)', {
  timeout: 120_000,
}, () => {
  // A database per test: a sweep rightly reaches every subscriber, so families of other tests would count.
  let t: TestDatabase;
  let belovo: CenterProfile;
  let barnaul: CenterProfile;
  beforeAll(async () => {
    belovo = await loadBelovo();
    barnaul = await loadCenterProfile(BARNAUL);
  });
  beforeEach(async () => {
    t = await engine.create();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await t.drop();
  });

  it('Бачатский (biweekly Friday): day before and morning, only in visit weeks, never twice', async () => {
    const h = await harness(t, belovo, '2026-11-16T12:00');
    await h.chat.start();
    await h.chat.tap('График выездов');
    await h.chat.tap('Бачатский');
    expect(h.chat.text).toContain('пт, 20.11 — пгт Бачатский, ул. 50 лет Октября, 30, 09:00–15:30');
    await h.chat.tap('Напоминать');
    expect(h.chat.text).toContain('Буду напоминать');
    expect(await subscriptionsOf(t.db, await h.contactId())).toEqual(['Бачатский']);

    const s = h.makeScheduler();
    expect((await s.start()).sent).toBe(0); // Monday noon: nothing due
    const schedulers = await s.outreachQueue.getJobSchedulers();
    expect(schedulers.map((j) => [j.key, j.pattern, j.tz]).sort()).toEqual([
      [OUTREACH_SCHEDULERS.dayBefore, '0 18 * * *', 'Asia/Novokuznetsk'],
      [OUTREACH_SCHEDULERS.morning, '0 8 * * *', 'Asia/Novokuznetsk'],
    ]);

    // Thursday 18:00: the tick goes through the queue and the worker.
    h.set('2026-11-19T18:00');
    await s.trigger();
    await waitFor(async () => (await h.matching('завтра, пт, 20.11')).length === 1);
    const [dayBefore] = await h.matching('завтра, пт, 20.11');
    expect(dayBefore?.text).toContain('📍 пгт Бачатский, ул. 50 лет Октября, 30 — 09:00–15:30');
    expect(dayBefore?.text).toContain('+7 (38452) 3-06-56');
    expect(dayBefore?.buttons?.flat().map((b) => b.payload)).toContain('out:uns:bachatskiy');

    // The tick again, and a second process on the same Redis: nothing twice.
    await s.trigger();
    const second = h.makeScheduler();
    expect((await second.start()).sent).toBe(0);
    expect((await s.runNow()).sent).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.matching('завтра, пт, 20.11')).toHaveLength(1);

    h.set('2026-11-20T08:00');
    await s.trigger();
    await waitFor(async () => (await h.matching('Сегодня, пт, 20.11')).length === 1);
    expect((await s.runNow()).sent).toBe(0);

    // The off week: Friday 27 November, no Бачатский visit, no reminder.
    const before = (await h.outbox()).length;
    h.set('2026-11-26T18:00');
    expect((await s.runNow()).sent).toBe(0);
    h.set('2026-11-27T08:00');
    expect((await s.runNow()).sent).toBe(0);
    expect(await h.outbox()).toHaveLength(before);

    // Unsubscribe from the reminder's button.
    await h.chat.tap('Отписаться');
    expect(h.chat.text).toContain('Вы отписались');
    expect(await subscriptionsOf(t.db, await h.contactId())).toEqual([]);
    h.set('2026-12-03T18:00');
    expect((await s.runNow()).sent).toBe(0);
  });

  it('a missed tick: caught up at start-up if meaningful; at night postponed to 08:00, never sent at night', async () => {
    const h = await harness(t, belovo, '2026-11-30T12:00');
    await h.chat.start();
    await h.chat.tap('График выездов');
    await h.chat.tap('Бачатский');
    await h.chat.tap('Напоминать');

    // The service was down at 18:00 on Thursday 3 December and comes back at 23:00: quiet hours.
    h.set('2026-12-03T23:00');
    const s = h.makeScheduler();
    const result = await s.start();
    expect(result).toEqual({ sent: 0, postponedUntil: local('2026-12-04T08:00', belovo) });
    const delayed = await s.outreachQueue.getDelayed();
    const sweep = delayed.find((job) => job.name === 'sweep');
    expect(sweep?.id).toBe(`sweep-${local('2026-12-04T08:00', belovo).getTime()}`);
    expect(sweep?.opts.delay).toBe(9 * 3600_000);
    expect(await h.matching('пт, 04.12, —')).toHaveLength(0);

    // 08:00: the postponed sweep runs; the day-before reminder is no longer meaningful, the morning one is.
    h.set('2026-12-04T08:00');
    await sweep?.promote();
    await waitFor(async () => (await h.matching('Сегодня, пт, 04.12')).length === 1);
    expect(await h.matching('завтра, пт, 04.12')).toHaveLength(0);
    await s.close();
    open.splice(open.indexOf(s), 1);

    // Down at 18:00 on Thursday 17 December, back at 20:00: the day-before reminder goes out at start-up.
    h.set('2026-12-17T20:00');
    const restarted = h.makeScheduler();
    expect((await restarted.start()).sent).toBe(1);
    expect(await h.matching('завтра, пт, 18.12')).toHaveLength(1);
  });

  it('a job scheduler firing every second still sends the reminder once', async () => {
    const h = await harness(t, belovo, '2026-12-14T12:00', { dayBefore: '* * * * * *' });
    await h.chat.start();
    await h.chat.tap('График выездов');
    await h.chat.tap('Бачатский');
    await h.chat.tap('Напоминать');
    const s = h.makeScheduler();
    h.set('2026-12-17T18:30');
    await s.start();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await h.matching('завтра, пт, 18.12')).toHaveLength(1);
  });

  it('Barnaul 2nd and 4th Wednesday (one-window partner schedule), and "delete my data" ends the subscription', async () => {
    const h = await harness(t, barnaul, '2026-11-30T12:00');
    await h.chat.start();
    await h.chat.tap('График выездов');
    expect(h.chat.text).toContain('Барнаул — ближайшие выезды');
    await h.chat.tap('Напоминать');
    const s = h.makeScheduler();
    await s.start();

    // Tuesday 1 December: the next day is the 1st Wednesday — nothing.
    h.set('2026-12-01T18:00');
    expect((await s.runNow()).sent).toBe(0);
    // Tuesday 8 December, before the 2nd Wednesday.
    h.set('2026-12-08T18:00');
    await s.trigger();
    await waitFor(async () => (await h.matching('завтра, ср, 09.12')).length === 1);
    expect((await h.matching('завтра, ср, 09.12'))[0]?.text).toContain(
      '📍 Центр занятости населения — 09:00–12:00',
    );
    h.set('2026-12-09T08:00');
    expect((await s.runNow()).sent).toBe(1);
    expect(await h.matching('Сегодня, ср, 09.12')).toHaveLength(1);
    // Tuesday 29 December: the next day is the 5th Wednesday — nothing; the 4th was the 23rd.
    h.set('2026-12-22T18:00');
    expect((await s.runNow()).sent).toBe(1);
    expect(await h.matching('завтра, ср, 23.12')).toHaveLength(1);
    h.set('2026-12-29T18:00');
    expect((await s.runNow()).sent).toBe(0);

    await h.chat.tap('Меню');
    await h.chat.tap('Удалить мои данные');
    await h.chat.tap('Да');
    expect(await subscriptionsOf(t.db, await h.contactId())).toEqual([]);
    h.set('2027-01-12T18:00');
    expect((await s.runNow()).sent).toBe(0);
  });

  it('a staff cancellation re-notifies subscribers at once; at night, at the end of quiet hours', async () => {
    const h = await harness(t, belovo, '2027-01-04T12:00');
    await h.chat.start();
    await h.chat.tap('График выездов');
    await h.chat.tap('Бачатский');
    await h.chat.tap('Напоминать');
    const s = h.makeScheduler();
    await s.start();
    const app = Fastify();
    const directory = new DispatcherDirectory([webDispatcher(PASSWORD)]);
    // The staff area gives the API its login; the session uses the real clock (the harness's jumps days).
    await registerStaffArea(
      app,
      { db: t.db, directory, logger: silentLogger },
      () => {},
      (api) =>
        registerOutreachApi(api, {
          db: t.db,
          center: belovo,
          directory,
          logger: silentLogger,
          notify: () => s.runNow(),
          clock: h.clock,
        }),
    );
    AUTH = await staffLogin(app, 'dispatcher', PASSWORD);

    h.set('2027-01-11T10:00');
    const unauthorised = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/cancellations',
      payload: {},
    });
    expect(unauthorised.statusCode).toBe(401);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/cancellations',
      headers: AUTH,
      payload: { settlement: 'Бачатский', date: '2027-01-22' },
    });
    expect(bad.statusCode).toBe(404); // the off week: nothing to cancel
    const cancelled = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/cancellations',
      headers: AUTH,
      payload: { settlement: 'Бачатский', date: '2027-01-15', reason: 'ремонт дороги' },
    });
    expect(cancelled.statusCode).toBe(201);
    expect(cancelled.json()).toMatchObject({ ok: true, notified: 1 });
    expect(await h.matching('отменён')).toHaveLength(1);
    const [notice] = await h.matching('отменён');
    expect(notice?.text).toContain('выезд пт, 15.01 отменён');
    expect(notice?.text).toContain('Причина: ремонт дороги');
    expect(notice?.text).toContain('Ближайший выезд:\n• пт, 29.01');
    // No reminder for the cancelled day.
    h.set('2027-01-14T18:00');
    expect((await s.runNow()).sent).toBe(0);

    // A change made at 22:00 waits for 08:00.
    h.set('2027-01-28T22:00');
    const moved = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/changes',
      headers: AUTH,
      payload: { settlement: 'bachatskiy', date: '2027-01-29', hours: '11:00-14:00' },
    });
    expect(moved.statusCode).toBe(201);
    expect(moved.json()).toMatchObject({
      notified: 0,
      postponedUntil: local('2027-01-29T08:00', belovo).toISOString(),
    });
    expect(await h.matching('проходит иначе')).toHaveLength(0);
    h.set('2027-01-29T08:00');
    const job = (await s.outreachQueue.getDelayed()).find((j) => j.name === 'sweep');
    await job?.promote();
    await waitFor(async () => (await h.matching('проходит иначе')).length === 1);
    expect((await h.matching('проходит иначе'))[0]?.text).toContain('11:00–14:00 (изменено)');
    // The morning reminder of the same sweep already carries the new hours.
    await waitFor(async () => (await h.matching('Сегодня, пт, 29.01')).length === 1);
    expect((await h.matching('Сегодня, пт, 29.01'))[0]?.text).toContain('11:00–14:00');

    const listed = await app.inject({
      url: '/api/staff/outreach/visits?from=2027-01-29&days=1',
      headers: AUTH,
    });
    expect(listed.statusCode).toBe(200);
    const visits = listed.json().visits as Array<{ settlement: string; status: string }>;
    expect(visits.find((v) => v.settlement === 'Бачатский')?.status).toBe('changed');
    expect(listed.json().subscribers.Бачатский).toBeGreaterThanOrEqual(1);
    await app.close();
  });
});
