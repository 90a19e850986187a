import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Api } from 'grammy';
import { pino } from 'pino';
import { TelegramSender } from '../adapters/telegram/sender.ts';
import { Translator } from '../bot/i18n.ts';
import { Broadcaster, CHANNEL_LIMITS } from '../scheduler/broadcasts.ts';
import { migrateToLatest, openDatabase } from '../storage/db.ts';
import { maxInWindow } from '../test/support/fake-telegram.ts';
import { RemoteFakeTelegram } from './fake-telegram-process.ts';

/**
 * A staff broadcast to SUBSCRIBERS Telegram families against the fake Bot API on loopback, sent by WORKERS
 * Broadcaster instances (standing in for worker processes: they share only Redis and the database), with a
 * few 429s injected along the way. Reports the achieved rate against Telegram's 30 messages a second, the
 * most messages that reached the fake in any sliding second, and delivered / duplicate / lost counts.
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); uses its own key prefix and removes it after.
 */
const SUBSCRIBERS = Number(process.env.BENCH_BC_SUBSCRIBERS ?? 10_000);
const WORKERS = Number(process.env.BENCH_BC_WORKERS ?? 2);
const RATE_LIMITS = Number(process.env.BENCH_BC_429 ?? 2);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CAP = 30;
const FIRST_CHAT = 1_000_000;

