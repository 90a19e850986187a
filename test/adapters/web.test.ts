import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';
import { sessionCookie } from '../support/web-session.ts';

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('web chat channel', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let runtime: Runtime;

  beforeAll(async () => {
    t = await engine.create();
    const center = await loadBelovo();
    const translator = new Translator();
    runtime = new Runtime({ db: t.db, center, translator, scheduler: noScheduler, logger: silentLogger });
    app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger: silentLogger,
      dispatcherPassword: 'secret-pass',
    });
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  async function newSession(locale?: string): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: '/api/web/sessions',
      payload: locale ? { locale } : {},
    });
    expect(response.statusCode, response.body).toBe(201);
    return sessionCookie(response);
  }

  function post(sessionId: string, event: unknown, messageId: string = randomUUID()) {
    return app.inject({
      method: 'POST',
      url: '/api/web/messages',
      headers: { 'x-chat-session': sessionId },
      payload: { messageId, event },
    });
  }

  it('serves the chat page', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<script src="/web/chat.js"');
    expect(response.body).not.toMatch(/<script>|<style>| on[a-z]+="/);
    expect((await app.inject({ url: '/web/chat.js' })).body).toContain('EventSource');
  });

  it('serves UI strings per locale', async () => {
    expect((await app.inject({ url: '/api/web/strings?locale=en' })).json()['web-send']).toBe('Send');
    expect((await app.inject({ url: '/api/web/strings' })).json()['web-send']).toBe('Отправить');
    expect((await app.inject({ url: '/api/web/strings?locale=xx' })).statusCode).toBe(400);
  });

  // Table-driven: malformed requests get a 4xx with a readable message and never reach the flow.
  it.each([
    ['no body', undefined, 400],
    ['bad message id', { messageId: 'nope', event: { type: 'start' } }, 400],
    ['unknown event', { messageId: randomUUID(), event: { type: 'photo' } }, 400],
    ['empty text', { messageId: randomUUID(), event: { type: 'text', text: '' } }, 400],
    [
      'payload over 64 bytes',
      { messageId: randomUUID(), event: { type: 'button', payload: 'x'.repeat(65) } },
      400,
    ],
    ['unknown session', { messageId: randomUUID(), event: { type: 'start' } }, 404],
    // The old way (token in the body) opens nothing any more.
    [
      'session in the body',
      { sessionId: 'a'.repeat(43), messageId: randomUUID(), event: { type: 'start' } },
      404,
    ],
  ])('rejects %s', async (_name, payload, status) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/web/messages',
      headers: { 'x-chat-session': 'b'.repeat(43) },
      payload: payload as object,
    });
    expect(response.statusCode).toBe(status);
    expect(typeof response.json().message).toBe('string');
  });

  it('answers an over-long message politely instead of failing', async () => {
    const sessionId = await newSession();
    const response = await post(sessionId, { type: 'text', text: 'а'.repeat(5000) });
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toContain('сократите');
  });

  it('greets, answers buttons and de-duplicates a retried POST', async () => {
    const sessionId = await newSession();
    const greeting = await post(sessionId, { type: 'start' });
    expect(greeting.statusCode).toBe(200);
    expect(greeting.json().replies[0].text).toContain('Здравствуйте');
    const messageId = randomUUID();
    const first = await post(sessionId, { type: 'button', payload: 'menu:contacts' }, messageId);
    const retry = await post(sessionId, { type: 'button', payload: 'menu:contacts' }, messageId);
    expect(first.json().replies[0].text).toContain('3-06-56');
    expect(retry.json()).toEqual({ status: 'duplicate' });
    const headers = { 'x-chat-session': sessionId };
    const history = (await app.inject({ url: '/api/web/messages', headers })).json().messages;
    expect(history.map((m: { direction: string }) => m.direction)).toEqual(['out', 'out']);
    const later = (await app.inject({ url: `/api/web/messages?after=${history[0].id}`, headers })).json();
    expect(later.messages).toHaveLength(1);
  });

  it('uses the locale chosen when the session was created', async () => {
    const sessionId = await newSession('en');
    const greeting = await post(sessionId, { type: 'start' });
    expect(greeting.json().replies[0].text).toContain('Hello!');
  });

  it('streams messages over server-sent events, catching up from Last-Event-ID', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const sessionId = await newSession();
    await post(sessionId, { type: 'start' });
    const received: Array<{ id: number; text: string }> = [];
    const stream = httpRequest(`${address}/api/web/events?after=0`, {
      headers: { cookie: `sd_chat=${sessionId}` },
    });
    const done = new Promise<void>((resolve, reject) => {
      stream.on('response', (response) => {
        expect(response.headers['content-type']).toContain('text/event-stream');
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split('\n').find((line) => line.startsWith('data: '));
            if (data) received.push(JSON.parse(data.slice(6)));
            if (received.length === 2) resolve();
            end = buffer.indexOf('\n\n');
          }
        });
      });
      stream.on('error', reject);
    });
    stream.end();
    // The backlog (greeting) arrives first, then a message produced while the stream is open.
    await new Promise((r) => setTimeout(r, 100));
    await post(sessionId, { type: 'button', payload: 'menu:outreach' });
    await done;
    stream.destroy();
    expect(received[0]?.text).toContain('Здравствуйте');
    expect(received[1]?.text).toContain('Грамотеино');
    expect((received[1]?.id ?? 0) > (received[0]?.id ?? 0)).toBe(true);
  });

  it('an out-of-range cursor is a polite 400; an out-of-range Last-Event-ID does not silence the stream', async () => {
    const sessionId = await newSession();
    await post(sessionId, { type: 'start' });
    for (const url of ['/api/web/messages', '/api/web/events']) {
      const bad = await app.inject({
        url: `${url}?after=2147483648`,
        headers: { 'x-chat-session': sessionId },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/after must be at most 2147483647/);
    }
    const address = app.server.listening
      ? app.listeningOrigin
      : await app.listen({ host: '127.0.0.1', port: 0 });
    const first = await new Promise<string>((resolve, reject) => {
      const stream = httpRequest(`${address}/api/web/events?after=0`, {
        headers: { 'last-event-id': '2147483648', 'x-chat-session': sessionId },
      });
      stream.on('response', (response) => {
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          buffer += chunk;
          const data = buffer.split('\n').find((line) => line.startsWith('data: '));
          if (data) {
            resolve(data);
            stream.destroy();
          }
        });
      });
      stream.on('error', reject);
      stream.end();
    });
    expect(first).toContain('Здравствуйте');
  });

  it('stores a message with NUL, a lone surrogate and a bidi override cleaned, and answers it normally', async () => {
    const sessionId = await newSession();
    const tap = async (
      reply: { json(): { replies: Array<{ buttons?: Array<Array<{ label: string; payload: string }>> }> } },
      label: string,
    ) => {
      const button = reply
        .json()
        .replies.flatMap((r) => r.buttons?.flat() ?? [])
        .find((b) => b.label.includes(label));
      expect(button, label).toBeDefined();
      return post(sessionId, { type: 'button', payload: button?.payload ?? '' });
    };
    await post(sessionId, { type: 'start' });
    await post(sessionId, { type: 'button', payload: 'menu:intake' });
    const consent = await post(sessionId, { type: 'button', payload: 'story:skip' });
    await tap(consent, 'Согласен');
    // The name question: the answer is kept in the conversation draft (PostgreSQL jsonb refuses NUL).
    const response = await post(sessionId, {
      type: 'text',
      text: 'Кузне\u0000цова \u202EЕлена Сергеевна\u0007',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().status).toBe('processed');
    expect(JSON.stringify(response.json().replies)).not.toMatch(/пошло не так/);
    const states = await t.db.selectFrom('conversations').selectAll().execute();
    const stored = JSON.stringify(states);
    expect(stored).toContain('Кузнецова Елена');
    expect(stored).not.toMatch(/\\u0000|\\u0007|\u202e/i);
  });

  it('keeps the dispatcher page behind a login', async () => {
    // No browser password prompt: the page sends the visitor to the login form.
    const anonymous = await app.inject({ url: '/dispatcher' });
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toBe('/dispatcher/login');
    expect(anonymous.headers['www-authenticate']).toBeUndefined();
    await expect(staffLogin(app, 'dispatcher', 'wrong-pass')).rejects.toThrow(/401/);
    const forged = await app.inject({ url: '/dispatcher', headers: { cookie: 'sd_staff=forged' } });
    expect(forged.statusCode).toBe(302);
    const page = await app.inject({
      url: '/dispatcher',
      headers: await staffLogin(app, 'dispatcher', 'secret-pass'),
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Обращения');
    expect(page.headers['cache-control']).toBe('no-store');
  });
});
