import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Translator } from '../bot/i18n.ts';
import { Runtime } from '../bot/runtime.ts';
import { loadCenterProfile } from '../config/center.ts';
import type { UserEvent } from '../flows/types.ts';
import { noScheduler } from '../scheduler/scheduler.ts';
import { migrateToLatest, openDatabase } from '../storage/db.ts';
import { bookingBench } from './booking.ts';
import { broadcastBench } from './broadcast.ts';
import { nluBench } from './nlu.ts';
import { telegramBench } from './telegram.ts';

/**
 * `npm run bench`: how fast the channel-neutral runtime takes families through the whole intake
 * (17 updates each, every one a full transaction) on the embedded database, and what it costs in memory.
 * Set DATABASE_URL to measure against PostgreSQL instead. Channel, booking and broadcast benchmarks follow.
 */
const FAMILIES = Number(process.env.BENCH_FAMILIES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);

const SCRIPT: UserEvent[] = [
  { type: 'start' },
  { type: 'button', payload: 'menu:intake' },
  { type: 'button', payload: 'story:skip' },
  { type: 'button', payload: 'consent:yes' },
  { type: 'text', text: 'Иванова Мария Петровна' },
  { type: 'text', text: 'пгт Грамотеино, ул. Светлая, 6' },
  { type: 'text', text: 'в браке' },
  { type: 'button', payload: 'children:3' },
  { type: 'text', text: '05.03.1988' },
  { type: 'text', text: '+7 913 123-45-67' },
  { type: 'button', payload: 'purpose:lawyer' },
  { type: 'button', payload: 'need:skip' },
  { type: 'button', payload: 'format:phone' },
  { type: 'button', payload: 'callMode:callback_asap' },
  { type: 'button', payload: 'confirm:submit' },
  { type: 'button', payload: 'menu:contacts' },
];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main() {
  const db = await openDatabase(
    process.env.DATABASE_URL ? { kind: 'postgres', url: process.env.DATABASE_URL } : { kind: 'pglite' },
  );
  await migrateToLatest(db);
  const center = await loadCenterProfile('config/centers/belovo.yaml');
  const runtime = new Runtime({
    db,
    center,
    translator: new Translator(),
    scheduler: noScheduler,
    logger: pino({ level: 'silent' }),
  });

  const latencies: number[] = [];
  let failed = 0;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  let next = 0;
  async function family() {
    while (next < FAMILIES) {
      const externalId = `bench-${next++}`;
      for (const event of SCRIPT) {
        const t0 = performance.now();
        const result = await runtime.handle({ channel: 'web', externalId, updateId: randomUUID(), event });
        latencies.push(performance.now() - t0);
        if (result.status !== 'processed') failed++;
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, family));
  const seconds = (performance.now() - started) / 1000;
  const appeals = await db
    .selectFrom('appeals')
    .select(db.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  latencies.sort((a, b) => a - b);
  const report = {
    engine: process.env.DATABASE_URL ? 'postgres' : 'pglite (in memory)',
    families: FAMILIES,
    concurrency: CONCURRENCY,
    updates: latencies.length,
    failed,
    appealsStored: Number(appeals.n),
    updatesPerSecond: Math.round(latencies.length / seconds),
    intakesPerSecond: Number((FAMILIES / seconds).toFixed(1)),
    latencyMs: {
      p50: percentile(latencies, 50).toFixed(1),
      p99: percentile(latencies, 99).toFixed(1),
      max: (latencies.at(-1) ?? 0).toFixed(1),
    },
    rssMiB: {
      before: Math.round(rssBefore / 2 ** 20),
      after: Math.round(process.memoryUsage().rss / 2 ** 20),
    },
  };
  console.log(JSON.stringify(report, null, 2));
  await db.destroy();
  if (failed > 0 || Number(appeals.n) !== FAMILIES) process.exit(1);
}

// `npm run bench -- nlu`: only the understanding layer's bench (seconds, no database).
if (process.argv[2] === 'nlu') process.exit((await nluBench()) ? 0 : 1);

await main();
// The intent classifier against the old regular expressions on held-out parent messages (bench/nlu.ts).
if (!(await nluBench())) process.exit(1);
// Then Telegram update handling at the webhook: our service vs. a bare grammY bot (bench/telegram.ts).
if (!(await telegramBench())) process.exit(1);
// And the booking race: 50 families, one slot, exactly one winner (bench/booking.ts).
if (!(await bookingBench())) process.exit(1);
// And a staff broadcast to 10,000 Telegram subscribers at the 30 msg/s cap (bench/broadcast.ts; ~6 minutes).
if (!(await broadcastBench())) process.exit(1);