export async function broadcastBench(): Promise<boolean> {
  const logger = pino({ level: 'silent' });
  const db = await openDatabase(
    process.env.DATABASE_URL ? { kind: 'postgres', url: process.env.DATABASE_URL } : { kind: 'pglite' },
  );
  await migrateToLatest(db);
  // The fake runs in its own process: its clock then counts arrivals the way Telegram would.
  const fake = await RemoteFakeTelegram.start();
  const prefix = `bench-bc-${process.pid}-${Date.now()}`;

  for (let start = 0; start < SUBSCRIBERS; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, SUBSCRIBERS - start) }, (_, i) => ({
      channel: 'telegram',
      external_id: String(FIRST_CHAT + start + i),
      last_seen_at: new Date(),
    }));
    const contacts = await db.insertInto('contacts').values(batch).returning('id').execute();
    await db
      .insertInto('outreach_subscriptions')
      .values(contacts.map((contact) => ({ contact_id: contact.id, settlement: 'belovo' })))
      .execute();
  }

  // When each send left (right after the send gate let it through), to tell our pacing from the jitter of
  // the way to the server.
  const departures: number[] = [];
  const telegramSender = () => {
    const inner = new TelegramSender(new Api(fake.token, { apiRoot: fake.apiRoot }), new Translator());
    return {
      channel: inner.channel,
      parts: inner.parts.bind(inner),
      send: (...args: Parameters<TelegramSender['send']>) => {
        departures.push(Date.now());
        return inner.send(...args);
      },
    };
  };
  const broadcasters = Array.from(
    { length: WORKERS },
    () =>
      new Broadcaster({
        redisUrl: REDIS_URL,
        prefix,
        db,
        logger,
        limits: limitsFromEnv(),
        senders: [telegramSender()],
      }),
  );
  for (const broadcaster of broadcasters) await broadcaster.start();
  const [first] = broadcasters;
  if (!first) throw new Error('BENCH_BC_WORKERS must be at least 1');

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const created = await first.create({
    createdBy: 'bench',
    segment: { all: true },
    text: 'План мероприятий центра на месяц: выездные приёмы, консультации юриста и психолога.',
  });
  if (!created) throw new Error('no recipients');
  // A few 429s spread over the run, as Telegram gives them under load.
  const expectedSeconds = SUBSCRIBERS / CAP;
  const injections = Array.from({ length: RATE_LIMITS }, (_, i) =>
    setTimeout(
      () => fake.failNext('sendMessage', { kind: 'rateLimit', retryAfter: 1 }),
      ((i + 1) * expectedSeconds * 1000) / (RATE_LIMITS + 1),
    ),
  );
  let progress = created;
  let lastReport = 0;
  while (progress.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 500));
    progress = (await first.progress(created.id)) ?? progress;
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      console.error(
        `broadcast: ${progress.sent}/${progress.total} sent, ${progress.messagesPerSecond} msg/s`,
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const timer of injections) clearTimeout(timer);

  const seen = await fake.report();
  const delivered = new Map<string, number>();
  for (const chatId of seen.okChatIds) delivered.set(chatId, (delivered.get(chatId) ?? 0) + 1);
  const okSends = [...delivered.values()].reduce((sum, n) => sum + n, 0);
  const rateLimited = seen.rateLimited;
  const pausedSeconds = rateLimited * 1; // retry_after 1 s each
  const times = seen.sendTimes;
  const span = times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : seconds;
  const rate = okSends / span;
  const report = {
    subscribers: SUBSCRIBERS,
    workers: WORKERS,
    injected429: rateLimited,
    seconds: Number(seconds.toFixed(1)),
    achievedMsgPerSecond: Number(rate.toFixed(2)),
    capMsgPerSecond: CAP,
    shareOfCapPercent: Number(((rate / CAP) * 100).toFixed(1)),
    shareOfCapExcludingPausesPercent: Number(((okSends / (span - pausedSeconds) / CAP) * 100).toFixed(1)),
    maxInAnySlidingSecond: maxInWindow(times, 1000),
    maxInAnySlidingSecondAtDeparture: maxInWindow(departures, 1000),
    delivered: delivered.size,
    duplicates: okSends - delivered.size,
    lost: SUBSCRIBERS - delivered.size,
    // This process's CPU (workers, database, fake server) per message: on a busy machine what caps the rate
    // is how much CPU the process gets, compared with what 30 messages a second need.
    cpuMsPerMessage: Number(((cpu.user + cpu.system) / 1000 / Math.max(1, okSends)).toFixed(2)),
    cpuShareOfOneCore: Number(((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)),
    loadAverage: os.loadavg().map((n) => Number(n.toFixed(1))),
    ledger: {
      sent: progress.sent,
      blocked: progress.blocked,
      failed: progress.failed,
      pending: progress.pending,
    },
  };
  console.log(JSON.stringify({ broadcast: report }, null, 2));

  for (const broadcaster of broadcasters) await broadcaster.close();
  await fake.close();
  await db.destroy();
  await wipe(prefix);
  // The bar: ≥ 95 % of the cap, nothing duplicated, nothing lost. The sliding-window maximum is reported
  // beside it: the gate admits at most 30 per 1040 ms by Redis's clock, and only an event-loop stall of more
  // than 40 ms between the gate and the socket can bunch 31 arrivals into one second (Telegram answers that
  // with a 429, which every worker honours).
  if (report.maxInAnySlidingSecond > CAP) {
    console.error(
      `note: ${report.maxInAnySlidingSecond} messages arrived within one sliding second (cap ${CAP}): send jitter`,
    );
  }
  return report.duplicates === 0 && report.lost === 0 && report.shareOfCapPercent >= 95;
}

/** BENCH_BC_JOBS / BENCH_BC_INTERVAL_MS try other BullMQ pacing than the production one. */
function limitsFromEnv() {
  const telegram = CHANNEL_LIMITS.telegram;
  if (!telegram) throw new Error('no Telegram limits');
  return {
    ...CHANNEL_LIMITS,
    telegram: {
      ...telegram,
      jobsPerInterval: Number(process.env.BENCH_BC_JOBS ?? telegram.jobsPerInterval),
      intervalMs: Number(process.env.BENCH_BC_INTERVAL_MS ?? telegram.intervalMs),
    },
  };
}

async function wipe(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

// Runnable alone: `npx tsx bench/broadcast.ts`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!(await broadcastBench())) process.exit(1);
}
