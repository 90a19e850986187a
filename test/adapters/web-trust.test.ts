import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer, type ServerDeps } from '../../bot/server.ts';
import type { CenterProfile } from '../../config/center.ts';
import { ConfigError, loadEnv } from '../../config/env.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, wipePrefix } from '../support/redis.ts';
import { staffLogin } from '../support/staff.ts';
import { sessionCookie } from '../support/web-session.ts';

/** Issue 12 §2 and §6: the public web chat under abuse, its session handling and its security headers. */
const engine = ENGINES[0];
if (!engine) throw new Error('no engine');
const NOW = new Date('2031-03-10T09:00:00Z');
const DAY = 24 * 3600_000;

let t: TestDatabase;
let center: CenterProfile;
const translator = new Translator();
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  t = await engine.create();
  center = await loadBelovo();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await t.drop();
});

async function server(extra: Partial<ServerDeps> = {}, clock: () => Date = () => NOW) {
  const runtime = new Runtime({
    db: t.db,
    center,
    translator,
    scheduler: noScheduler,
    logger: silentLogger,
    clock,
  });
  const app = await buildServer({
    runtime,
    db: t.db,
    translator,
    center,
    logger: silentLogger,
    dispatcherPassword: 'secret-pass',
    clock,
    ...extra,
  });
  apps.push(app);
  return app;
}

