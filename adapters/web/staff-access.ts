import { readFile } from 'node:fs/promises';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Dispatcher, DispatcherDirectory } from '../../config/dispatchers.ts';
import type { Db } from '../../storage/db.ts';
import {
  appendAudit,
  clearLoginFailures,
  createStaffSession,
  endStaffSession,
  loginFailureTimes,
  recordLoginFailure,
  touchStaffSession,
} from '../../storage/staff-access.ts';
import { auditActionOf } from './audit.ts';
import { describeIssues } from './validation.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The dispatcher of a live session; set by the staff area's login check. */
    dispatcher?: Dispatcher;
  }
}

export const SESSION_COOKIE = 'sd_staff';
export const LOGIN_PATH = '/dispatcher/login';

export type StaffAccessSettings = {
  /** A session unused this long ends (default 30 min). */
  idleMs?: number;
  /** A session ends this long after login however active (default 12 h). */
  maxMs?: number;
  /** Secure cookie: "auto" follows request.protocol (needs trustProxy behind a TLS proxy). */
  cookieSecure?: 'auto' | 'always' | 'never';
  /** Failed logins per login name / per client IP within `windowMs` that lock it for `lockMs`. */
  maxLoginFailures?: number;
  maxIpFailures?: number;
  failureWindowMs?: number;
  lockMs?: number;
  /** The public address (e.g. https://sd.example.org) an Origin header may name besides the Host. */
  publicOrigin?: string;
};

export type StaffAreaOptions = StaffAccessSettings & {
  db: Db;
  directory: DispatcherDirectory;
  logger: Logger;
  clock?: () => Date;
};

type Limits = Required<Omit<StaffAccessSettings, 'publicOrigin'>> & { publicOrigin?: string };

const MINUTE = 60_000;
const defaults = (settings: StaffAccessSettings): Limits => ({
  idleMs: settings.idleMs ?? 30 * MINUTE,
  maxMs: settings.maxMs ?? 12 * 60 * MINUTE,
  cookieSecure: settings.cookieSecure ?? 'auto',
  maxLoginFailures: settings.maxLoginFailures ?? 5,
  maxIpFailures: settings.maxIpFailures ?? 20,
  failureWindowMs: settings.failureWindowMs ?? 15 * MINUTE,
  lockMs: settings.lockMs ?? 15 * MINUTE,
  publicOrigin: settings.publicOrigin,
});

const LOGIN_PAGE = new URL('./login.html', import.meta.url);
const LOGIN_SCRIPT = new URL('./login.js', import.meta.url);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A media type without parameters, lower-cased: "application/json; charset=utf-8" → "application/json". */
const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

const forbidden = (reply: FastifyReply, message: string) =>
  reply.code(403).send({ error: 'cross_site', message });

/**
 * Cross-site request forgery guard for every state-changing request of the staff area. Browsers say where a
 * request comes from: `Sec-Fetch-Site` (anything but same-origin — a sibling subdomain is "same-site" and may be
 * someone else's — is refused) and `Origin` (must name this host or the configured public origin). Clients that
 * send neither (curl, scripts) are left to the JSON-only rule and the SameSite=Strict cookie.
 */
export function crossSiteProblem(request: FastifyRequest, publicOrigin?: string): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `Sec-Fetch-Site: ${site} — staff actions are accepted only from the inbox page itself`;
  }
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  if (publicOrigin !== undefined && origin === publicOrigin) return undefined;
  return sameHost(origin, request.host)
    ? undefined
    : 'Origin does not match this server — staff actions are accepted only from the inbox page itself';
}

/** Default ports: "http://x" and "x:80" are the same server, and so are "https://x:443" and "x". */
const DEFAULT_PORTS = new Set(['', '80', '443']);

function sameHost(origin: string, host: string): boolean {
  try {
    const from = new URL(origin);
    const here = new URL(`http://${host}`);
    const port = (url: URL) => (DEFAULT_PORTS.has(url.port) ? '' : url.port);
    return from.hostname === here.hostname && port(from) === port(here);
  } catch {
    return false;
  }
}

/**
 * A lock is on while `max` failures fell within one window and the last of them is less than `lockMs` ago.
 * `times` ascending. Returns when the lock ends, or undefined.
 */
export function lockedUntil(
  times: readonly Date[],
  max: number,
  windowMs: number,
  lockMs: number,
  now: Date,
) {
  for (let last = times.length - 1; last >= max - 1; last--) {
    const end = times[last]?.getTime() ?? 0;
    const first = times[last - max + 1]?.getTime() ?? 0;
    if (end + lockMs <= now.getTime()) return undefined;
    if (end - first <= windowMs) return new Date(end + lockMs);
  }
  return undefined;
}

