import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import { Broadcaster } from '../../scheduler/broadcasts.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { messagesAfter } from '../../storage/messages.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, waitFor, wipePrefix } from '../support/redis.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'secret-pass';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};
/** A forged session cookie: matches no session. */
const WRONG = { cookie: 'sd_staff=forged-session-token' };

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('staff broadcast API', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let withoutRedis: FastifyInstance;
  let broadcaster: Broadcaster;
  const prefix = uniquePrefix();
  const subscribed: number[] = [];

  beforeAll(async () => {
    t = await engine.create();
    const center = await loadBelovo();
    const translator = new Translator();
    const runtime = new Runtime({
      db: t.db,
      center,
      translator,
      scheduler: noScheduler,
      logger: silentLogger,
    });
    broadcaster = new Broadcaster({
      redisUrl: REDIS_URL,
      prefix,
      db: t.db,
      logger: silentLogger,
      senders: [],
      runtime,
    });
    await broadcaster.start();
    const deps = {
      runtime,
      db: t.db,
      translator,
      center,
      logger: silentLogger,
      dispatcherPassword: PASSWORD,
    };
    app = await buildServer({ ...deps, broadcasts: broadcaster });
    AUTH = await staffLogin(app, 'dispatcher', PASSWORD);
    withoutRedis = await buildServer(deps);
    for (const id of ['web-a', 'web-b']) {
      const contact = await upsertContact(t.db, 'web', id, new Date());
      await t.db
        .insertInto('outreach_subscriptions')
        .values({ contact_id: contact.id, settlement: 'gramoteino' })
        .execute();
      subscribed.push(contact.id);
    }
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await withoutRedis.close();
    await broadcaster.close();
    await wipePrefix(prefix);
    await t.drop();
  });

  const create = (payload: unknown, headers: Record<string, string> = AUTH) =>
    app.inject({ method: 'POST', url: '/api/staff/broadcasts', headers, payload: payload as object });

  it('asks for the dispatcher login on every route', async () => {
    const body = { text: 'План', segment: { all: true } };
    for (const headers of [{}, WRONG]) {
      expect((await create(body, headers)).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/staff/broadcasts/1', headers })).statusCode).toBe(
        401,
      );
      const cancel = await app.inject({
        method: 'POST',
        url: '/api/staff/broadcasts/1/cancel',
        headers,
        payload: {},
      });
      expect(cancel.statusCode).toBe(401);
      expect(cancel.headers['www-authenticate']).toBeUndefined();
      expect(cancel.json().error).toBe('unauthorised');
    }
    expect(await t.db.selectFrom('broadcasts').selectAll().execute()).toHaveLength(0);
  });

  it('answers bad input with a polite 400 that says what is wrong', async () => {
    const cases: Array<[unknown, string]> = [
      [{ segment: { all: true } }, 'text is required'],
      [{ text: '   ', segment: { all: true } }, 'text must not be empty'],
      [{ text: 42, segment: { all: true } }, 'text must be text'],
      [{ text: 'x'.repeat(4097), segment: { all: true } }, 'longer than 4096'],
      [{ text: 'План' }, 'segment'],
      [{ text: 'План', segment: { all: false } }, 'segment must be'],
      [{ text: 'План', segment: {} }, 'segment must be'],
      [{ text: 'План', segment: { settlements: [] } }, 'segment'],
      [{ text: 'План', segment: { settlements: [7] } }, 'segment'],
      [{ text: 'План', segment: { settlements: ['gramoteino'], all: true } }, 'segment'],
      [{ text: 'План', segment: { settlements: ['nowhere'] } }, 'nobody is subscribed'],
    ];
    for (const [payload, message] of cases) {
      const response = await create(payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
      expect(response.json()).toMatchObject({ error: 'bad_request' });
      expect(response.json().message).toContain(message);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/staff/broadcasts',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(notJson.statusCode).toBe(400);
    const badId = await app.inject({ method: 'GET', url: '/api/staff/broadcasts/abc', headers: AUTH });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().message).toContain('positive number');
    expect(await t.db.selectFrom('broadcasts').selectAll().execute()).toHaveLength(0);
  });

  it('starts a broadcast, shows its progress, and refuses to cancel a finished one', async () => {
    const text = 'План на декабрь: 3 декабря — выездной приём.';
    const response = await create({ text, segment: { settlements: ['gramoteino'] } });
    expect(response.statusCode).toBe(202);
    const started = response.json();
    expect(started).toMatchObject({
      total: 2,
      createdBy: 'web:dispatcher',
      segment: { settlements: ['gramoteino'] },
    });
    const url = `/api/staff/broadcasts/${started.id}`;
    await waitFor(
      async () => (await app.inject({ method: 'GET', url, headers: AUTH })).json().status === 'finished',
    );
    const progress = (await app.inject({ method: 'GET', url, headers: AUTH })).json();
    expect(progress).toMatchObject({ total: 2, sent: 2, blocked: 0, failed: 0, pending: 0 });
    expect(progress.finishedAt).toEqual(expect.any(String));
    expect(progress.messagesPerSecond).toBeGreaterThan(0);
    for (const contactId of subscribed) {
      expect((await messagesAfter(t.db, contactId, 0)).map((m) => m.body.text)).toEqual([text]);
    }
    const cancel = await app.inject({ method: 'POST', url: `${url}/cancel`, headers: AUTH, payload: {} });
    expect(cancel.statusCode).toBe(409);
    const unknown = await app.inject({ method: 'GET', url: '/api/staff/broadcasts/9999', headers: AUTH });
    expect(unknown.statusCode).toBe(404);
    const cancelUnknown = await app.inject({
      method: 'POST',
      url: '/api/staff/broadcasts/9999/cancel',
      headers: AUTH,
      payload: {},
    });
    expect(cancelUnknown.statusCode).toBe(404);
  });

  it('says plainly when broadcasts cannot run (no Redis)', async () => {
    const response = await withoutRedis.inject({
      method: 'POST',
      url: '/api/staff/broadcasts',
      headers: AUTH,
      payload: { text: 'План', segment: { all: true } },
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().message).toContain('Redis');
  });
});