const createSession = (app: FastifyInstance, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/web/sessions', payload: {}, headers });

const say = (app: FastifyInstance, token: string, event: object) =>
  app.inject({
    method: 'POST',
    url: '/api/web/messages',
    headers: { 'x-chat-session': token },
    payload: { messageId: randomUUID(), event },
  });

const webContacts = async () =>
  Number(
    (
      await t.db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('channel', '=', 'web')
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('abuse by one anonymous visitor', () => {
  it('400 session requests from one address: 30 are created, the rest get a polite 429', async () => {
    const app = await server();
    const before = await webContacts();
    const answers = await Promise.all(Array.from({ length: 400 }, () => createSession(app)));
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(30);
    expect(codes.filter((c) => c === 429)).toHaveLength(370);
    expect((await webContacts()) - before).toBe(30);
    const refused = answers.find((a) => a.statusCode === 429);
    expect(refused?.json()).toMatchObject({ error: 'rate_limited' });
    expect(refused?.json().message).toContain('подождите минуту');
    expect(refused?.json().message).toContain('wait a minute');
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('200 messages in one session: 30 a minute reach the assistant, the rest are refused politely', async () => {
    const app = await server();
    const token = sessionCookie(await createSession(app));
    const answers = [];
    for (let i = 0; i < 200; i++)
      answers.push(await say(app, token, { type: 'button', payload: 'menu:contacts' }));
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(30);
    expect(codes.filter((c) => c === 429)).toHaveLength(170);
    expect(answers.at(-1)?.json().message).toContain('Слишком много запросов');
  });

  it('believes X-Forwarded-For only with TRUST_PROXY: behind a proxy each family has its own limit', async () => {
    const direct = await server({ webLimits: { sessionsPerIp: 2 } });
    const spoofed = await Promise.all(
      ['1.1.1.1', '2.2.2.2', '3.3.3.3'].map((ip) => createSession(direct, { 'x-forwarded-for': ip })),
    );
    // Not behind a trusted proxy: the header is ignored, all three count against the one real address.
    expect(spoofed.map((a) => a.statusCode).sort()).toEqual([201, 201, 429]);
    const proxied = await server({ webLimits: { sessionsPerIp: 2 }, trustProxy: true });
    const families = await Promise.all(
      ['4.4.4.4', '4.4.4.4', '5.5.5.5', '6.6.6.6'].map((ip) =>
        createSession(proxied, { 'x-forwarded-for': ip }),
      ),
    );
    expect(families.map((a) => a.statusCode)).toEqual([201, 201, 201, 201]);
    // The scheme comes from the proxy too: the cookie is Secure behind TLS.
    const secure = await createSession(proxied, {
      'x-forwarded-for': '7.7.7.7',
      'x-forwarded-proto': 'https',
    });
    expect(secure.cookies.find((c) => c.name === 'sd_chat')?.secure).toBe(true);
  });

  it('reads TRUST_PROXY as false, true, a hop count or proxy addresses, and refuses anything else', () => {
    expect(loadEnv({}).TRUST_PROXY).toBe(false);
    expect(loadEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadEnv({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadEnv({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).TRUST_PROXY).toBe('127.0.0.1, 10.0.0.0/8');
    expect(() => loadEnv({ TRUST_PROXY: 'yes please' })).toThrow(ConfigError);
  });

  it('keeps the counters in Redis when it is configured: two processes share one limit', async () => {
    const prefix = uniquePrefix();
    const redisA = new Redis(REDIS_URL);
    const redisB = new Redis(REDIS_URL);
    try {
      const a = await server({ webLimits: { sessionsPerIp: 3 }, redis: redisA, redisPrefix: prefix });
      const b = await server({ webLimits: { sessionsPerIp: 3 }, redis: redisB, redisPrefix: prefix });
      const codes = [];
      for (const app of [a, b, a, b, a]) codes.push((await createSession(app)).statusCode);
      expect(codes).toEqual([201, 201, 201, 429, 429]);
      expect((await redisA.keys(`${prefix}:web-rate-limit:*`)).length).toBeGreaterThan(0);
    } finally {
      await wipePrefix(prefix);
      redisA.disconnect();
      redisB.disconnect();
    }
  });

  it('300 event streams on one session: at most 3 stay open, the older ones are told and closed', async () => {
    const app = await server();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const token = sessionCookie(await createSession(app));
    const opened: Array<{ replaced: Promise<boolean>; destroy: () => void }> = [];
    for (let i = 0; i < 300; i++) {
      const stream = httpRequest(`${address}/api/web/events?after=0`, {
        headers: { cookie: `sd_chat=${token}` },
      });
      const replaced = new Promise<boolean>((resolve) => {
        stream.on('response', (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () => resolve(body.includes('event: replaced')));
        });
        stream.on('error', () => resolve(false));
      });
      stream.end();
      opened.push({ replaced, destroy: () => stream.destroy() });
      // Each stream is accepted before the next one opens, so the order is the order of arrival.
      await new Promise((r) => setTimeout(r, 5));
    }
    const endedEarly = await Promise.race([
      Promise.all(opened.slice(0, 297).map((s) => s.replaced)),
      new Promise<boolean[]>((r) => setTimeout(() => r([]), 20_000)),
    ]);
    expect(endedEarly).toHaveLength(297);
    expect(endedEarly.every(Boolean)).toBe(true);
    for (const s of opened) s.destroy();
  }, 60_000);

  // Appeals per day: test/bot/appeal-cap.test.ts.
  it('200 subscriptions from one chat: it follows at most 10 settlements', async () => {
    const { MAX_SUBSCRIPTIONS_PER_CONTACT, subscribe } = await import('../../storage/outreach.ts');
    const contact = await t.db
      .insertInto('contacts')
      .values({ channel: 'web', external_id: `subs-${randomUUID()}`, last_seen_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    const results = [];
    for (let i = 0; i < 200; i++) results.push(await subscribe(t.db, contact.id, `fake-${i}`, NOW));
    expect(results.filter(Boolean)).toHaveLength(MAX_SUBSCRIPTIONS_PER_CONTACT);
  });
});

describe('the web chat session', () => {
  it('stores only the hash of the token, sends it in an HttpOnly SameSite=Strict cookie and never in a URL', async () => {
    const app = await server();
    const created = await createSession(app);
    expect(created.json()).toEqual({ ok: true });
    const token = sessionCookie(created);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = created.cookies.find((c) => c.name === 'sd_chat');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/web' });
    expect(await t.db.selectFrom('contacts').select('id').where('external_id', '=', token).execute()).toEqual(
      [],
    );
    const hash = createHash('sha256').update(token).digest('hex');
    expect(
      await t.db.selectFrom('contacts').select('id').where('external_id', '=', hash).executeTakeFirst(),
    ).toBeDefined();
    // The page asks whether it has a live chat (it cannot read its HttpOnly cookie); a token sent once in the
    // header (an older page kept it in local storage) is moved into the cookie.
    expect((await app.inject({ url: '/api/web/session' })).json()).toEqual({ active: false });
    const handOver = await app.inject({ url: '/api/web/session', headers: { 'x-chat-session': token } });
    expect(handOver.json()).toEqual({ active: true });
    expect(handOver.cookies.find((c) => c.name === 'sd_chat')?.value).toBe(token);
    // The cookie alone opens the chat; a token in the query string opens nothing.
    expect((await app.inject({ url: '/api/web/messages', cookies: { sd_chat: token } })).statusCode).toBe(
      200,
    );
    expect((await app.inject({ url: `/api/web/messages?sessionId=${token}` })).statusCode).toBe(404);
    const page = (await app.inject({ url: '/web/chat.js' })).body;
    expect(page).not.toMatch(/sessionId=|localStorage\.setItem\('sd-session'/);
  });

  it('ends a session nobody used for 30 days', async () => {
    let now = NOW;
    const app = await server({}, () => now);
    const token = sessionCookie(await createSession(app));
    expect((await say(app, token, { type: 'start' })).statusCode).toBe(200);
    now = new Date(NOW.getTime() + 29 * DAY);
    expect((await say(app, token, { type: 'start' })).statusCode).toBe(200);
    now = new Date(now.getTime() + 31 * DAY);
    expect((await say(app, token, { type: 'start' })).statusCode).toBe(404);
    const hash = createHash('sha256').update(token).digest('hex');
    expect(await t.db.selectFrom('contacts').select('id').where('external_id', '=', hash).execute()).toEqual(
      [],
    );
  });

  it('«Завершить и забыть чат» invalidates the token at once and closes the open streams', async () => {
    const app = await server();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const token = sessionCookie(await createSession(app));
    await say(app, token, { type: 'start' });
    const streamBody = new Promise<string>((resolve) => {
      const stream = httpRequest(`${address}/api/web/events?after=0`, {
        headers: { cookie: `sd_chat=${token}` },
      });
      stream.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve(body));
      });
      stream.end();
    });
    await new Promise((r) => setTimeout(r, 200));
    const ended = await app.inject({
      method: 'POST',
      url: '/api/web/sessions/end',
      cookies: { sd_chat: token },
    });
    expect(ended.statusCode).toBe(200);
    expect(ended.cookies.find((c) => c.name === 'sd_chat')).toMatchObject({ value: '', maxAge: 0 });
    expect(await streamBody).toContain('event: ended');
    expect((await say(app, token, { type: 'start' })).statusCode).toBe(404);
    const hash = createHash('sha256').update(token).digest('hex');
    // Nothing was consented to: the anonymous contact and its transcript are gone.
    expect(await t.db.selectFrom('contacts').select('id').where('external_id', '=', hash).execute()).toEqual(
      [],
    );
  });
});

describe('security headers', () => {
  it('sets CSP without inline script, no framing, nosniff and no referrer on the page, the API and a 404', async () => {
    const app = await server();
    const token = sessionCookie(await createSession(app));
    for (const response of [
      await app.inject({ url: '/' }),
      await app.inject({ url: '/api/web/strings' }),
      await app.inject({ url: '/api/web/messages', cookies: { sd_chat: token } }),
      await app.inject({ url: '/no/such/page' }),
    ]) {
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
    expect((await app.inject({ url: '/no/such/page' })).statusCode).toBe(404);
    // The dispatcher inbox keeps its own, stricter policy (its one script allowed by hash), still unframeable.
    const inbox = await app.inject({
      url: '/dispatcher',
      headers: await staffLogin(app, 'dispatcher', 'secret-pass'),
    });
    const inboxCsp = String(inbox.headers['content-security-policy']);
    expect(inboxCsp).toMatch(/script-src 'self'(;|$)/);
    expect(inboxCsp).toContain("frame-ancestors 'none'");
    expect(inbox.headers['x-content-type-options']).toBe('nosniff');
    const history = await app.inject({ url: '/api/web/messages', cookies: { sd_chat: token } });
    expect(history.headers['cache-control']).toBe('no-store');
  });
});
