import { Api } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VK } from 'vk-io';
import { TelegramSender } from '../../adapters/telegram/sender.ts';
import { randomIdFor, VkSender } from '../../adapters/vk/sender.ts';
import { type ChannelSender, DeliveryError } from '../../bot/delivery.ts';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { Broadcaster, type BroadcasterOptions, broadcastJobId } from '../../scheduler/broadcasts.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { upsertContact } from '../../storage/contacts.ts';
import type { Db } from '../../storage/db.ts';
import { messagesAfter } from '../../storage/messages.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { FakeTelegram, maxInWindow } from '../support/fake-telegram.ts';
import { FakeVk } from '../support/fake-vk.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, waitFor, wipePrefix } from '../support/redis.ts';

/** The value, or a failed test when it is missing. */
function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}

const engine = must(ENGINES[0]);

const TEXT = 'План мероприятий на декабрь: 3 декабря — выездной приём в Грамотеино.';

/** Counts what one broadcaster (one "process") sent, to show the work really was shared. */
class CountingSender implements ChannelSender {
  sends = 0;
  /** When each send was started, and when a 429 answer came back (the client's view). */
  readonly starts: number[] = [];
  rateLimitedAt: number | undefined;
  constructor(private readonly inner: ChannelSender) {}
  get channel() {
    return this.inner.channel;
  }
  parts(...args: Parameters<ChannelSender['parts']>) {
    return this.inner.parts(...args);
  }
  async send(...args: Parameters<ChannelSender['send']>) {
    this.sends++;
    this.starts.push(Date.now());
    try {
      await this.inner.send(...args);
    } catch (error) {
      if (error instanceof DeliveryError && error.failure.kind === 'retry-after')
        this.rateLimitedAt = Date.now();
      throw error;
    }
  }
}

/** `count` subscribers of a settlement on a channel; their external ids start at `firstId`. */
async function subscribers(db: Db, channel: string, count: number, firstId: number, settlement = 'belovo') {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const contact = await upsertContact(db, channel, String(firstId + i), new Date());
    await db.insertInto('outreach_subscriptions').values({ contact_id: contact.id, settlement }).execute();
    ids.push(contact.id);
  }
  return ids;
}

/** Successful sends per chat id. */
function perChat(fake: FakeTelegram): Map<number, number> {
  const counts = new Map<number, number>();
  for (const payload of fake.sent())
    counts.set(Number(payload.chat_id), (counts.get(Number(payload.chat_id)) ?? 0) + 1);
  return counts;
}

describe('maxInWindow (how the fake counts a sliding second)', () => {
  it('counts arrivals in any half-open window, wherever it starts', () => {
    expect(maxInWindow([], 1000)).toBe(0);
    expect(maxInWindow([0, 999, 1000, 1500, 1999], 1000)).toBe(3);
    expect(maxInWindow([1000, 0, 10, 500, 999], 1000)).toBe(4);
    expect(maxInWindow([5, 0, 3000, 10], 1000)).toBe(3);
    expect(maxInWindow([0, 1000, 2000], 1000)).toBe(1);
  });
});

