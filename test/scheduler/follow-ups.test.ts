import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFollowUpHandler } from '../../bot/follow-ups.ts';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import type { CenterProfile } from '../../config/center.ts';
import { surveyReminderMoment } from '../../domain/follow-up.ts';
import type { FollowUpHandler } from '../../scheduler/follow-up-queue.ts';
import { jobIds } from '../../scheduler/jobs.ts';
import { noScheduler, Scheduler } from '../../scheduler/scheduler.ts';
import { getAppeal } from '../../storage/appeals.ts';
import { createPartnerBooking } from '../../storage/bookings.ts';
import { setAgreedFollowUp, setVisitFollowUp } from '../../storage/follow-ups.ts';
import { createSurvey, getSurvey, recordAnswer } from '../../storage/surveys.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { familyWithAppeal, sentTo } from '../support/families.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, waitFor, wipePrefix } from '../support/redis.ts';

const ZONE = 'Asia/Novokuznetsk';
const local = (text: string) => DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toJSDate();
const CREATED = local('2026-11-20 10:00');
const SOON_MS = 300;

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('follow-up questions and survey reminders against real Redis', () => {
  let t: TestDatabase;
  let center: CenterProfile;
  let runtime: Runtime;
  const schedulers: Scheduler[] = [];
  let now = CREATED;
  const clock = () => now;
  /** How often the real handler ran, per job id. */
  const runs = new Map<string, number>();
  let handler: FollowUpHandler;

  beforeAll(async () => {
    t = await engine.create();
    center = await loadBelovo();
    runtime = new Runtime({
      db: t.db,
      center,
      translator: new Translator(),
      scheduler: noScheduler,
      logger: silentLogger,
      clock,
    });
    const real = createFollowUpHandler({ db: t.db, center, runtime, clock });
    handler = async (kind, id) => {
      try {
        return await real(kind, id);
      } finally {
        const key = kind === 'followUp' ? jobIds.followUp(id) : jobIds.surveyReminder(id);
        runs.set(key, (runs.get(key) ?? 0) + 1);
      }
    };
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.close();
  });
  afterAll(async () => {
    await t.drop();
  });

  function scheduler(prefix: string, withHandler = true) {
    const s = new Scheduler({ redisUrl: REDIS_URL, prefix, db: t.db, logger: silentLogger, clock, center });
    if (withHandler) s.onFollowUp(handler);
    schedulers.push(s);
    return s;
  }
  const ran = (jobId: string) => runs.get(jobId) ?? 0;

  /** An appeal with a route-sheet item at a partner on `visit`, its follow-up planned from that visit. */
  async function visited(externalId: string, visit: Date) {
    const family = await familyWithAppeal(t.db, externalId, CREATED);
    await createPartnerBooking(t.db, {
      contactId: family.contactId,
      appealId: family.appealId,
      org: 'УСЗН',
      startsAt: visit,
      endsAt: new Date(visit.getTime() + 3600_000),
      now: CREATED,
    });
    const at = await setVisitFollowUp(t.db, family.appealId, local('2026-12-01 10:00'));
    if (!at) throw new Error('follow-up not set');
    return { ...family, at };
  }

  it('asks «Решился ли ваш вопрос» at its time, once, even when the job runs again', async () => {
    const family = await visited('fu-once', local('2026-11-24 15:00'));
    const jobId = jobIds.followUp(family.appealId);
    now = new Date(family.at.getTime() - SOON_MS);
    const s = scheduler(uniquePrefix());
    await s.start();
    await s.scheduleFollowUp(family.appealId, family.at);
    expect((await s.followUpQueue.getJob(jobId))?.opts.delay).toBe(SOON_MS);
    // The job fires in 300 ms; by then the clock says it is time.
    now = family.at;
    await waitFor(async () => ran(jobId) === 1);
    const sent = await sentTo(t.db, family.contactId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain(`Решился ли ваш вопрос по обращению № ${family.number}?`);
    expect(sent[0]?.buttons?.flat().map((button) => button.label)).toEqual([
      'Да',
      'Частично',
      'Нет',
      'Нужна помощь специалиста',
    ]);
    const appeal = await getAppeal(t.db, family.appealId);
    expect(appeal?.follow_up_sent_at).not.toBeNull();
    const history = await t.db
      .selectFrom('appeal_events')
      .select(['action', 'actor'])
      .where('appeal_id', '=', family.appealId)
      .execute();
    expect(history).toEqual([{ action: 'follow-up', actor: 'system' }]);

    // A retry, or the job re-created by reconciliation while the first run was in flight: no second message.
    await waitFor(async () => (await s.followUpQueue.getJob(jobId)) === undefined);
    await s.scheduleFollowUp(family.appealId, family.at);
    await waitFor(async () => ran(jobId) === 2);
    expect(await sentTo(t.db, family.contactId)).toHaveLength(1);
  });

  it('re-creates owed jobs after Redis lost them; asked ones are not re-created', async () => {
    const owed = await visited('fu-reconcile', local('2026-11-25 11:00'));
    const asked = await visited('fu-asked', local('2026-11-25 12:00'));
    await t.db
      .updateTable('appeals')
      .set({ follow_up_sent_at: CREATED })
      .where('id', '=', asked.appealId)
      .execute();
    const prefix = uniquePrefix();
    now = new Date(owed.at.getTime() - 5_000);
    const before = scheduler(prefix, false);
    await before.scheduleFollowUp(owed.appealId, owed.at);
    await before.close();
    schedulers.splice(schedulers.indexOf(before), 1);
    expect(await wipePrefix(prefix)).toBeGreaterThan(0);

    now = new Date(owed.at.getTime() - SOON_MS);
    const after = scheduler(prefix);
    const { reconciled } = await after.start();
    now = owed.at;
    expect(reconciled).toBeGreaterThanOrEqual(1);
    expect(await after.followUpQueue.getJob(jobIds.followUp(asked.appealId))).toBeUndefined();
    await waitFor(async () => ran(jobIds.followUp(owed.appealId)) === 1);
    expect((await sentTo(t.db, owed.contactId)).map((m) => m.text).join()).toContain(owed.number);
    expect(await sentTo(t.db, asked.contactId)).toHaveLength(0);
  });

  it('waits out quiet hours and skips closed appeals and cancelled visits', async () => {
    const night = await familyWithAppeal(t.db, 'fu-night', CREATED);
    // Agreed for 20:30; the job runs late, at 22:00: it waits until 08:00 instead of writing at night.
    await setAgreedFollowUp(t.db, night.appealId, local('2026-11-30 20:30'), 'web:dispatcher', CREATED);
    const closed = await visited('fu-closed', local('2026-11-24 10:00'));
    await t.db.updateTable('appeals').set({ status: 'closed' }).where('id', '=', closed.appealId).execute();
    const cancelled = await visited('fu-cancelled', local('2026-11-24 11:00'));
    await t.db
      .updateTable('bookings')
      .set({ status: 'cancelled' })
      .where('appeal_id', '=', cancelled.appealId)
      .execute();

    now = local('2026-12-01 22:00');
    const s = scheduler(uniquePrefix());
    await s.start();
    for (const id of [night.appealId, closed.appealId, cancelled.appealId]) await s.scheduleFollowUp(id, now);
    const nightJob = jobIds.followUp(night.appealId);
    await waitFor(async () => ran(nightJob) === 1);
    await waitFor(async () => (await s.followUpQueue.getJob(nightJob))?.isDelayed() ?? false);
    const job = await s.followUpQueue.getJob(nightJob);
    // Moved to 08:00 the next morning (10 hours), not failed.
    expect(job?.delay).toBeGreaterThan(9.9 * 3600_000);
    expect(job?.delay).toBeLessThanOrEqual(10 * 3600_000);
    expect(await sentTo(t.db, night.contactId)).toHaveLength(0);
    expect((await getAppeal(t.db, night.appealId))?.follow_up_sent_at).toBeNull();

    await waitFor(async () => ran(jobIds.followUp(cancelled.appealId)) === 1);
    await waitFor(async () => ran(jobIds.followUp(closed.appealId)) === 1);
    expect(await sentTo(t.db, closed.contactId)).toHaveLength(0);
    expect(await sentTo(t.db, cancelled.contactId)).toHaveLength(0);
    // The cancelled visit's follow-up is dropped, so reconciliation does not bring it back.
    expect((await getAppeal(t.db, cancelled.appealId))?.follow_up_at).toBeNull();
  });

  it('reminds about an unfinished survey once, with the next unanswered question; reconciled after a wipe', async () => {
    const family = await familyWithAppeal(t.db, 'survey-reminder', CREATED);
    await t.db.updateTable('appeals').set({ status: 'closed' }).where('id', '=', family.appealId).execute();
    const sentAt = local('2026-11-24 10:00');
    const survey = await createSurvey(t.db, family.appealId, family.contactId, sentAt);
    expect(await recordAnswer(t.db, survey.id, 2, 'yes', sentAt)).toEqual({ ok: true });
    const due = surveyReminderMoment(sentAt, center);
    expect(due).toEqual(local('2026-11-26 10:00'));
    const jobId = jobIds.surveyReminder(survey.id);

    // Scheduled when sent; Redis then loses it; start-up reconciliation brings it back.
    const prefix = uniquePrefix();
    now = sentAt;
    const before = scheduler(prefix, false);
    await before.scheduleSurveyReminder(survey.id, due);
    expect((await before.followUpQueue.getJob(jobId))?.opts.delay).toBe(48 * 3600_000);
    await before.close();
    schedulers.splice(schedulers.indexOf(before), 1);
    await wipePrefix(prefix);

    now = new Date(due.getTime() - SOON_MS);
    const s = scheduler(prefix);
    await s.start();
    now = due;
    expect((await s.followUpQueue.getJob(jobId))?.id).toBe(jobId);
    await waitFor(async () => ran(jobId) === 1);
    const sent = await sentTo(t.db, family.contactId);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.text).toContain(`Напоминаем об опросе по обращению № ${family.number}`);
    expect(sent[1]?.text).toContain('Удовлетворены ли Вы качеством предоставляемых услуг?');
    expect((await getSurvey(t.db, survey.id))?.reminded_at).not.toBeNull();

    // Exactly one: the job again, and reconciliation, change nothing.
    await waitFor(async () => (await s.followUpQueue.getJob(jobId)) === undefined);
    await s.scheduleSurveyReminder(survey.id, due);
    await waitFor(async () => ran(jobId) === 2);
    expect(await sentTo(t.db, family.contactId)).toHaveLength(2);
    await s.reconcile();
    expect(await s.followUpQueue.getJob(jobId)).toBeUndefined();
  });

  it('does not remind a completed survey, nor one of a family that deleted its data', async () => {
    const done = await familyWithAppeal(t.db, 'survey-done', CREATED);
    const sentAt = local('2026-11-24 11:00');
    const survey = await createSurvey(t.db, done.appealId, done.contactId, sentAt);
    await t.db.updateTable('surveys').set({ completed_at: sentAt }).where('id', '=', survey.id).execute();
    const gone = await familyWithAppeal(t.db, 'survey-gone', CREATED);
    const goneSurvey = await createSurvey(t.db, gone.appealId, gone.contactId, sentAt);
    await t.db
      .updateTable('appeals')
      .set({ contact_id: null, anonymized_at: sentAt })
      .where('id', '=', gone.appealId)
      .execute();
    now = new Date(surveyReminderMoment(sentAt, center).getTime() + 60_000);
    expect(await handler('surveyReminder', survey.id)).toBeUndefined();
    expect(await handler('surveyReminder', goneSurvey.id)).toBeUndefined();
    expect(await sentTo(t.db, done.contactId)).toHaveLength(0);
    expect(await sentTo(t.db, gone.contactId)).toHaveLength(0);
    // Too early: the job waits for its time.
    now = sentAt;
    const fresh = await familyWithAppeal(t.db, 'survey-fresh', CREATED);
    const freshSurvey = await createSurvey(t.db, fresh.appealId, fresh.contactId, sentAt);
    expect(await handler('surveyReminder', freshSurvey.id)).toEqual({
      postponeUntil: surveyReminderMoment(sentAt, center),
    });
  });
});
