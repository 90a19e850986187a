import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { createReminderHandler } from '../../bot/reminders.ts';
import { Runtime } from '../../bot/runtime.ts';
import type { CenterProfile } from '../../config/center.ts';
import { reminderTimes } from '../../domain/slots.ts';
import { type BookingReminderKind, jobIds } from '../../scheduler/jobs.ts';
import { type BookingReminderHandler, noScheduler, Scheduler } from '../../scheduler/scheduler.ts';
import { confirmBooking, getBooking, holdSlot } from '../../storage/bookings.ts';
import { upsertContact } from '../../storage/contacts.ts';
import type { Booking } from '../../storage/schema.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, waitFor, wipePrefix } from '../support/redis.ts';

const ZONE = 'Asia/Novokuznetsk';
const local = (text: string) => DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toJSDate();
const BOOKED_AT = local('2026-11-20 10:00');
const SOON_MS = 300;

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('booking reminders against real Redis', () => {
  let t: TestDatabase;
  let center: CenterProfile;
  const schedulers: Scheduler[] = [];
  /** The scheduler's (and handler's) clock; each test moves it to just before the reminder it wants fired. */
  let now = BOOKED_AT;
  const clock = () => now;

  beforeAll(async () => {
    t = await engine.create();
    center = await loadBelovo();
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.close();
  });
  afterAll(async () => {
    await t.drop();
  });

  function scheduler(prefix: string, handler?: BookingReminderHandler) {
    const s = new Scheduler({ redisUrl: REDIS_URL, prefix, db: t.db, logger: silentLogger, clock, center });
    if (handler) s.onBookingReminder(handler);
    schedulers.push(s);
    return s;
  }

  /**
   * A confirmed lawyer booking (Thursdays 09:00–16:00, 45 min) made on BOOKED_AT, for a family of its own: the
   * tests share a database, and a scheduler's start-up reconciliation rightly picks up other tests' bookings,
   * so every assertion looks at its own booking and family only.
   */
  async function confirmed(startsLocal: string): Promise<Booking> {
    const contactId = (await upsertContact(t.db, 'web', `reminders-${startsLocal}`, BOOKED_AT)).id;
    const startsAt = local(startsLocal);
    const held = await holdSlot(t.db, {
      contactId,
      specialistId: 'lawyer-1',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 45 * 60_000),
      now: BOOKED_AT,
      holdMinutes: 10,
    });
    if (!held.ok) throw new Error('slot taken');
    const booking = await confirmBooking(t.db, held.booking.id, contactId, BOOKED_AT);
    if (!booking) throw new Error('not confirmed');
    return booking;
  }

  const asInput = (b: Booking) => ({
    id: b.id,
    startsAt: b.starts_at,
    endsAt: b.ends_at,
    createdAt: b.created_at,
  });
  const timesOf = (b: Booking) =>
    reminderTimes(center, { startsAt: b.starts_at, endsAt: b.ends_at }, b.created_at);
  const ids = (bookingId: number) => ({
    dayBefore: jobIds.bookingDayBefore(bookingId),
    twoHours: jobIds.bookingTwoHours(bookingId),
    attendance: jobIds.bookingAttendance(bookingId),
  });
  const jobsOf = async (s: Scheduler, b: Booking) =>
    (await s.reminderQueue.getDelayed()).filter((job) => job.data.bookingId === b.id);
  const delayedIds = async (s: Scheduler, b: Booking) => (await jobsOf(s, b)).map((job) => job.id).sort();
  const outbound = async (b: Booking) =>
    (
      await t.db
        .selectFrom('messages')
        .select('body')
        .where('contact_id', '=', b.contact_id)
        .where('direction', '=', 'out')
        .orderBy('id')
        .execute()
    ).map((row) => row.body as { text: string; buttons?: Array<Array<{ payload: string }>> });

  it('fires the day-before, two-hour and attendance jobs at their times, with the right kinds', async () => {
    const calls: Array<[BookingReminderKind, number]> = [];
    const s = scheduler(uniquePrefix(), async (kind, id) => {
      calls.push([kind, id]);
    });
    await s.start();
    // Booked after start, so start-up reconciliation (which schedules from the clock of then) does not see it.
    const b = await confirmed('2026-12-03 15:00');
    const own = () => calls.filter(([, id]) => id === b.id);
    const times = timesOf(b);
    const id = ids(b.id);

    // Just before 12:00 the day before: that job is due in 300 ms, the others much later.
    now = new Date((times.dayBefore as Date).getTime() - SOON_MS);
    await s.scheduleBookingReminders(asInput(b));
    const delays = Object.fromEntries((await jobsOf(s, b)).map((job) => [job.id, job.opts.delay]));
    expect(delays).toEqual({
      [id.dayBefore]: SOON_MS,
      [id.twoHours]: (times.twoHoursBefore as Date).getTime() - now.getTime(),
      [id.attendance]: times.attendanceCheck.getTime() - now.getTime(),
    });
    await waitFor(async () => own().length === 1);
    expect(own()).toEqual([['dayBefore', b.id]]);

    // Two hours before: the day-before time has passed, so only the two-hour and attendance jobs exist.
    await s.cancelBookingReminders(b.id);
    now = new Date((times.twoHoursBefore as Date).getTime() - SOON_MS);
    await s.scheduleBookingReminders(asInput(b));
    expect(await delayedIds(s, b)).toEqual([id.attendance, id.twoHours].sort());
    await waitFor(async () => own().length === 2);
    expect(own()[1]).toEqual(['twoHours', b.id]);

    await s.cancelBookingReminders(b.id);
    now = new Date(times.attendanceCheck.getTime() - SOON_MS);
    await s.scheduleBookingReminders(asInput(b));
    expect(await delayedIds(s, b)).toEqual([id.attendance]);
    await waitFor(async () => own().length === 3);
    expect(own()).toEqual([
      ['dayBefore', b.id],
      ['twoHours', b.id],
      ['attendance', b.id],
    ]);
  });

  it('still asks about attendance up to a day late, and never after', async () => {
    const calls: Array<[BookingReminderKind, number]> = [];
    const s = scheduler(uniquePrefix(), async (kind, id) => {
      calls.push([kind, id]);
    });
    await s.start();
    // Booked after start, so start-up reconciliation (which schedules from the clock of then) does not see it.
    const b = await confirmed('2026-12-03 13:00');
    const own = () => calls.filter(([, id]) => id === b.id);
    const { attendanceCheck } = timesOf(b);

    now = new Date(attendanceCheck.getTime() + 25 * 3600_000);
    await s.scheduleBookingReminders(asInput(b));
    for (const jobId of Object.values(ids(b.id))) expect(await s.reminderQueue.getJob(jobId)).toBeUndefined();

    now = new Date(attendanceCheck.getTime() + 3 * 3600_000);
    await s.scheduleBookingReminders(asInput(b));
    await waitFor(async () => own().length === 1);
    expect(own()).toEqual([['attendance', b.id]]);
  });

  it('uses deterministic job ids (scheduling twice keeps one job each) and cancelling removes them', async () => {
    const s = scheduler(uniquePrefix());
    const b = await confirmed('2026-12-03 14:15');
    const id = ids(b.id);
    now = new Date(BOOKED_AT.getTime() + 60_000);
    await s.scheduleBookingReminders(asInput(b));
    await s.scheduleBookingReminders(asInput(b));
    expect(await delayedIds(s, b)).toEqual([id.attendance, id.dayBefore, id.twoHours].sort());
    const jobs = await s.reminderQueue.getDelayed();
    expect(jobs.map((job) => job.data)).toEqual([
      { bookingId: b.id },
      { bookingId: b.id },
      { bookingId: b.id },
    ]);
    expect(jobs.map((job) => job.name).sort()).toEqual([
      'booking-attendance',
      'booking-day-before',
      'booking-two-hours',
    ]);

    await s.cancelBookingReminders(b.id);
    expect(await delayedIds(s, b)).toEqual([]);
    expect(await s.reminderQueue.getJob(id.dayBefore)).toBeUndefined();
  });

  it('reconciles reminder jobs after Redis lost them, and the ledger sends each reminder once', async () => {
    const translator = new Translator();
    const runtime = new Runtime({
      db: t.db,
      center,
      translator,
      scheduler: noScheduler,
      logger: silentLogger,
      clock,
    });
    const handler = createReminderHandler({ db: t.db, center, runtime, clock });
    let handled = 0;
    let b: Booking | undefined;
    const counting: BookingReminderHandler = async (kind, bookingId) => {
      await handler(kind, bookingId);
      if (bookingId === b?.id) handled++;
    };

    const prefix = uniquePrefix();
    b = await confirmed('2026-12-10 15:00');
    const times = timesOf(b);
    const id = ids(b.id);
    now = new Date((times.dayBefore as Date).getTime() - SOON_MS);
    const before = scheduler(prefix); // not started: nothing runs before Redis "restarts"
    await before.scheduleBookingReminders(asInput(b));
    expect(await delayedIds(before, b)).toHaveLength(3);
    await before.close();
    schedulers.splice(schedulers.indexOf(before), 1);
    expect(await wipePrefix(prefix)).toBeGreaterThan(0);

    // The two-hour reminder is already in the ledger: it must not come back.
    await t.db.updateTable('bookings').set({ reminded_two_hours_at: now }).where('id', '=', b.id).execute();
    const messagesBefore = (await outbound(b)).length;
    const after = scheduler(prefix, counting);
    const { reconciled } = await after.start();
    expect(reconciled).toBeGreaterThanOrEqual(2);
    expect(await after.reminderQueue.getJob(id.twoHours)).toBeUndefined();
    expect((await after.reminderQueue.getJob(id.attendance))?.id).toBe(id.attendance);

    // The re-created day-before job fires and the family gets the reminder in the transcript.
    await waitFor(async () => handled === 1);
    const sent = (await outbound(b)).slice(messagesBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain('Напоминаем: Вы записаны на приём завтра, 10.12, в 15:00');
    expect(sent[0]?.buttons).toEqual([[{ label: '📅 Мои записи', payload: 'menu:bookings' }]]);
    expect((await getBooking(t.db, b.id))?.reminded_day_before_at?.getTime()).toBe(now.getTime());

    // The same job runs again (a retry, or re-created while the first run was in flight): no second message.
    await waitFor(async () => (await after.reminderQueue.getJob(id.dayBefore)) === undefined);
    await after.scheduleBookingReminders(asInput(b));
    await waitFor(async () => handled === 2);
    expect((await outbound(b)).slice(messagesBefore)).toHaveLength(1);

    // After another Redis loss only the attendance question is still owed.
    await after.close();
    schedulers.splice(schedulers.indexOf(after), 1);
    await wipePrefix(prefix);
    const again = scheduler(prefix);
    await again.reconcile();
    expect(await delayedIds(again, b)).toEqual([id.attendance]);
  });

  it('does not remind a cancelled booking even if its job survived', async () => {
    const translator = new Translator();
    const runtime = new Runtime({
      db: t.db,
      center,
      translator,
      scheduler: noScheduler,
      logger: silentLogger,
      clock,
    });
    const handler = createReminderHandler({ db: t.db, center, runtime, clock });
    const b = await confirmed('2026-12-10 13:00');
    await t.db.updateTable('bookings').set({ status: 'cancelled' }).where('id', '=', b.id).execute();
    const messagesBefore = (await outbound(b)).length;
    now = new Date((timesOf(b).dayBefore as Date).getTime());
    await handler('dayBefore', b.id);
    await handler('attendance', b.id);
    expect((await outbound(b)).length).toBe(messagesBefore);
    expect((await getBooking(t.db, b.id))?.reminded_day_before_at).toBeNull();
  });
});
