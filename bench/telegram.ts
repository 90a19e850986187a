import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { Bot, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import { pino } from 'pino';
import { createService, type Service } from '../bot/app.ts';
import { loadEnv } from '../config/env.ts';
import { FakeTelegram } from '../test/support/fake-telegram.ts';

/**
 * Telegram update handling at the webhook, in one run: our service (createService, real HTTP to
 * /telegram/webhook) against a bare grammY webhook bot on fastify that does the least a bot can do (one
 * Bot API call per update). Both get the same traffic shape: FAMILIES private chats each send the whole intake
 * in order (a chat's next update is posted once the previous webhook request is answered, as Telegram does per
 * chat), CONCURRENCY chats at a time. Each bot talks to its own fake Bot API on loopback, so counts never mix.
 *
 * Our webhook answers 200 once the update is stored; replies go out afterwards from the delivery ledger. So
 * besides webhook latency we wait until every outbound row is delivered and check none was lost or sent twice.
 */
const FAMILIES = Number(process.env.BENCH_TG_FAMILIES ?? 100);
const CONCURRENCY = Number(process.env.BENCH_TG_CONCURRENCY ?? 20);
/** A few families first, unmeasured, so neither bot is timed while its code is still cold. */
const WARMUP_FAMILIES = Number(process.env.BENCH_TG_WARMUP ?? 5);
const SECRET = 'bench-webhook-secret_1';
const WEBHOOK_PATH = '/telegram/webhook';
// Bounds: a hung request, a stuck delivery or a very slow machine end the run instead of holding it forever.
const REQUEST_TIMEOUT_MS = 30_000;
const TRAFFIC_DEADLINE_MS = 300_000;
const DELIVERY_DEADLINE_MS = 120_000;

type Step = (fake: FakeTelegram, chatId: number) => Update;
function tap(data: string): Step {
  return (fake, chatId) => fake.callbackUpdate(chatId, data);
}
function say(text: string): Step {
  return (fake, chatId) => fake.textUpdate(chatId, text);
}

/** The intake as Telegram posts it (same answers as the runtime benchmark; the phone via "share my number"). */
const INTAKE: Step[] = [
  (fake, chatId) => fake.commandUpdate(chatId, '/start'),
  tap('menu:intake'),
  tap('story:skip'),
  tap('consent:yes'),
  say('Иванова Мария Петровна'),
  say('пгт Грамотеино, ул. Светлая, 6'),
  tap('marital:married'),
  tap('children:3'),
  say('05.03.1988'),
  (fake, chatId) => fake.contactUpdate(chatId, '79131234567'),
  tap('purpose:lawyer'),
  tap('need:skip'),
  tap('format:phone'),
  tap('callMode:callback_asap'),
  tap('confirm:submit'),
  tap('menu:contacts'),
];

/** `messages`/`callbacks`: how many of each were sent, i.e. how many replies / answered taps to expect. */
type Traffic = {
  updates: number;
  messages: number;
  callbacks: number;
  non200: number;
  seconds: number;
  latencies: number[];
};

/** One webhook POST, as Telegram makes it; 0 stands for a request that never got an answer. */
async function post(url: string, update: Update): Promise<number> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.arrayBuffer(); // read to the end so the keep-alive connection is reused
    return response.status;
  } catch {
    return 0;
  }
}