const LoginBody = z.object({
  login: z
    .string({ error: 'login is required' })
    .trim()
    .min(1, 'login is required')
    .max(100, 'login is too long'),
  password: z
    .string({ error: 'password is required' })
    .min(1, 'password is required')
    .max(1000, 'password is too long'),
});

/** An id from route params, when it is one (the handler itself answers 400 for junk). */
const numericId = (value: unknown) => {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
};

/**
 * The staff area: one encapsulated fastify context holding the login page, the inbox page and every staff API
 * route. Its hooks run for the routes registered inside it — matched by the router, so `/api/%73taff/…` is
 * guarded exactly like `/api/staff/…` (a guard testing the raw URL was not). `registerApi` adds the JSON API
 * routes (all need a live session), `registerPage` the pages that redirect to the login instead.
 */
export async function registerStaffArea(
  app: FastifyInstance,
  options: StaffAreaOptions,
  registerPage: (page: FastifyInstance) => Promise<void> | void,
  registerApi: (api: FastifyInstance) => Promise<void> | void,
): Promise<void> {
  const limits = defaults(options);
  const { db, directory, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const [loginPage, loginScript] = await Promise.all([
    readFile(LOGIN_PAGE, 'utf8'),
    readFile(LOGIN_SCRIPT, 'utf8'),
  ]);

  await app.register(async (area) => {
    if (!area.hasRequestDecorator('cookies')) await area.register(fastifyCookie);
    area.decorateRequest('dispatcher', undefined);
    area.addHook('onRequest', async (request, reply) => {
      const problem = crossSiteProblem(request, limits.publicOrigin);
      if (!problem) return;
      request.log.warn(
        { ip: request.ip, route: request.routeOptions.url },
        'cross-site staff request refused',
      );
      return forbidden(reply, problem);
    });
    // Personal data must not stay in browser or proxy caches.
    area.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    const cookieOptions = (request: FastifyRequest) => ({
      path: '/',
      httpOnly: true,
      sameSite: 'strict' as const,
      secure:
        limits.cookieSecure === 'auto' ? request.protocol === 'https' : limits.cookieSecure === 'always',
    });

    /** The dispatcher of the request's session cookie, if live and still in the directory. */
    const sessionDispatcher = async (request: FastifyRequest) => {
      const token = request.cookies[SESSION_COOKIE];
      if (!token) return undefined;
      const id = await touchStaffSession(db, token, limits, clock());
      // Removed from the dispatchers file → no access, whatever the cookie says.
      return id === undefined ? undefined : directory.byId(id);
    };

    area.get(LOGIN_PATH, async (_request, reply) =>
      reply
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header(
          'content-security-policy',
          "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        .type('text/html; charset=utf-8')
        .send(loginPage),
    );
    area.get(`${LOGIN_PATH}.js`, async (_request, reply) =>
      reply
        .header('x-content-type-options', 'nosniff')
        .type('text/javascript; charset=utf-8')
        .send(loginScript),
    );

    area.post(LOGIN_PATH, async (request, reply) => {
      if (mediaType(request.headers['content-type']) !== 'application/json') {
        return reply.code(415).send({ error: 'unsupported_media_type', message: 'Login accepts only JSON' });
      }
      const body = LoginBody.safeParse(request.body ?? {});
      if (!body.success)
        return reply.code(400).send({ error: 'bad_request', message: describeIssues(body.error) });
      const now = clock();
      const { login, password } = body.data;
      const known = directory.dispatchers.find((d) => d.login === login);
      const keys = [`ip:${request.ip}`, `login:${login.toLowerCase()}`] as const;
      const since = new Date(now.getTime() - limits.failureWindowMs - limits.lockMs);
      const [ipTimes, loginTimes] = await Promise.all(keys.map((key) => loginFailureTimes(db, key, since)));
      const until = [
        lockedUntil(ipTimes ?? [], limits.maxIpFailures, limits.failureWindowMs, limits.lockMs, now),
        lockedUntil(loginTimes ?? [], limits.maxLoginFailures, limits.failureWindowMs, limits.lockMs, now),
      ]
        .filter((date): date is Date => date !== undefined)
        .sort((a, b) => b.getTime() - a.getTime())[0];
      if (until) {
        // The login name is logged only when it is a real one: a mistyped password may sit in that field.
        logger.warn({ ip: request.ip, login: known?.login }, 'dispatcher login refused: temporarily locked');
        const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
        return reply
          .code(429)
          .header('retry-after', String(seconds))
          .send({
            error: 'locked',
            message: `Too many failed logins; try again in ${Math.ceil(seconds / 60)} min`,
            retryAfter: seconds,
          });
      }
      const dispatcher = await directory.verify(login, password);
      if (!dispatcher) {
        await recordLoginFailure(db, keys, now, new Date(now.getTime() - 24 * 60 * MINUTE));
        logger.warn({ ip: request.ip, login: known?.login }, 'dispatcher login failed');
        await appendAudit(db, {
          at: now,
          actor: known ? `web:${known.id}` : 'anonymous',
          action: 'login.failed',
          method: 'POST',
          route: LOGIN_PATH,
          status: 401,
          ip: request.ip,
        });
        return reply.code(401).send({ error: 'invalid_credentials', message: 'Wrong login or password' });
      }
      await clearLoginFailures(db, keys[1]);
      const token = await createStaffSession(db, dispatcher.id, request.ip, now);
      await appendAudit(db, {
        at: now,
        actor: `web:${dispatcher.id}`,
        action: 'login',
        method: 'POST',
        route: LOGIN_PATH,
        status: 200,
        ip: request.ip,
      });
      logger.info({ dispatcherId: dispatcher.id }, 'dispatcher logged in');
      return reply.setCookie(SESSION_COOKIE, token, cookieOptions(request)).send({ ok: true });
    });

    area.post('/dispatcher/logout', async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) {
        const dispatcher = await sessionDispatcher(request);
        await endStaffSession(db, token, clock());
        if (dispatcher) {
          await appendAudit(db, {
            at: clock(),
            actor: `web:${dispatcher.id}`,
            action: 'logout',
            method: 'POST',
            route: '/dispatcher/logout',
            status: 200,
            ip: request.ip,
          });
        }
      }
      return reply.clearCookie(SESSION_COOKIE, cookieOptions(request)).send({ ok: true });
    });

    // Pages: without a session, the login page (no browser password prompt any more).
    await area.register(async (pages) => {
      pages.addHook('onRequest', async (request, reply) => {
        request.dispatcher = await sessionDispatcher(request);
        if (!request.dispatcher) return reply.redirect(LOGIN_PATH, 302);
      });
      await registerPage(pages);
    });

    // The JSON API: a live session, JSON bodies only, and every access to personal data audited.
    await area.register(async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        request.dispatcher = await sessionDispatcher(request);
        if (!request.dispatcher) {
          return reply.code(401).send({ error: 'unauthorised', message: 'Dispatcher login required' });
        }
        // A foreign page can send a form or a no-cors fetch without a preflight only as text/plain, form data
        // or without a body; JSON needs a CORS preflight, which this server never grants.
        if (SAFE_METHODS.has(request.method)) return;
        if (mediaType(request.headers['content-type']) === 'application/json') return;
        return reply.code(415).send({
          error: 'unsupported_media_type',
          message: 'Staff actions accept only JSON bodies (content-type: application/json)',
        });
      });
      // Written before the answer leaves: no view of personal data without its record.
      api.addHook('onSend', async (request, reply, payload) => {
        const dispatcher = request.dispatcher;
        if (!dispatcher || reply.statusCode === 401 || reply.statusCode === 415) return payload;
        const route = request.routeOptions.url ?? '';
        const params = (request.params ?? {}) as Record<string, unknown>;
        const action = auditActionOf(request.method, route, params, request.query, request.body);
        if (!action) return payload;
        await appendAudit(
          db,
          {
            at: clock(),
            actor: `web:${dispatcher.id}`,
            action: action.name,
            method: request.method,
            route,
            appealId:
              action.appealId ?? (route.startsWith('/api/staff/appeals/:id') ? numericId(params.id) : null),
            objectId: action.objectId ?? null,
            status: reply.statusCode,
            ip: request.ip,
          },
          action.coalesceMs,
        );
        return payload;
      });
      await registerApi(api);
    });
  });
}

/** The acting dispatcher (set by the staff area's hook), or a 401 and undefined. */
export function sessionDispatcherOf(request: FastifyRequest, reply: FastifyReply): Dispatcher | undefined {
  if (request.dispatcher) return request.dispatcher;
  void reply.code(401).send({ error: 'unauthorised', message: 'Dispatcher login required' });
  return undefined;
}
