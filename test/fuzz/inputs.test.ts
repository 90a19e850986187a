import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramChannel } from '../../adapters/telegram/channel.ts';
import { VkChannel } from '../../adapters/vk/channel.ts';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import { DispatcherDirectory, webDispatcher } from '../../config/dispatchers.ts';
import { hasJunk } from '../../domain/text.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { loadBelovo } from '../support/fixtures.ts';
import { waitFor } from '../support/redis.ts';
import { staffLogin } from '../support/staff.ts';
import { sessionCookie } from '../support/web-session.ts';

/**
 * Property-based fuzzing of every entry point that takes input from outside (fastify inject, real runtime,
 * PGlite): whatever arrives, the answer is never a 5xx, nothing is logged as an error, and nothing stored
 * holds NUL, lone surrogates or bidi overrides, nor a Telegram/VK contact with a non-numeric id.
 * FUZZ_RUNS overrides the number of generated inputs per entry point (default 2,000).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SECRET = 'fuzz-webhook-secret';
const VK_SECRET = 'fuzz-vk-secret';
const VK_GROUP = 4242;
const PASSWORD = 'fuzz-pass';

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

/** What breaks text handling: NUL and other controls, lone surrogates, bidi overrides, CR, BOM, emoji halves. */
const NASTY = [
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\r',
  '\uD800',
  '\uDFFF',
  '\u202E',
  '\u2066',
  '\uFEFF',
  '\uFFFF',
  '😀',
  '\uD83D',
];
const char = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.constantFrom('а', 'Я', ' ', '\n', '1', '/', ':', '{', '"', '\\') },
);
const nastyText = fc.string({ unit: char, minLength: 0, maxLength: 40 });
/** Numbers that are not ids: too big for PostgreSQL integer, negative, fractions, not finite, huge. */
const oddNumber = fc.oneof(
  fc.constantFrom(2147483647, 2147483648, -1, 0, 1.5, 1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -0),
  fc.integer(),
  fc.double(),
);
const oddValue = fc.oneof(
  nastyText,
  oddNumber,
  fc.constant(null),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
);
const idLike = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
  { weight: 1, arbitrary: oddValue },
);

/** JSON text nested `depth` deep (VK once answered 500 to 5,000 levels); built as text, no stack needed. */
const deepJson = (depth: number) => `${'{"a":['.repeat(depth / 2)}1${']}'.repeat(depth / 2)}`;

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      strings(item, out);
    }
  }
  return out;
}

