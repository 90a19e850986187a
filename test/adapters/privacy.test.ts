import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { createLogger } from '../../bot/logger.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';
import { sessionCookie } from '../support/web-session.ts';

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('personal data stays out of logs and markup', () => {
  let t: TestDatabase;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('logs a whole intake, errors included, without personal data or session tokens', async () => {
    const logger = createLogger('trace', { destination: { write: (line: string) => lines.push(line) } });
    const center = await loadBelovo();
    const translator = new Translator();
    const runtime = new Runtime({ db: t.db, center, translator, scheduler: noScheduler, logger });
    const app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger,
      dispatcherPassword: 'secret-pass',
    });
    const sessionId = sessionCookie(
      await app.inject({ method: 'POST', url: '/api/web/sessions', payload: {} }),
    );
    const send = (event: object) =>
      app.inject({
        method: 'POST',
        url: '/api/web/messages',
        cookies: { sd_chat: sessionId },
        payload: { messageId: randomUUID(), event },
      });
    const steps: object[] = [
      { type: 'start' },
      { type: 'button', payload: 'menu:intake' },
      { type: 'button', payload: 'story:skip' },
      { type: 'button', payload: 'consent:yes' },
      { type: 'text', text: 'Журавлёва Дарья Олеговна' },
      { type: 'text', text: 'мкр Бабанаково, ул. Хмельницкого, 1' },
      { type: 'button', payload: 'marital:married' },
      { type: 'button', payload: 'children:4' },
      { type: 'text', text: '17.09.1991' },
      { type: 'text', text: '+7 923 555-01-02' },
      { type: 'button', payload: 'purpose:other' },
      { type: 'text', text: 'Секретная история про долги' },
      { type: 'button', payload: 'format:in_person' },
      { type: 'button', payload: 'confirm:submit' },
    ];
    for (const event of steps) expect((await send(event)).statusCode).toBe(200);
    await app.inject({ url: '/api/web/messages', cookies: { sd_chat: sessionId } });
    // A failing update logs an error: it must not echo the row values either.
    await t.db.schema.alterTable('messages').renameTo('messages_gone').execute();
    expect((await send({ type: 'text', text: 'Журавлёва снова пишет' })).statusCode).toBe(500);
    await t.db.schema.alterTable('messages_gone').renameTo('messages').execute();
    await app.close();

    // pino's own numbers (timestamp, pid, duration) are left out of the search: a timestamp such as
    // 1795620879234 contains "923" and would otherwise make the phone-fragment check fail by chance.
    const log = lines
      .map((line) => {
        const { time: _time, pid: _pid, ms: _ms, ...content } = JSON.parse(line);
        return JSON.stringify(content);
      })
      .join('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(log).toContain('appeal registered');
    expect(log).toContain('update processing failed');
    for (const secret of [
      'Журавлёва',
      'Бабанаково',
      '17.09.1991',
      '1991-09-17',
      '923',
      'Секретная',
      sessionId,
    ]) {
      expect(log, `log contains ${secret}`).not.toContain(secret);
    }
  });

  it('never puts what families typed into the dispatcher page markup', async () => {
    const logger = pino({ level: 'silent' });
    const center = await loadBelovo();
    const translator = new Translator();
    const runtime = new Runtime({ db: t.db, center, translator, scheduler: noScheduler, logger });
    const app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger,
      dispatcherPassword: 'secret-pass',
    });
    await t.db
      .updateTable('appeals')
      .set({ need_text: '<script>alert(1)</script>', address: '<img src=x onerror=alert(1)>' })
      .execute();
    const session = await staffLogin(app, 'dispatcher', 'secret-pass');
    // The inbox page is a fixed client: no family data is ever put into its markup.
    const page = await app.inject({ url: '/dispatcher', headers: session });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Журавлёва');
    expect(page.body).not.toContain('alert(1)');
    // Its script puts data on the page as text only, and the policy runs nothing but that script.
    expect(page.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    // The data comes as JSON, which a browser never renders as markup.
    const list = await app.inject({ url: '/api/staff/appeals?status=all', headers: session });
    expect(list.headers['content-type']).toMatch(/^application\/json/);
    expect(list.body).toContain('Журавлёва Дарья Олеговна');
    const [first] = list.json().appeals as Array<{ id: number }>;
    const detail = await app.inject({
      url: `/api/staff/appeals/${first?.id}`,
      headers: session,
    });
    expect(detail.headers['content-type']).toMatch(/^application\/json/);
    expect(detail.json().appeal).toMatchObject({
      needText: '<script>alert(1)</script>',
      address: '<img src=x onerror=alert(1)>',
    });
    await app.close();
  });
});
