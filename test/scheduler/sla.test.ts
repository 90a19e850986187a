import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppealDraft } from '../../domain/appeal.ts';
import { jobIds } from '../../scheduler/jobs.ts';
import { checkEvictionPolicy } from '../../scheduler/redis.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { createAppeal, getAppeal } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, waitFor, wipePrefix } from '../support/redis.ts';

const draft: AppealDraft = {
  fullName: 'Иванова Мария Петровна',
  address: 'г. Белово, ул. Маркса, 2',
  maritalStatus: 'married',
  minorChildren: 1,
  birthDate: '1990-01-01',
  phone: '+79131234567',
  purpose: 'psychologist',
  contactMode: 'phone',
  callMode: 'callback_asap',
};

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('SLA scheduler against real Redis', () => {
  let t: TestDatabase;
  const schedulers: Scheduler[] = [];
  let contactId: number;
  let consentId: number;

  beforeAll(async () => {
    t = await engine.create();
    contactId = (await upsertContact(t.db, 'web', 'sla', new Date())).id;
    consentId = await recordConsent(t.db, {
      contactId,
      channel: 'web',
      version: 'v',
      granted: true,
      at: new Date(),
    });
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.close();
  });
  afterAll(async () => {
    await t.drop();
  });

  function scheduler(prefix: string, onOverdue?: (id: number) => void) {
    const s = new Scheduler({ redisUrl: REDIS_URL, prefix, db: t.db, logger: silentLogger, onOverdue });
    schedulers.push(s);
    return s;
  }

  async function appealDueIn(ms: number) {
    const due = new Date(Date.now() + ms).toISOString();
    return createAppeal(t.db, {
      contactId,
      consentId,
      channel: 'web',
      draft: { ...draft, callbackDueAt: due },
      now: new Date(),
    });
  }

  it('flags an appeal overdue when the callback deadline passes', async () => {
    const overdue: number[] = [];
    const s = scheduler(uniquePrefix(), (id) => overdue.push(id));
    await s.start();
    const appeal = await appealDueIn(400);
    await s.scheduleCallbackDeadline(appeal.id, appeal.callbackDueAt as Date);
    expect((await getAppeal(t.db, appeal.id))?.overdue_at).toBeNull();
    await waitFor(async () => (await getAppeal(t.db, appeal.id))?.overdue_at != null);
    expect(overdue).toEqual([appeal.id]);
  });

  it('does not flag an appeal a dispatcher already took', async () => {
    const overdue: number[] = [];
    const s = scheduler(uniquePrefix(), (id) => overdue.push(id));
    await s.start();
    const appeal = await appealDueIn(200);
    await t.db.updateTable('appeals').set({ status: 'in_work' }).where('id', '=', appeal.id).execute();
    await s.scheduleCallbackDeadline(appeal.id, appeal.callbackDueAt as Date);
    // The job ran (completed jobs are removed) and found nothing to flag.
    await waitFor(async () => (await s.queue.getJob(jobIds.callbackDeadline(appeal.id))) === undefined, 5000);
    expect((await getAppeal(t.db, appeal.id))?.overdue_at).toBeNull();
    expect(overdue).toEqual([]);
  });

  it('uses deterministic job ids: scheduling twice keeps one job', async () => {
    const s = scheduler(uniquePrefix());
    const appeal = await appealDueIn(60_000);
    await s.scheduleCallbackDeadline(appeal.id, appeal.callbackDueAt as Date);
    await s.scheduleCallbackDeadline(appeal.id, appeal.callbackDueAt as Date);
    const delayed = await s.queue.getDelayed();
    expect(delayed.map((job) => job.id)).toEqual([jobIds.callbackDeadline(appeal.id)]);
    const delay = delayed[0]?.opts.delay ?? 0;
    expect(delay).toBeGreaterThan(55_000);
    expect(delay).toBeLessThanOrEqual(60_000);
  });

  it('reconciles jobs from the database after Redis lost them', async () => {
    const prefix = uniquePrefix();
    const before = scheduler(prefix);
    const appeal = await appealDueIn(600);
    await before.scheduleCallbackDeadline(appeal.id, appeal.callbackDueAt as Date);
    await before.close();
    schedulers.splice(schedulers.indexOf(before), 1);
    expect(await wipePrefix(prefix)).toBeGreaterThan(0); // Redis restarted without persistence

    const after = scheduler(prefix);
    const { reconciled } = await after.start();
    expect(reconciled).toBeGreaterThanOrEqual(1);
    expect((await after.queue.getJob(jobIds.callbackDeadline(appeal.id)))?.id).toBe(
      jobIds.callbackDeadline(appeal.id),
    );
    await waitFor(async () => (await getAppeal(t.db, appeal.id))?.overdue_at != null);
  });

  it('nudges dispatchers 30 minutes before the deadline, and escalates when it is missed', async () => {
    const events: Array<[string, number]> = [];
    const s = scheduler(uniquePrefix());
    s.onSla(async (kind, appealId) => {
      events.push([kind, appealId]);
    });
    await s.start();
    // Due in 30 min + 300 ms: the nudge comes in ~300 ms; the deadline itself is far away.
    const waiting = await appealDueIn(30 * 60_000 + 300);
    const taken = await appealDueIn(30 * 60_000 + 300);
    await t.db.updateTable('appeals').set({ status: 'in_work' }).where('id', '=', taken.id).execute();
    await s.scheduleCallbackDeadline(waiting.id, waiting.callbackDueAt as Date);
    await s.scheduleCallbackDeadline(taken.id, taken.callbackDueAt as Date);
    await waitFor(async () => (await s.queue.getJob(jobIds.callbackDueSoon(taken.id))) === undefined);
    await waitFor(async () => events.length >= 1);
    expect(events).toEqual([['dueSoon', waiting.id]]);
    // The missed deadline of another appeal is escalated.
    const late = await appealDueIn(200);
    await s.scheduleCallbackDeadline(late.id, late.callbackDueAt as Date);
    await waitFor(async () => events.some(([kind, id]) => kind === 'overdue' && id === late.id));
  });

  it('rejects malformed job data instead of acting on it', async () => {
    const s = scheduler(uniquePrefix());
    await s.start();
    const job = await s.queue.add('callback-deadline', { appealId: 'x' }, { attempts: 1 });
    await waitFor(async () => (await job.getState()) === 'failed');
    expect((await s.queue.getJob(job.id as string))?.failedReason).toMatch(/appealId|number/i);
  });
});

describe('Redis eviction policy check', () => {
  it('passes quietly on noeviction and shouts otherwise', async () => {
    const redis = new Redis(REDIS_URL);
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const original = ((await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[])[1] ?? 'noeviction';
    try {
      await redis.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      expect(await checkEvictionPolicy(redis, logger)).toBe('noeviction');
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      await redis.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
      expect(await checkEvictionPolicy(redis, logger)).toBe('allkeys-lru');
      expect(lines.some((l) => l.level >= 50 && l.msg.includes('noeviction'))).toBe(true);
    } finally {
      await redis.call('CONFIG', 'SET', 'maxmemory-policy', original);
      await redis.quit();
    }
  });
});