describe('fuzzing the entry points: never a 5xx, never stored junk', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let fake: FakeTelegram;
  let vk: VkChannel;
  let sessions: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    t = await engine.create();
    const center = await loadBelovo();
    const translator = new Translator();
    // Only errors are kept: every one is a finding (a handler that threw, a failed transaction).
    const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(line) });
    const runtime = new Runtime({ db: t.db, center, translator, scheduler: noScheduler, logger });
    app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger,
      directory: new DispatcherDirectory([webDispatcher(PASSWORD)]),
      // Parsing is under test here, not the abuse limits (test/adapters/web-trust.test.ts covers those).
      webLimits: { sessionsPerIp: 1e6, messagesPerSession: 1e6, messagesPerIp: 1e6, readsPerIp: 1e6 },
    });
    fake = await FakeTelegram.start();
    const telegram = new TelegramChannel({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: 'webhook',
      webhookSecret: SECRET,
      runtime,
      db: t.db,
      center,
      translator,
      logger,
    });
    await telegram.bot.init();
    telegram.registerWebhook(app);
    vk = new VkChannel({
      token: 'vk-token',
      groupId: VK_GROUP,
      apiBaseUrl: 'http://127.0.0.1:9/method',
      mode: 'callback',
      callbackSecret: VK_SECRET,
      confirmationCode: 'c0nfirm',
      runtime,
      db: t.db,
      logger,
    });
    vk.registerCallback(app);
    await app.ready();
    sessions = [];
    for (let i = 0; i < 4; i++) {
      const response = await app.inject({ method: 'POST', url: '/api/web/sessions', payload: {} });
      sessions.push(sessionCookie(response));
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await t?.drop();
  });

  const expectNo5xx = (status: number, what: unknown) => {
    if (status >= 500) throw new Error(`${status} for ${JSON.stringify(what)?.slice(0, 300)}`);
  };

  it(`web message API: ${RUNS} generated bodies`, async () => {
    const event = fc.oneof(
      { weight: 4, arbitrary: fc.record({ type: fc.constant('text'), text: nastyText }) },
      { weight: 2, arbitrary: fc.record({ type: fc.constant('button'), payload: nastyText }) },
      {
        weight: 1,
        arbitrary: fc.record({ type: fc.constantFrom('start', 'setLocale', 'x'), locale: oddValue }),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    );
    const body = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({ messageId: fc.uuid(), event }),
      },
      { weight: 1, arbitrary: fc.record({ messageId: nastyText, event }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    );
    await fc.assert(
      fc.asyncProperty(body, fc.oneof(fc.constantFrom(...sessions), nastyText), async (payload, token) => {
        const response = await app.inject({
          method: 'POST',
          url: '/api/web/messages',
          // The session travels in a header (or the HttpOnly cookie), never in the body or the URL.
          headers: { 'x-chat-session': token.replace(/[^\x21-\x7e]/g, '') || 'none' },
          payload: payload as object,
        });
        expectNo5xx(response.statusCode, payload);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it(`web messages cursor: ${RUNS} generated queries `, async () => {
    const quiet = sessionCookie(await app.inject({ method: 'POST', url: '/api/web/sessions', payload: {} }));
    const after = fc.oneof(
      oddNumber.map(String),
      nastyText,
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
      fc.constantFrom('2147483648', '1e3', '0x10', '', ' 1', 'Infinity', 'NaN', '-0'),
    );
    await fc.assert(
      // A fresh session: the cursor's parsing is under test, not serialising the other test's transcript.
      fc.asyncProperty(after, async (cursor) => {
        const response = await app.inject({
          method: 'GET',
          url: '/api/web/messages',
          headers: { 'x-chat-session': quiet },
          query: { after: cursor },
        });
        expectNo5xx(response.statusCode, cursor);
      }),
      { numRuns: RUNS },
    );
    const tooBig = await app.inject({
      url: '/api/web/messages?after=2147483648',
      headers: { 'x-chat-session': quiet },
    });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().message).toMatch(/at most 2147483647/);
  }, 300_000);

  it(`Telegram webhook: ${RUNS} generated updates`, async () => {
    const chat = fc.oneof(
      { weight: 4, arbitrary: fc.record({ id: idLike, type: fc.constantFrom('private', 'group', 'x') }) },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: oddValue },
    );
    const from = fc.oneof(
      { weight: 4, arbitrary: fc.record({ id: idLike }) },
      { weight: 1, arbitrary: oddValue },
    );
    const message = fc.record(
      {
        message_id: idLike,
        date: idLike,
        chat,
        from,
        text: fc.oneof(nastyText, oddValue),
        contact: fc.record({ phone_number: fc.oneof(nastyText, oddValue) }),
      },
      { requiredKeys: ['chat'] },
    );
    const callback = fc.record(
      {
        id: fc.oneof(nastyText, oddValue),
        from,
        data: fc.oneof(nastyText, oddValue),
        message: fc.oneof(message, oddValue),
      },
      { requiredKeys: [] },
    );
    const update = fc.record(
      {
        update_id: fc.oneof(
          { weight: 5, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }) },
          { weight: 1, arbitrary: oddValue },
        ),
        message: fc.oneof(message, oddValue),
        callback_query: fc.oneof(callback, oddValue),
        edited_message: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: ['update_id'] },
    );
    await fc.assert(
      fc.asyncProperty(update, async (payload) => {
        const response = await app.inject({
          method: 'POST',
          url: '/telegram/webhook',
          headers: { 'x-telegram-bot-api-secret-token': SECRET },
          payload,
        });
        expectNo5xx(response.statusCode, payload);
        // Telegram redelivers anything but 2xx forever: a well-formed update id is always answered 200.
        // (fastify refuses "__proto__"/"constructor" keys with 400 — prototype poisoning; Telegram never sends them).
        const poisoned = /"(__proto__|constructor)"/.test(JSON.stringify(payload));
        if (!poisoned && Number.isSafeInteger(payload.update_id) && (payload.update_id as number) >= 0) {
          expect(response.statusCode).toBe(200);
        }
      }),
      { numRuns: RUNS },
    );
    // The findings that started this: a button with no data on a message whose chat is null.
    const cases = [
      { update_id: 900001, callback_query: { id: 'q', from: { id: 5 }, message: { chat: null } } },
      { update_id: 900002, callback_query: { id: 'q', from: { id: 5 }, chat_instance: 'c' } },
      {
        update_id: 900003,
        message: { message_id: 1, date: 1, chat: { id: 'abc', type: 'private' }, from: { id: 1 }, text: 'x' },
      },
    ];
    for (const payload of cases) {
      const response = await app.inject({
        method: 'POST',
        url: '/telegram/webhook',
        headers: { 'x-telegram-bot-api-secret-token': SECRET },
        payload,
      });
      expect(response.statusCode).toBe(200);
    }
  }, 300_000);

  it(`VK callback: ${RUNS} generated events (and JSON nested 5,000 deep)`, async () => {
    const message = fc.record(
      {
        peer_id: idLike,
        from_id: idLike,
        text: fc.oneof(nastyText, oddValue),
        payload: fc.oneof(
          nastyText,
          nastyText.map((b) => JSON.stringify({ b })),
          oddValue,
        ),
        conversation_message_id: idLike,
      },
      { requiredKeys: ['peer_id'] },
    );
    const object = fc.oneof(
      { weight: 3, arbitrary: fc.record({ message }) },
      { weight: 2, arbitrary: message },
      fc.record({
        peer_id: idLike,
        user_id: idLike,
        event_id: fc.oneof(nastyText, oddValue),
        payload: oddValue,
      }),
      fc.record({ user_id: idLike }),
      fc.dictionary(nastyText, fc.jsonValue({ maxDepth: 3 })),
    );
    const event = fc.record(
      {
        type: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              'message_new',
              'message_new',
              'message_event',
              'message_allow',
              'message_deny',
              'confirmation',
            ),
          },
          { weight: 1, arbitrary: nastyText },
        ),
        group_id: fc.oneof(
          { weight: 5, arbitrary: fc.constant(VK_GROUP) },
          { weight: 1, arbitrary: oddValue },
        ),
        secret: fc.oneof(
          { weight: 5, arbitrary: fc.constant(VK_SECRET) },
          { weight: 1, arbitrary: oddValue },
        ),
        event_id: fc.oneof(nastyText, oddValue),
        object: fc.oneof({ weight: 5, arbitrary: object }, { weight: 1, arbitrary: oddValue }),
      },
      { requiredKeys: ['type', 'group_id', 'secret'] },
    );
    await fc.assert(
      fc.asyncProperty(event, async (payload) => {
        const response = await app.inject({ method: 'POST', url: '/vk/callback', payload });
        expectNo5xx(response.statusCode, payload);
      }),
      { numRuns: RUNS },
    );
    const deepResponse = await app.inject({
      method: 'POST',
      url: '/vk/callback',
      headers: { 'content-type': 'application/json' },
      payload: `{"type":"message_new","group_id":${VK_GROUP},"secret":"${VK_SECRET}","object":${deepJson(5000)}}`,
    });
    expect(deepResponse.statusCode).toBe(400);
    expect(deepResponse.json().message).toMatch(/nested deeper/);
    // Stored events are processed after "ok": wait until the queue is empty.
    await waitFor(
      async () => (await t.db.selectFrom('inbound_events').select('event_id').execute()).length === 0,
      60_000,
      100,
    );
  }, 300_000);

  it(`staff JSON APIs: ${RUNS} generated bodies and ids`, async () => {
    const route = fc.constantFrom(
      (id: string) => `/api/staff/appeals/${id}/take`,
      (id: string) => `/api/staff/appeals/${id}/close`,
      (id: string) => `/api/staff/appeals/${id}/reply`,
      (id: string) => `/api/staff/appeals/${id}/follow-up`,
      (id: string) => `/api/staff/urgent/${id}/ack`,
      (id: string) => `/api/staff/bookings/${id}/cancel`,
      () => '/api/staff/outreach/changes',
      () => '/api/staff/broadcasts',
    );
    // Lone surrogates cannot be URI-encoded: they travel as the raw UTF-8 bytes a client could still send.
    const id = fc.oneof(
      idLike.map((value) => encodeURIComponent(String(value).replace(/[\uD800-\uDFFF]/g, '\uFFFD'))),
      nastyText.map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))),
      fc.constantFrom('2147483648', '99999999999999999999', '%ED%A0%80', '%00', '%', '1e3', '-1'),
    );
    const body = fc.oneof(
      fc.record(
        {
          note: oddValue,
          result: oddValue,
          text: oddValue,
          at: oddValue,
          contactId: oddValue,
          appealId: oddValue,
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const auth = await staffLogin(app, 'dispatcher', PASSWORD);
    await fc.assert(
      fc.asyncProperty(route, id, body, async (url, appealId, payload) => {
        const response = await app.inject({
          method: 'POST',
          url: url(appealId),
          headers: { ...auth, 'content-type': 'application/json' },
          payload: JSON.stringify(payload ?? null),
        });
        expectNo5xx(response.statusCode, { url: url(appealId), payload });
      }),
      { numRuns: RUNS },
    );
    const tooBig = await app.inject({ url: '/api/staff/appeals/2147483648', headers: auth });
    expect(tooBig.statusCode).toBe(400);
  }, 300_000);

  it('client errors of fastify itself are 4xx with a clear message', async () => {
    const badJson = await app.inject({
      method: 'POST',
      url: '/api/web/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{"sessionId": ',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toEqual({ error: 'bad_json', message: 'Request body is not valid JSON' });
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/api/web/messages',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'x'.repeat(300 * 1024) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().message).toBe('Request body too large');
  });

  it('stored nothing PostgreSQL-hostile or misleading, and no junk contacts; logged no error', async () => {
    const contacts = await t.db.selectFrom('contacts').select(['channel', 'external_id']).execute();
    const platform = contacts.filter((c) => c.channel === 'telegram' || c.channel === 'vk');
    // The fuzzing did reach the runtime on both platforms.
    expect(platform.filter((c) => c.channel === 'telegram').length).toBeGreaterThan(0);
    expect(platform.filter((c) => c.channel === 'vk').length).toBeGreaterThan(0);
    for (const contact of platform) expect(contact.external_id).toMatch(/^-?\d+$/);
    const tables = await Promise.all([
      t.db.selectFrom('messages').select('body').execute(),
      t.db.selectFrom('conversations').selectAll().execute(),
      t.db.selectFrom('contacts').selectAll().execute(),
      t.db.selectFrom('appeals').selectAll().execute(),
      t.db.selectFrom('appeal_events').selectAll().execute(),
    ]);
    const stored = strings(tables);
    expect(stored.length).toBeGreaterThan(100);
    expect(stored.filter(hasJunk)).toEqual([]);
    // The apology for a failed transaction ("try again in a minute") was never needed.
    const texts = tables[0].map((row) => JSON.stringify(row.body));
    expect(texts.filter((text) => /пошло не так|went wrong/.test(text))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
