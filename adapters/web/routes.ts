import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Translator } from '../../bot/i18n.ts';
import type { Runtime } from '../../bot/runtime.ts';
import { LOCALES, type Locale, toLocale } from '../../config/center.ts';
import { setContactLocale, upsertContact } from '../../storage/contacts.ts';
import type { Db } from '../../storage/db.ts';
import { messagesAfter, type StoredMessage } from '../../storage/messages.ts';
import type { Contact } from '../../storage/schema.ts';
import { endWebSession, findLiveWebContact, touchContact } from '../../storage/web-sessions.ts';
import {
  clearSessionCookie,
  newSessionToken,
  sessionExternalId,
  sessionTokenOf,
  setSessionCookie,
} from './chat-session.ts';
import { MAX_TEXT_LENGTH, PostMessageBody, toInboundUpdate } from './events.ts';
import { DEFAULT_WEB_LIMITS, limiter, overLimit, type WebChatLimits } from './limits.ts';
import { StreamRegistry } from './streams.ts';
import { dbInt } from './validation.ts';

export type WebChatOptions = {
  runtime: Runtime;
  db: Db;
  translator: Translator;
  heartbeatMs?: number;
  limits?: Partial<WebChatLimits>;
  /** With Redis the rate-limit counters are shared by every process (and survive a restart). */
  redis?: Redis;
  redisPrefix?: string;
  clock?: () => Date;
};

const PAGE_URL = new URL('./page.html', import.meta.url);
const SCRIPT_URL = new URL('./chat.js', import.meta.url);
const STYLE_URL = new URL('./chat.css', import.meta.url);
const UI_KEYS = [
  'web-title',
  'web-placeholder',
  'web-send',
  'web-offline',
  'web-send-failed',
  'web-rate-limited',
  'web-forget',
  'web-forget-confirm',
  'web-forgotten',
  'web-new-chat',
  'web-replaced',
] as const;

const DAY_MS = 24 * 3600_000;
/** Bounded like a message id: a cursor past any id the database can hold is a client error, not a 500. */
const Cursor = z.coerce.number().int().min(0).max(2_147_483_647).default(0);
const HistoryQuery = z.object({ after: dbInt('after').default(0) });
const LocaleBody = z.object({ locale: z.enum(LOCALES).default('ru') });

/** A validation failure answered in words a person can read, never a stack trace. */
function badRequest(reply: FastifyReply, error: z.ZodError) {
  return reply
    .code(400)
    .send({ error: 'bad_request', message: error.issues.map((issue) => issue.message).join('; ') });
}

const unknownSession = (reply: FastifyReply) =>
  reply.code(404).send({ error: 'unknown_session', message: 'chat session not found or ended' });

const toWire = (message: StoredMessage) => ({
  id: message.id,
  direction: message.direction,
  ...message.body,
});

/**
 * The web chat channel: a page at `/`, a JSON API to post what the person did, and a server-sent-events
 * stream of everything the assistant (and later a dispatcher) says. The transcript lives in the database,
 * so a reload, a second tab or a dropped connection catches up from the last message id it saw.
 * The session travels in an HttpOnly cookie (see chat-session.ts); every route is rate-limited (limits.ts).
 */
export async function registerWebChat(app: FastifyInstance, options: WebChatOptions): Promise<void> {
  // Encapsulated: the rate-limit plugin and its counters belong to the chat routes only.
  await app.register(async (scope) => {
    await scope.register(rateLimit, {
      global: false,
      // A Redis hiccup must not lock families out of the chat.
      skipOnError: true,
      ...(options.redis
        ? { redis: options.redis, nameSpace: `${options.redisPrefix ?? 'sd'}:web-rate-limit:` }
        : {}),
    });
    await registerRoutes(scope, options);
  });
}

