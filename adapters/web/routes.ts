import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Translator } from '../../bot/i18n.ts';
import type { Runtime } from '../../bot/runtime.ts';
import { LOCALES, type Locale, toLocale } from '../../config/center.ts';
import { findContact, setContactLocale, upsertContact } from '../../storage/contacts.ts';
import type { Db } from '../../storage/db.ts';
import { messagesAfter, type StoredMessage } from '../../storage/messages.ts';
import { MAX_TEXT_LENGTH, PostMessageBody, SessionId, toInboundUpdate } from './events.ts';
import { dbInt, MAX_DB_INT } from './validation.ts';

export type WebChatOptions = { runtime: Runtime; db: Db; translator: Translator; heartbeatMs?: number };

const PAGE_URL = new URL('./page.html', import.meta.url);
const UI_KEYS = ['web-title', 'web-placeholder', 'web-send', 'web-offline', 'web-send-failed'] as const;

const HistoryQuery = z.object({ sessionId: SessionId, after: dbInt('after').default(0) });
const LocaleBody = z.object({ locale: z.enum(LOCALES).default('ru') });

/** A validation failure answered in words a person can read, never a stack trace. */
function badRequest(reply: FastifyReply, error: z.ZodError) {
  return reply
    .code(400)
    .send({ error: 'bad_request', message: error.issues.map((issue) => issue.message).join('; ') });
}

const toWire = (message: StoredMessage) => ({
  id: message.id,
  direction: message.direction,
  ...message.body,
});

/**
 * The web chat channel: a page at `/`, a JSON API to post what the person did, and a server-sent-events
 * stream of everything the assistant (and later a dispatcher) says. The transcript lives in the database,
 * so a reload, a second tab or a dropped connection catches up from the last message id it saw.
 */
export async function registerWebChat(app: FastifyInstance, options: WebChatOptions): Promise<void> {
  const { runtime, db, translator } = options;
  const page = await readFile(PAGE_URL, 'utf8');
  const wakeUps = new EventEmitter().setMaxListeners(0);
  runtime.onOutbound((channel, externalId) => {
    if (channel === 'web') wakeUps.emit(externalId);
  });

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));

  app.get('/api/web/strings', async (request, reply) => {
    const parsed = LocaleBody.safeParse(request.query);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const locale: Locale = parsed.data.locale;
    return Object.fromEntries(UI_KEYS.map((key) => [key, translator.t(locale, { key })]));
  });

  app.post('/api/web/sessions', async (request, reply) => {
    const parsed = LocaleBody.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, parsed.error);
    const sessionId = randomBytes(32).toString('base64url');
    const contact = await upsertContact(db, 'web', sessionId, new Date());
    await setContactLocale(db, contact.id, parsed.data.locale);
    return reply.code(201).send({ sessionId });
  });

  app.post('/api/web/messages', async (request, reply) => {
    const parsed = PostMessageBody.safeParse(request.body);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const body = parsed.data;
    const contact = await findContact(db, 'web', body.sessionId);
    if (!contact)
      return reply.code(404).send({ error: 'unknown_session', message: 'chat session not found' });
    if (body.event.type === 'text' && body.event.text.length > MAX_TEXT_LENGTH) {
      const locale = toLocale(contact.locale);
      return reply.code(422).send({
        error: 'too_long',
        message: translator.t(locale, { key: 'error-message-too-long', args: { max: MAX_TEXT_LENGTH } }),
      });
    }
    const result = await runtime.handle(toInboundUpdate(body));
    if (result.status === 'duplicate') return { status: 'duplicate' };
    return reply.code(result.status === 'failed' ? 500 : 200).send(result);
  });

  app.get('/api/web/messages', async (request, reply) => {
    const parsed = HistoryQuery.safeParse(request.query);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const contact = await findContact(db, 'web', parsed.data.sessionId);
    if (!contact)
      return reply.code(404).send({ error: 'unknown_session', message: 'chat session not found' });
    const messages = await messagesAfter(db, contact.id, parsed.data.after);
    return { messages: messages.map(toWire) };
  });

  app.get('/api/web/events', async (request, reply) => {
    const parsed = HistoryQuery.safeParse(request.query);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const { sessionId } = parsed.data;
    const contact = await findContact(db, 'web', sessionId);
    if (!contact)
      return reply.code(404).send({ error: 'unknown_session', message: 'chat session not found' });
    // EventSource reconnects with Last-Event-ID; that wins over the query so nothing is sent twice.
    // A header out of the database's range is ignored (it would fail every query and the stream would stay silent).
    const lastEventId = Number(request.headers['last-event-id']);
    const fromHeader = Number.isInteger(lastEventId) && lastEventId > 0 && lastEventId <= MAX_DB_INT;
    let cursor = fromHeader ? lastEventId : parsed.data.after;

    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.write('retry: 2000\n\n');

    let flushing: Promise<void> = Promise.resolve();
    let closed = false;
    const flush = () => {
      flushing = flushing
        .then(async () => {
          if (closed) return;
          const messages = await messagesAfter(db, contact.id, cursor);
          for (const message of messages) {
            reply.raw.write(`id: ${message.id}\ndata: ${JSON.stringify(toWire(message))}\n\n`);
            cursor = message.id;
          }
        })
        .catch((error: unknown) => request.log.warn({ err: error }, 'web chat stream flush failed'));
    };
    const heartbeat = setInterval(() => reply.raw.write(': ping\n\n'), options.heartbeatMs ?? 25_000);
    wakeUps.on(sessionId, flush);
    request.raw.on('close', () => {
      closed = true;
      clearInterval(heartbeat);
      wakeUps.off(sessionId, flush);
    });
    flush();
  });
}