/** `families` chats starting at `firstChat`, `CONCURRENCY` at a time; each chat's updates strictly in order. */
async function drive(url: string, fake: FakeTelegram, firstChat: number, families: number): Promise<Traffic> {
  const latencies: number[] = [];
  let non200 = 0;
  let messages = 0;
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < families && performance.now() - started < TRAFFIC_DEADLINE_MS) {
      const chatId = firstChat + next++;
      for (const step of INTAKE) {
        const update = step(fake, chatId); // built just before sending: fresh, ascending update_ids
        if (update.message) messages++;
        const t0 = performance.now();
        if ((await post(url, update)) !== 200) non200++;
        latencies.push(performance.now() - t0);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, families) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const updates = latencies.length;
  return { updates, messages, callbacks: updates - messages, non200, seconds, latencies };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

function metrics(traffic: Traffic) {
  const sorted = [...traffic.latencies].sort((a, b) => a - b);
  return {
    updates: traffic.updates,
    non200: traffic.non200,
    seconds: Number(traffic.seconds.toFixed(2)),
    updatesPerSecond: Math.round(traffic.updates / traffic.seconds),
    latencyMs: {
      p50: Number(percentile(sorted, 50).toFixed(1)),
      p99: Number(percentile(sorted, 99).toFixed(1)),
      max: Number((sorted.at(-1) ?? 0).toFixed(1)),
    },
  };
}

/** Successful calls of `method` (no staff chat is configured, so all of them went to the families). */
const okCalls = (fake: FakeTelegram, method: string) =>
  fake.callsOf(method).filter((call) => call.ok === true).length;

/** Outbound ledger for Telegram contacts, by status, with the parts the delivery loop confirmed. */
async function ledger(service: Service) {
  const rows = await service.db
    .selectFrom('messages')
    .innerJoin('contacts', 'contacts.id', 'messages.contact_id')
    .where('contacts.channel', '=', 'telegram')
    .where('messages.direction', '=', 'out')
    .select((eb) => [
      'messages.status',
      eb.fn.countAll<string>().as('rows'),
      eb.fn.sum<string>('messages.parts_sent').as('parts'),
    ])
    .groupBy('messages.status')
    .execute();
  const of = (status: string) => rows.find((row) => row.status === status);
  return {
    rows: rows.reduce((sum, row) => sum + Number(row.rows), 0),
    pending: Number(of('pending')?.rows ?? 0),
    failed: Number(of('failed')?.rows ?? 0),
    partsSent: rows.reduce((sum, row) => sum + Number(row.parts ?? 0), 0),
  };
}

/** Polls (bounded) until nothing is pending; returns how long the delivery backlog took to drain. */
async function drained(service: Service): Promise<number> {
  const started = performance.now();
  while ((await ledger(service)).pending > 0 && performance.now() - started < DELIVERY_DEADLINE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - started;
}

async function benchOurs(fake: FakeTelegram) {
  const env = loadEnv({
    DATA_DIR: ':memory:',
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_URL: 'https://bench.example/telegram/webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
  });
  const service = await createService(env, pino({ level: 'silent' }));
  try {
    const url = `${await service.app.listen({ host: '127.0.0.1', port: 0 })}${WEBHOOK_PATH}`;
    const warmup = await drive(url, fake, 500_000_001, WARMUP_FAMILIES);
    const traffic = await drive(url, fake, 600_000_001, FAMILIES);
    const drainMs = await drained(service);
    const appeals = await service.db
      .selectFrom('appeals')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const book = await ledger(service);
    const sends = okCalls(fake, 'sendMessage');
    const families = WARMUP_FAMILIES + FAMILIES;
    const report = {
      ...metrics(traffic),
      // Replies are sent after the 200: the time to empty the backlog is part of what a family waits for.
      deliveryDrainMs: Math.round(drainMs),
      updatesPerSecondInclDelivery: Math.round(traffic.updates / (traffic.seconds + drainMs / 1000)),
      checks: {
        non200: warmup.non200 + traffic.non200,
        appealsStored: Number(appeals.n),
        appealsExpected: families,
        outboundRows: book.rows,
        pendingRows: book.pending,
        failedRows: book.failed,
        partsConfirmedInLedger: book.partsSent,
        sendMessageOk: sends,
        duplicates: Math.max(0, sends - book.partsSent),
        lost: book.pending + book.failed + Math.max(0, book.partsSent - sends),
        answerCallbackQueryOk: okCalls(fake, 'answerCallbackQuery'),
        answerCallbackQueryExpected: warmup.callbacks + traffic.callbacks,
      },
    };
    const c = report.checks;
    const ok =
      c.non200 === 0 &&
      warmup.updates + traffic.updates === families * INTAKE.length &&
      c.appealsStored === families &&
      c.duplicates === 0 &&
      c.lost === 0 &&
      c.answerCallbackQueryOk === c.answerCallbackQueryExpected;
    return { report, ok };
  } finally {
    await service.close();
  }
}

async function benchBare(fake: FakeTelegram) {
  // botInfo given: no getMe; replies are ordinary Bot API calls (grammY's webhook replies are off by default).
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botUser });
  bot.on('message', (ctx) => ctx.reply('ok'));
  bot.on('callback_query', (ctx) => ctx.answerCallbackQuery());
  const app: FastifyInstance = Fastify({ logger: false });
  app.post(WEBHOOK_PATH, webhookCallback(bot, 'fastify', { secretToken: SECRET }));
  try {
    const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}${WEBHOOK_PATH}`;
    const warmup = await drive(url, fake, 500_000_001, WARMUP_FAMILIES);
    const traffic = await drive(url, fake, 600_000_001, FAMILIES);
    const families = WARMUP_FAMILIES + FAMILIES;
    const report = {
      ...metrics(traffic),
      checks: {
        non200: warmup.non200 + traffic.non200,
        sendMessageOk: okCalls(fake, 'sendMessage'),
        sendMessageExpected: warmup.messages + traffic.messages,
        answerCallbackQueryOk: okCalls(fake, 'answerCallbackQuery'),
        answerCallbackQueryExpected: warmup.callbacks + traffic.callbacks,
      },
    };
    const c = report.checks;
    const ok =
      c.non200 === 0 &&
      warmup.updates + traffic.updates === families * INTAKE.length &&
      c.sendMessageOk === c.sendMessageExpected &&
      c.answerCallbackQueryOk === c.answerCallbackQueryExpected;
    return { report, ok };
  } finally {
    await app.close();
  }
}

/** Runs both sections one after the other (never at once: they share the 2 cores), prints one report. */
export async function telegramBench(): Promise<boolean> {
  const fakes: FakeTelegram[] = [];
  try {
    const oursFake = await FakeTelegram.start();
    fakes.push(oursFake);
    const ours = await benchOurs(oursFake);
    const bareFake = await FakeTelegram.start();
    fakes.push(bareFake);
    const bare = await benchBare(bareFake);
    const report = {
      telegramWebhook: {
        families: FAMILIES,
        warmupFamilies: WARMUP_FAMILIES,
        concurrency: CONCURRENCY,
        updatesPerFamily: INTAKE.length,
        ours: { ...ours.report, ok: ours.ok },
        bareGrammy: { ...bare.report, ok: bare.ok },
        ratio: Number((ours.report.updatesPerSecond / bare.report.updatesPerSecond).toFixed(3)),
        p99Ratio: Number((ours.report.latencyMs.p99 / bare.report.latencyMs.p99).toFixed(2)),
      },
    };
    console.log(JSON.stringify(report, null, 2));
    return ours.ok && bare.ok;
  } finally {
    for (const fake of fakes) await fake.close();
  }
}