async function registerRoutes(app: FastifyInstance, options: WebChatOptions): Promise<void> {
  const { runtime, db, translator } = options;
  const limits = { ...DEFAULT_WEB_LIMITS, ...options.limits };
  const clock = options.clock ?? (() => new Date());
  const idleSince = () => new Date(clock().getTime() - limits.sessionIdleDays * DAY_MS);
  const cookieAge = limits.sessionIdleDays * 24 * 3600;
  const [page, script, style] = await Promise.all([
    readFile(PAGE_URL, 'utf8'),
    readFile(SCRIPT_URL, 'utf8'),
    readFile(STYLE_URL, 'utf8'),
  ]);
  const wakeUps = new EventEmitter().setMaxListeners(0);
  runtime.onOutbound((channel, externalId) => {
    if (channel === 'web') wakeUps.emit(externalId);
  });
  const streams = new StreamRegistry(limits.streamsPerSession);

  const ip = (request: FastifyRequest) => request.ip;
  const session = (request: FastifyRequest) => {
    const token = sessionTokenOf(request);
    return token ? sessionExternalId(token) : `none:${request.ip}`;
  };
  const reads = limiter(app, 'read-ip', limits.readsPerIp, 60_000, ip);
  const sessionsPerIp = limiter(app, 'session-ip', limits.sessionsPerIp, 10 * 60_000, ip);
  const messagesPerIp = limiter(app, 'message-ip', limits.messagesPerIp, 60_000, ip);
  const messagesPerSession = limiter(app, 'message-session', limits.messagesPerSession, 60_000, session);

  /** The caller's live session contact (idle ones are ended on the way), or undefined. */
  const currentContact = async (request: FastifyRequest): Promise<Contact | undefined> => {
    const token = sessionTokenOf(request);
    return token ? findLiveWebContact(db, sessionExternalId(token), idleSince()) : undefined;
  };

  const asset = (body: string, type: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (await overLimit(request, reply, translator, [reads])) return reply;
    return reply.type(type).header('cache-control', 'no-cache').send(body);
  };
  app.get('/', asset(page, 'text/html; charset=utf-8'));
  app.get('/web/chat.js', asset(script, 'text/javascript; charset=utf-8'));
  app.get('/web/chat.css', asset(style, 'text/css; charset=utf-8'));

  app.get('/api/web/strings', async (request, reply) => {
    if (await overLimit(request, reply, translator, [reads])) return reply;
    const parsed = LocaleBody.safeParse(request.query);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const locale: Locale = parsed.data.locale;
    return Object.fromEntries(UI_KEYS.map((key) => [key, translator.t(locale, { key })]));
  });

  app.post('/api/web/sessions', async (request, reply) => {
    if (await overLimit(request, reply, translator, [sessionsPerIp])) return reply;
    const parsed = LocaleBody.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, parsed.error);
    const token = newSessionToken();
    const contact = await upsertContact(db, 'web', sessionExternalId(token), clock());
    await setContactLocale(db, contact.id, parsed.data.locale);
    setSessionCookie(reply, token, cookieAge);
    return reply.code(201).send({ ok: true });
  });

  // «Завершить и забыть чат»: the token stops working at once, open streams of the session are closed.
  app.post('/api/web/sessions/end', async (request, reply) => {
    if (await overLimit(request, reply, translator, [messagesPerIp])) return reply;
    const contact = await currentContact(request);
    clearSessionCookie(reply);
    if (!contact) return { ok: true };
    await endWebSession(db, contact.id);
    streams.closeAll(contact.external_id, 'ended');
    return { ok: true };
  });

  app.post('/api/web/messages', async (request, reply) => {
    if (await overLimit(request, reply, translator, [messagesPerIp, messagesPerSession])) return reply;
    const parsed = PostMessageBody.safeParse(request.body);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const body = parsed.data;
    const contact = await currentContact(request);
    if (!contact) return unknownSession(reply);
    if (body.event.type === 'text' && body.event.text.length > MAX_TEXT_LENGTH) {
      const locale = toLocale(contact.locale);
      return reply.code(422).send({
        error: 'too_long',
        message: translator.t(locale, { key: 'error-message-too-long', args: { max: MAX_TEXT_LENGTH } }),
      });
    }
    const result = await runtime.handle(toInboundUpdate(contact.external_id, body));
    if (result.status === 'duplicate') return { status: 'duplicate' };
    return reply.code(result.status === 'failed' ? 500 : 200).send(result);
  });

  /** Opening the chat counts as activity: the idle clock and the cookie's lifetime start again. */
  const resume = async (request: FastifyRequest, reply: FastifyReply, contact: Contact) => {
    await touchContact(db, contact.id, clock());
    const token = sessionTokenOf(request);
    if (token) setSessionCookie(reply, token, cookieAge);
  };

  // The page cannot see its HttpOnly cookie: it asks whether it has a live chat (no 404 in the console).
  app.get('/api/web/session', async (request, reply) => {
    if (await overLimit(request, reply, translator, [reads])) return reply;
    const contact = await currentContact(request);
    if (contact) await resume(request, reply, contact);
    return reply.header('cache-control', 'no-store').send({ active: contact !== undefined });
  });

  app.get('/api/web/messages', async (request, reply) => {
    if (await overLimit(request, reply, translator, [reads])) return reply;
    const parsed = HistoryQuery.safeParse(request.query);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const contact = await currentContact(request);
    if (!contact) return unknownSession(reply);
    await resume(request, reply, contact);
    const messages = await messagesAfter(db, contact.id, parsed.data.after);
    // A family's transcript: never kept by the browser's or a proxy's cache (shared phones).
    return reply.header('cache-control', 'no-store').send({ messages: messages.map(toWire) });
  });

  app.get('/api/web/events', async (request, reply) => {
    if (await overLimit(request, reply, translator, [reads])) return reply;
    const parsed = HistoryQuery.safeParse(request.query);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const contact = await currentContact(request);
    if (!contact) return unknownSession(reply);
    const sessionKey = contact.external_id;
    // EventSource reconnects with Last-Event-ID; that wins over the query so nothing is sent twice.
    const lastEventId = Cursor.safeParse(request.headers['last-event-id']);
    let cursor = lastEventId.success && lastEventId.data > 0 ? lastEventId.data : parsed.data.after;

    reply.hijack();
    reply.raw.writeHead(200, {
      // Hijacked: the security headers set by the hooks must be copied by hand.
      ...(reply.getHeaders() as OutgoingHttpHeaders),
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
    const cleanUp = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      wakeUps.off(sessionKey, flush);
      streams.remove(sessionKey, stream);
    };
    // Told to stop (another tab took over, or the chat was ended): a named event the page acts on, then close.
    const stream = {
      close: (reason: 'replaced' | 'ended') => {
        if (closed) return;
        reply.raw.write(`event: ${reason}\ndata: {}\n\n`);
        cleanUp();
        reply.raw.end();
      },
    };
    streams.add(sessionKey, stream);
    wakeUps.on(sessionKey, flush);
    request.raw.on('close', cleanUp);
    flush();
  });
}
