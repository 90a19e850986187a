import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { createLogger } from '../../bot/logger.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { CenterProfile } from '../../config/center.ts';
import {
  type Dispatcher,
  DispatcherDirectory,
  hashPassword,
  webDispatcher,
} from '../../config/dispatchers.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { createAppeal, getAppeal } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { storeUrgentAlert } from '../../storage/dispatch.ts';
import { appendAudit } from '../../storage/staff-access.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'admin-pass-1';
const ANNA_PASSWORD = 'anna-pass-1';
const FULL_NAME = 'Журавлёва Ольга Сергеевна';
const PHONE = '+79139876543';
const MINUTE = 60_000;
const json = { 'content-type': 'application/json' };

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

const anna: Dispatcher = {
  id: 'anna',
  name: 'Анна',
  login: 'anna',
  passwordHash: hashPassword(ANNA_PASSWORD),
};
const admin = webDispatcher(PASSWORD);

describe('dispatcher access: login, sessions, guards, audit', () => {
  let t: TestDatabase;
  let center: CenterProfile;
  let app: FastifyInstance;
  let now = new Date();
  const clock = () => now;
  const logLines: string[] = [];

  async function server(dispatchers: Dispatcher[], settings = {}) {
    const logger = createLogger('info', { destination: { write: (line: string) => logLines.push(line) } });
    const runtime = new Runtime({
      db: t.db,
      center,
      translator: new Translator(),
      scheduler: noScheduler,
      logger,
    });
    return buildServer({
      runtime,
      db: t.db,
      translator: new Translator(),
      center,
      logger,
      directory: new DispatcherDirectory(dispatchers),
      clock,
      staffAccess: { maxLoginFailures: 5, maxIpFailures: 12, ...settings },
    });
  }

  async function newAppeal() {
    const contact = await upsertContact(t.db, 'web', `access-${Math.random()}`, now);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v',
      granted: true,
      at: now,
    });
    const draft = {
      fullName: FULL_NAME,
      address: 'г. Белово, ул. Цветочная, 5',
      maritalStatus: 'married',
      minorChildren: 1,
      birthDate: '1991-02-03',
      phone: PHONE,
      purpose: 'lawyer',
      contactMode: 'phone',
      callMode: 'callback_asap',
    } as const;
    const { id } = await createAppeal(t.db, { contactId: contact.id, consentId, channel: 'web', draft, now });
    return { id, contactId: contact.id };
  }

  beforeAll(async () => {
    t = await engine.create();
    center = await loadBelovo();
    app = await server([admin, anna]);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it('guards by the matched route: an encoded /api/%73taff/… path is checked like /api/staff/…', async () => {
    const session = await staffLogin(app, 'dispatcher', PASSWORD);
    const appeal = await newAppeal();
    const alert = await storeUrgentAlert(t.db, {
      contactId: appeal.contactId,
      channel: 'web',
      signal: 'x',
      now,
    });

    // No body (what a cross-site form or no-cors fetch can send): refused, nothing taken or acknowledged.
    const take = await app.inject({
      method: 'POST',
      url: `/api/%73taff/appeals/${appeal.id}/take`,
      headers: session,
    });
    expect(take.statusCode).toBe(415);
    expect((await getAppeal(t.db, appeal.id))?.status).toBe('new');
    const ack = await app.inject({
      method: 'POST',
      url: `/api/%73taff/urgent/${alert}/ack`,
      headers: session,
    });
    expect(ack.statusCode).toBe(415);
    const row = await t.db.selectFrom('urgent_alerts').selectAll().where('id', '=', alert).executeTakeFirst();
    expect(row?.acknowledged_at).toBeNull();
    // Without a session the encoded path is as closed as the plain one.
    expect((await app.inject({ url: `/api/%73taff/appeals/${appeal.id}` })).statusCode).toBe(401);
    // Read through the encoded path: still never cached.
    const read = await app.inject({ url: `/api/%73taff/appeals/${appeal.id}`, headers: session });
    expect(read.statusCode).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
  });

  it('refuses state-changing staff requests from another site (Origin, Sec-Fetch-Site)', async () => {
    const session = await staffLogin(app, 'dispatcher', PASSWORD);
    const appeal = await newAppeal();
    const url = `/api/staff/appeals/${appeal.id}/take`;
    const tries = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const extra of tries) {
      const response = await app.inject({
        method: 'POST',
        url,
        headers: { ...session, ...json, ...extra },
        payload: {},
      });
      expect(response.statusCode, JSON.stringify(extra)).toBe(403);
      expect(response.json().error).toBe('cross_site');
    }
    // A login from a foreign page is refused too (login CSRF).
    const login = await app.inject({
      method: 'POST',
      url: '/dispatcher/login',
      headers: { ...json, origin: 'https://evil.example' },
      payload: { login: 'dispatcher', password: PASSWORD },
    });
    expect(login.statusCode).toBe(403);
    expect((await getAppeal(t.db, appeal.id))?.status).toBe('new');
    // The inbox page itself: same host, same origin.
    const ok = await app.inject({
      method: 'POST',
      url,
      headers: {
        ...session,
        ...json,
        origin: 'http://localhost:80',
        host: 'localhost:80',
        'sec-fetch-site': 'same-origin',
      },
      payload: {},
    });
    expect(ok.statusCode).toBe(200);
  });

  it('accepts the configured public origin (the address behind a TLS proxy)', async () => {
    const proxied = await server([admin], { publicOrigin: 'https://sd.example.org' });
    try {
      const session = await staffLogin(proxied, 'dispatcher', PASSWORD);
      const appeal = await newAppeal();
      const response = await proxied.inject({
        method: 'POST',
        url: `/api/staff/appeals/${appeal.id}/take`,
        headers: { ...session, ...json, host: '127.0.0.1:3000', origin: 'https://sd.example.org' },
        payload: {},
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it('serves a login page with no inline script; the session cookie is HttpOnly, SameSite=Strict', async () => {
    const page = await app.inject({ url: '/dispatcher/login' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Вход диспетчера');
    expect(page.body).toContain('<script src="/dispatcher/login.js" defer></script>');
    expect(page.body).not.toMatch(/<script>/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = await app.inject({ url: '/dispatcher/login.js' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain("fetch('/dispatcher/login'");

    const login = await app.inject({
      method: 'POST',
      url: '/dispatcher/login',
      headers: json,
      payload: { login: 'dispatcher', password: PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^sd_staff=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain('Secure'); // plain HTTP in this test; see the next one
    const secure = await server([admin], { cookieSecure: 'always' });
    try {
      const behindTls = await secure.inject({
        method: 'POST',
        url: '/dispatcher/login',
        headers: json,
        payload: { login: 'dispatcher', password: PASSWORD },
      });
      expect(String(behindTls.headers['set-cookie'])).toContain('Secure');
    } finally {
      await secure.close();
    }
    // Only a hash of the token is stored.
    const token = cookie.split(';')[0]?.split('=')[1] ?? '';
    const rows = await t.db.selectFrom('staff_sessions').select('token_hash').execute();
    expect(rows.some((row) => row.token_hash === token)).toBe(false);
  });

  it('ends a session after the idle timeout and after its absolute lifetime, whatever the activity', async () => {
    const started = now;
    try {
      const session = await staffLogin(app, 'dispatcher', PASSWORD);
      const list = () => app.inject({ url: '/api/staff/appeals', headers: session });
      now = new Date(started.getTime() + 29 * MINUTE);
      expect((await list()).statusCode).toBe(200);
      now = new Date(now.getTime() + 31 * MINUTE);
      expect((await list()).statusCode).toBe(401);
      expect((await app.inject({ url: '/dispatcher', headers: session })).headers.location).toBe(
        '/dispatcher/login',
      );

      now = started;
      const active = await staffLogin(app, 'dispatcher', PASSWORD);
      for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
        now = new Date(started.getTime() + minutes * MINUTE);
        expect((await app.inject({ url: '/api/staff/audit?limit=1', headers: active })).statusCode).toBe(200);
      }
      now = new Date(started.getTime() + 12 * 60 * MINUTE + MINUTE);
      expect((await app.inject({ url: '/api/staff/appeals', headers: active })).statusCode).toBe(401);
    } finally {
      now = started;
    }
  });

  it('logout ends the session in every process; a removed dispatcher loses access at once', async () => {
    const second = await server([admin, anna]);
    const withoutAnna = await server([admin]);
    try {
      const session = await staffLogin(app, 'anna', ANNA_PASSWORD);
      // Another process on the same database knows the session…
      expect((await second.inject({ url: '/api/staff/appeals', headers: session })).statusCode).toBe(200);
      // …and a process whose dispatchers file no longer lists anna refuses it.
      expect((await withoutAnna.inject({ url: '/api/staff/appeals', headers: session })).statusCode).toBe(
        401,
      );
      const logout = await app.inject({
        method: 'POST',
        url: '/dispatcher/logout',
        headers: { ...session, ...json },
        payload: {},
      });
      expect(logout.statusCode).toBe(200);
      expect(String(logout.headers['set-cookie'])).toMatch(/^sd_staff=;/);
      expect((await app.inject({ url: '/api/staff/appeals', headers: session })).statusCode).toBe(401);
      expect((await second.inject({ url: '/api/staff/appeals', headers: session })).statusCode).toBe(401);
    } finally {
      await second.close();
      await withoutAnna.close();
    }
  });

  it('locks a login after 5 failures and an IP after many; logs failures with the IP, never the password', async () => {
    const started = now;
    const attempt = (login: string, password: string, ip = '203.0.113.7') =>
      app.inject({
        method: 'POST',
        url: '/dispatcher/login',
        headers: json,
        payload: { login, password },
        remoteAddress: ip,
      });
    try {
      for (let i = 0; i < 5; i++) expect((await attempt('anna', `wrong-guess-${i}`)).statusCode).toBe(401);
      // Locked: even the right password waits, and no scrypt work is spent.
      const locked = await attempt('anna', ANNA_PASSWORD, '198.51.100.9');
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect(locked.json().error).toBe('locked');
      // Other logins are not affected.
      expect((await attempt('dispatcher', PASSWORD, '198.51.100.9')).statusCode).toBe(200);
      now = new Date(started.getTime() + 16 * MINUTE);
      expect((await attempt('anna', ANNA_PASSWORD, '198.51.100.9')).statusCode).toBe(200);

      // Per IP: many logins tried from one address.
      for (let i = 0; i < 12; i++) await attempt(`guess${i}`, 'whatever-1', '192.0.2.44');
      const fromThatIp = await attempt('dispatcher', PASSWORD, '192.0.2.44');
      expect(fromThatIp.statusCode).toBe(429);
      expect((await attempt('dispatcher', PASSWORD, '192.0.2.45')).statusCode).toBe(200);
    } finally {
      now = started;
    }
    const failures = logLines.filter((line) => line.includes('dispatcher login failed'));
    expect(failures.length).toBeGreaterThanOrEqual(17);
    expect(
      failures.some((line) => line.includes('"ip":"203.0.113.7"') && line.includes('"login":"anna"')),
    ).toBe(true);
    const everything = logLines.join('\n');
    expect(everything).not.toContain('wrong-guess');
    expect(everything).not.toContain(ANNA_PASSWORD);
    expect(everything).not.toContain(PASSWORD);
    // An unknown name is not logged: a password typed into the wrong field must not reach the log.
    expect(everything).not.toContain('guess3');
  });

  it('answers bad login input politely', async () => {
    const form = await app.inject({
      method: 'POST',
      url: '/dispatcher/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'login=a&password=b',
    });
    expect(form.statusCode).toBe(415);
    for (const payload of [
      {},
      { login: 'dispatcher' },
      { login: 5, password: [] },
      { login: 'x'.repeat(500), password: 'y' },
    ]) {
      const response = await app.inject({ method: 'POST', url: '/dispatcher/login', headers: json, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error).toBe('bad_request');
    }
  });

  it('audits views, actions and exports (who, when, what, from where) without any personal data', async () => {
    const session = await staffLogin(app, 'anna', ANNA_PASSWORD);
    const appeal = await newAppeal();
    const ip = { remoteAddress: '10.1.2.3' };
    const get = (url: string) => app.inject({ url, headers: session, ...ip });
    expect((await get(`/api/staff/appeals/${appeal.id}`)).statusCode).toBe(200);
    // The inbox re-reads an open card every 5 s: one view, not one per poll.
    expect((await get(`/api/staff/appeals/${appeal.id}?after=3`)).statusCode).toBe(200);
    const post = (url: string, payload: object) =>
      app.inject({ method: 'POST', url, headers: { ...session, ...json }, payload, ...ip });
    expect((await post(`/api/staff/appeals/${appeal.id}/take`, {})).statusCode).toBe(200);
    expect(
      (await post(`/api/staff/appeals/${appeal.id}/reply`, { text: `Позвоните ${PHONE}` })).statusCode,
    ).toBe(200);
    expect((await get('/api/staff/reports/appeals.csv?from=2026-01-01&to=2026-01-31')).statusCode).toBe(200);
    expect((await get('/api/staff/reports/appeals.csv?from=2026-01-01&to=2026-01-31')).statusCode).toBe(200);

    const rows = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('actor', '=', 'web:anna')
      .orderBy('id')
      .execute();
    const actions = rows
      .filter((row) => row.ip === '10.1.2.3')
      .map((row) => [row.action, row.appeal_id, row.status]);
    expect(actions).toEqual([
      ['appeal.view', appeal.id, 200],
      ['appeal.take', appeal.id, 200],
      ['appeal.reply', appeal.id, 200],
      ['reports.export', null, 200],
      ['reports.export', null, 200],
    ]);
    expect(rows.find((row) => row.action === 'reports.export')?.object_id).toBe('2026-01-01..2026-01-31');
    expect(rows.find((row) => row.action === 'appeal.take')?.route).toBe('/api/staff/appeals/:id/:action');
    expect(rows.some((row) => row.action === 'login')).toBe(true);
    const dump = JSON.stringify(await t.db.selectFrom('audit_log').selectAll().execute());
    for (const secret of [FULL_NAME, PHONE, 'Позвоните', 'Цветочная', ANNA_PASSWORD])
      expect(dump).not.toContain(secret);
  });

  it('shows the access log to administrators only, newest first, in pages', async () => {
    const annaSession = await staffLogin(app, 'anna', ANNA_PASSWORD);
    const forbidden = await app.inject({ url: '/api/staff/audit', headers: annaSession });
    expect(forbidden.statusCode).toBe(403);
    const adminSession = await staffLogin(app, 'dispatcher', PASSWORD);
    const first = await app.inject({ url: '/api/staff/audit?limit=3', headers: adminSession });
    expect(first.statusCode).toBe(200);
    const page1 = first.json() as {
      entries: Array<{ id: number; actorName: string; action: string }>;
      next: number;
    };
    expect(page1.entries).toHaveLength(3);
    expect(page1.entries[0]?.id).toBeGreaterThan(page1.entries[2]?.id ?? 0);
    expect(page1.entries.some((entry) => entry.actorName === 'Анна')).toBe(true);
    const page2 = (
      await app.inject({ url: `/api/staff/audit?limit=3&before=${page1.next}`, headers: adminSession })
    ).json();
    expect(page2.entries[0].id).toBeLessThan(page1.entries[2]?.id ?? 0);
    expect((await app.inject({ url: '/api/staff/audit?limit=9999', headers: adminSession })).statusCode).toBe(
      400,
    );
    expect((await app.inject({ url: '/api/staff/audit?before=abc', headers: adminSession })).statusCode).toBe(
      400,
    );
  });
});

describe.each(ENGINES)('audit log on $name', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('is append-only: the database refuses UPDATE and DELETE', async () => {
    const at = new Date();
    await appendAudit(t.db, {
      at,
      actor: 'web:anna',
      action: 'appeal.view',
      method: 'GET',
      route: '/x',
      status: 200,
    });
    await expect(sql`update audit_log set actor = 'someone else'`.execute(t.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    expect(await t.db.selectFrom('audit_log').select('actor').execute()).toEqual([{ actor: 'web:anna' }]);
  });
});