describe('broadcasts', () => {
  let t: TestDatabase;
  let fake: FakeTelegram | undefined;
  let fakeVk: FakeVk | undefined;
  let prefix: string;
  const broadcasters: Broadcaster[] = [];

  const tg = () => must(fake);

  // A fresh database (slow to create on a busy machine, hence the long hook timeout), fake and Redis prefix.
  beforeEach(async () => {
    t = await engine.create();
    fake = await FakeTelegram.start();
    prefix = uniquePrefix();
  }, 120_000);

  function telegramSender(): CountingSender {
    if (!fake) throw new Error('no fake');
    return new CountingSender(
      new TelegramSender(new Api(fake.token, { apiRoot: fake.apiRoot }), new Translator()),
    );
  }

  async function broadcaster(options: Partial<BroadcasterOptions> = {}, start = true): Promise<Broadcaster> {
    const made = new Broadcaster({
      redisUrl: REDIS_URL,
      prefix,
      db: t.db,
      logger: silentLogger,
      senders: [telegramSender()],
      backoffMs: 100,
      ...options,
    });
    broadcasters.push(made);
    if (start) await made.start();
    return made;
  }

  async function finished(b: Broadcaster, id: number, timeoutMs = 60_000) {
    await waitFor(async () => (await b.progress(id))?.status === 'finished', timeoutMs);
    return must(await b.progress(id));
  }

  afterEach(async () => {
    for (const b of broadcasters.splice(0)) await b.close({ force: true }).catch(() => {});
    await fake?.close();
    await fakeVk?.close();
    fake = undefined;
    fakeVk = undefined;
    await wipePrefix(prefix);
    await t.drop();
  }, 60_000);

  it('two workers share one limiter: no second ever sees more than 30 messages, each family gets one', async () => {
    const ids = await subscribers(t.db, 'telegram', 120, 5000);
    const senderA = telegramSender();
    const senderB = telegramSender();
    const a = await broadcaster({ senders: [senderA] });
    const b = await broadcaster({ senders: [senderB] });
    const created = must(await a.create({ createdBy: 'dispatcher', segment: { all: true }, text: TEXT }));
    expect(created).toMatchObject({ total: 120, pending: 120, status: 'running' });
    const progress = await finished(b, created.id);
    expect(progress).toMatchObject({ sent: 120, blocked: 0, failed: 0, pending: 0 });
    // The gate admits ≤ 30 per 1040 ms by Redis's clock. Arrivals at the in-process fake carry the event loop's
    // jitter, so the check leaves it 70 ms each side: a broken limiter (bursts, 60 a second) still fails it.
    expect(tg().maxInWindow('sendMessage', 900)).toBeLessThanOrEqual(30);
    const counts = perChat(tg());
    expect(counts.size).toBe(120);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(tg().callsOf('sendMessage')).toHaveLength(120);
    // Both "processes" did part of the work.
    expect(senderA.sends).toBeGreaterThan(10);
    expect(senderB.sends).toBeGreaterThan(10);
    expect(senderA.sends + senderB.sends).toBe(120);
    // The message is in every family's transcript, as already delivered.
    const transcript = await messagesAfter(t.db, must(ids[7]), 0);
    expect(transcript.map((m) => m.body.text)).toEqual([TEXT]);
    const pending = await t.db.selectFrom('messages').select('id').where('status', '=', 'pending').execute();
    expect(pending).toHaveLength(0);
  }, 90_000);

  it('honours 429 retry_after: no call reaches Telegram during the pause, then everyone gets it once', async () => {
    await subscribers(t.db, 'telegram', 10, 6000);
    tg().failNext('sendMessage', { kind: 'rateLimit', retryAfter: 2 });
    const sender = telegramSender();
    const b = await broadcaster({ senders: [sender] });
    const created = must(await b.create({ createdBy: 'dispatcher', segment: { all: true }, text: TEXT }));
    await finished(b, created.id);
    const calls = tg().callsOf('sendMessage');
    expect(calls.findIndex((call) => call.fault?.kind === 'rateLimit')).toBe(0);
    // Sends started before the 429 answer came back were already on their way (as with any pipelined
    // sender); once it is handled (the pause is one Redis write away) none starts until retry_after is over.
    const answered = must(sender.rateLimitedAt);
    const duringPause = sender.starts.filter((start) => start >= answered + 50 && start < answered + 1990);
    expect(duringPause).toHaveLength(0);
    expect(sender.starts.filter((start) => start < answered).length).toBeLessThanOrEqual(4);
    expect(calls).toHaveLength(11);
    expect([...perChat(tg()).values()]).toEqual(Array(10).fill(1));
  }, 90_000);

  it('403: the family is marked inactive and not tried again; the rest are sent', async () => {
    const ids = await subscribers(t.db, 'telegram', 6, 7000);
    tg().blockChat(7001);
    tg().failNext('sendMessage', { kind: 'deactivated' });
    const b = await broadcaster();
    const created = must(await b.create({ createdBy: 'dispatcher', segment: { all: true }, text: TEXT }));
    const progress = await finished(b, created.id);
    expect(progress).toMatchObject({ total: 6, sent: 4, blocked: 2, failed: 0, pending: 0 });
    expect(tg().callsOf('sendMessage')).toHaveLength(6);
    const inactive = await t.db.selectFrom('contacts').select('id').where('active', '=', false).execute();
    expect(inactive.map((row) => row.id).sort()).toEqual([ids[0], ids[1]].sort());
    const rows = await t.db
      .selectFrom('broadcast_recipients')
      .select(['contact_id', 'status', 'error', 'attempts'])
      .where('status', '=', 'blocked')
      .execute();
    expect(rows.every((row) => row.error === 'blocked' && row.attempts === 1)).toBe(true);
  }, 90_000);

  it('a worker killed mid-broadcast: a new one finishes it, every family exactly once', async () => {
    await subscribers(t.db, 'telegram', 60, 8000);
    const crashy = { stalledIntervalMs: 300, lockDurationMs: 600, claimLeaseMs: 600 };
    const a = await broadcaster(crashy);
    const created = must(await a.create({ createdBy: 'dispatcher', segment: { all: true }, text: TEXT }));
    await waitFor(async () => must(await a.progress(created.id)).sent >= 20, 10_000, 5);
    await a.close({ force: true });
    const sentBefore = must(await a.progress(created.id)).sent;
    expect(sentBefore).toBeLessThan(60);
    // A new process: it resumes the running broadcast from the database.
    const b = await broadcaster(crashy, false);
    const { resumed } = await b.start();
    expect(resumed).toBeGreaterThan(0);
    const progress = await finished(b, created.id);
    expect(progress).toMatchObject({ sent: 60, pending: 0 });
    const counts = perChat(tg());
    expect(counts.size).toBe(60);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // The gate admits ≤ 30 per 1040 ms by Redis's clock. Arrivals at the in-process fake carry the event loop's
    // jitter, so the check leaves it 70 ms each side: a broken limiter (bursts, 60 a second) still fails it.
    expect(tg().maxInWindow('sendMessage', 900)).toBeLessThanOrEqual(30);
  }, 90_000);

  it('a redelivered job does not send again; a transient failure is retried and sent once', async () => {
    const ids = await subscribers(t.db, 'telegram', 3, 9000);
    tg().failNext('sendMessage', { kind: 'serverError' });
    const b = await broadcaster();
    const created = must(await b.create({ createdBy: 'dispatcher', segment: { all: true }, text: TEXT }));
    const progress = await finished(b, created.id);
    expect(progress).toMatchObject({ sent: 3, failed: 0 });
    expect(tg().callsOf('sendMessage')).toHaveLength(4);
    // The same job again (a redelivery after a lost acknowledgement), and a restart's resume.
    const queue = must(b.queue('telegram'));
    await queue.add(
      'broadcast',
      { broadcastId: created.id, contactId: ids[0] },
      { jobId: broadcastJobId(created.id, must(ids[0])), removeOnComplete: true },
    );
    expect(await b.resume()).toBe(0);
    await waitFor(async () => {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    });
    expect(tg().callsOf('sendMessage')).toHaveLength(4);
    expect([...perChat(tg()).values()]).toEqual([1, 1, 1]);
  }, 90_000);

  it('a text in several parts: each part once, at least a second apart in the same chat', async () => {
    const ids = await subscribers(t.db, 'telegram', 2, 11_000);
    const long = `${'Абзац плана. '.repeat(400)}\n\n${'Второй абзац. '.repeat(100)}`;
    const b = await broadcaster();
    const created = must(await b.create({ createdBy: 'dispatcher', segment: { all: true }, text: long }));
    await finished(b, created.id);
    for (const chatId of [11_000, 11_001]) {
      const calls = tg()
        .callsOf('sendMessage')
        .filter((call) => Number(call.payload.chat_id) === chatId);
      expect(calls.map((call) => call.ok)).toEqual([true, true]);
      expect(must(calls[1]).at - must(calls[0]).at).toBeGreaterThanOrEqual(1000);
      const squeeze = (text: string) => text.replace(/\s+/g, '');
      expect(squeeze(calls.map((call) => call.payload.text).join(''))).toBe(squeeze(long));
    }
    const rows = await t.db.selectFrom('broadcast_recipients').select(['parts_sent', 'status']).execute();
    expect(rows).toEqual([
      { parts_sent: 2, status: 'sent' },
      { parts_sent: 2, status: 'sent' },
    ]);
    expect((await messagesAfter(t.db, must(ids[0]), 0)).map((m) => m.body.text)).toEqual([long]);
  }, 90_000);

  it('VK: at most 20 requests a second, each with a random_id from the ledger key', async () => {
    fakeVk = await FakeVk.start();
    const vk = new VK({
      token: fakeVk.token,
      apiBaseUrl: fakeVk.apiBaseUrl,
      pollingGroupId: fakeVk.groupId,
      agent: fakeVk.agent,
      apiLimit: 20,
      apiRetryLimit: 0,
    });
    await subscribers(t.db, 'vk', 50, 100_000);
    fakeVk.denyMessages(100_003);
    const b = await broadcaster({ senders: [new VkSender(vk)] });
    const created = must(await b.create({ createdBy: 'dispatcher', segment: { all: true }, text: TEXT }));
    const progress = await finished(b, created.id);
    expect(progress).toMatchObject({ sent: 49, blocked: 1 });
    const calls = fakeVk.callsOf('messages.send');
    expect(calls).toHaveLength(50);
    const times = calls.map((call) => call.at).sort((x, y) => x - y);
    let most = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (must(times[j]) - must(times[i]) >= 1000) i++;
      most = Math.max(most, j - i + 1);
    }
    expect(most).toBeLessThanOrEqual(20);
    const contactOf = new Map(
      (await t.db.selectFrom('contacts').select(['id', 'external_id']).execute()).map((c) => [
        c.external_id,
        c.id,
      ]),
    );
    for (const call of calls) {
      const contactId = contactOf.get(String(call.params.peer_id));
      expect(Number(call.params.random_id)).toBe(randomIdFor(`bc${created.id}-${contactId}-0`));
    }
    expect(fakeVk.duplicatesSuppressed).toBe(0);
    expect(fakeVk.sent()).toHaveLength(49);
  }, 90_000);

  it('web chat subscribers get the broadcast in their transcript; a segment picks settlements', async () => {
    const center = await loadBelovo();
    const runtime = new Runtime({
      db: t.db,
      center,
      translator: new Translator(),
      scheduler: noScheduler,
      logger: silentLogger,
    });
    const web = await subscribers(t.db, 'web', 3, 1, 'gramoteino');
    await subscribers(t.db, 'web', 2, 100, 'belovo');
    const telegram = await subscribers(t.db, 'telegram', 2, 10_000, 'gramoteino');
    const b = await broadcaster({ runtime });
    const created = must(
      await b.create({
        createdBy: 'dispatcher',
        segment: { settlements: ['gramoteino'] },
        text: TEXT,
      }),
    );
    expect(created.total).toBe(5);
    await finished(b, created.id);
    for (const contactId of [...web, ...telegram]) {
      expect((await messagesAfter(t.db, contactId, 0)).map((m) => m.body.text)).toEqual([TEXT]);
    }
    expect(tg().sent()).toHaveLength(2);
    expect(
      await b.create({ createdBy: 'dispatcher', segment: { settlements: ['nowhere'] }, text: TEXT }),
    ).toBe(undefined);
  }, 90_000);

  it('cancel stops a running broadcast; the rest stay pending', async () => {
    await subscribers(t.db, 'telegram', 200, 20_000);
    const b = await broadcaster();
    const created = must(await b.create({ createdBy: 'dispatcher', segment: { all: true }, text: TEXT }));
    await waitFor(async () => must(await b.progress(created.id)).sent >= 5, 10_000, 5);
    const cancelled = await b.cancel(created.id);
    expect(cancelled?.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 500));
    const after = must(await b.progress(created.id));
    expect(after.sent).toBeLessThan(40);
    expect(after.pending).toBe(200 - after.sent);
    expect(tg().sent()).toHaveLength(after.sent);
  }, 90_000);
});
