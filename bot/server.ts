import { randomBytes } from 'node:crypto';
import helmet from '@fastify/helmet';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { registerAuditApi } from '../adapters/web/audit-api.ts';
import { registerBroadcastApi } from '../adapters/web/broadcast-api.ts';
import { registerDispatcherPage } from '../adapters/web/dispatcher.ts';
import { registerFollowUpApi } from '../adapters/web/follow-up-api.ts';
import { registerInboxApi } from '../adapters/web/inbox-api.ts';
import { registerInputGuard } from '../adapters/web/input-guard.ts';
import type { WebChatLimits } from '../adapters/web/limits.ts';
import { registerOutreachApi } from '../adapters/web/outreach-api.ts';
import { registerWebChat } from '../adapters/web/routes.ts';
import { registerStaffArea, type StaffAccessSettings } from '../adapters/web/staff-access.ts';
import { registerStaffApi } from '../adapters/web/staff-api.ts';
import type { CenterProfile } from '../config/center.ts';
import { DispatcherDirectory, webDispatcher } from '../config/dispatchers.ts';
import type { BroadcastService } from '../scheduler/broadcasts.ts';
import { type JobScheduler, noScheduler } from '../scheduler/scheduler.ts';
import type { Db } from '../storage/db.ts';
import { Desk } from './desk.ts';
import type { Translator } from './i18n.ts';
import { OutreachNotices, type OutreachSweepResult } from './outreach-notices.ts';
import type { Runtime } from './runtime.ts';

export type ServerDeps = {
  runtime: Runtime;
  db: Db;
  translator: Translator;
  center: CenterProfile;
  logger: Logger;
  /** Who may use the inbox and the staff API; without it, one account "dispatcher" with this password. */
  directory?: DispatcherDirectory;
  dispatcherPassword?: string;
  /** Dispatcher operations (shared with the Telegram staff chat); built here when not given. */
  desk?: Desk;
  /** Reminder jobs of bookings the staff API creates or cancels; no-op when omitted. */
  scheduler?: JobScheduler;
  /** Tells outreach subscribers about a staff change (with Redis: postpones past quiet hours too). */
  outreachNotify?: () => Promise<OutreachSweepResult>;
  clock?: () => Date;
  /** Staff broadcasts (needs Redis); without it the broadcast API answers 503. */
  broadcasts?: BroadcastService;
  /** Session lifetimes, cookie and lockout settings of the dispatcher login (defaults in staff-access.ts). */
  staffAccess?: StaffAccessSettings;
  /** Which proxies to believe about the client's address and scheme (TRUST_PROXY); none by default. */
  trustProxy?: boolean | number | string;
  /** Shared rate-limit counters for the web chat (with REDIS_URL); in-process ones otherwise. */
  redis?: Redis;
  redisPrefix?: string;
  webLimits?: Partial<WebChatLimits>;
};

/**
 * Security headers on every answer (pages, API, 404s): a content security policy without inline scripts
 * (the pages load their scripts and styles from the app), no framing, no MIME sniffing, no referrer.
 * Routes may set a stricter CSP of their own (the dispatcher page does).
 */
async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // Only honoured over HTTPS (behind the TLS proxy); subdomains are the center's business, not ours.
    strictTransportSecurity: { maxAge: 365 * 24 * 3600, includeSubDomains: false },
  });
}

/**
 * Request logs name the route path only: query strings carry web-chat session tokens (a key to the transcript)
 * and bodies carry personal data, so neither is ever logged.
 */
class PathOnlyLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, path: request.url.split('?')[0] }, 'incoming request');
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    const entry = {
      method: request.method,
      path: request.url.split('?')[0],
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (error) reply.log.error({ ...entry, err: error }, 'request errored');
    else reply.log.info(entry, 'request completed');
  }
}

/** The HTTP side: web chat, dispatcher page, health; later issues add the Telegram and VK webhooks here. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance type fastify's default one.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    logController: new PathOnlyLogController(),
    // A hop count is valid at run time (proxy-addr), though fastify's types list only the other forms.
    trustProxy: (deps.trustProxy ?? false) as boolean | string,
  });
  await registerSecurityHeaders(app);
  registerInputGuard(app);
  app.get('/health', async () => ({ ok: true }));
  await registerWebChat(app, { ...deps, limits: deps.webLimits });
  const directory =
    deps.directory ??
    new DispatcherDirectory([
      webDispatcher(deps.dispatcherPassword ?? randomBytes(18).toString('base64url')),
    ]);
  const desk =
    deps.desk ??
    new Desk({
      db: deps.db,
      runtime: deps.runtime,
      logger: deps.logger,
      center: deps.center,
      scheduler: deps.scheduler ?? noScheduler,
      clock: deps.clock,
    });
  const notices = new OutreachNotices({ ...deps, clock: deps.clock });
  // Every staff page and route in one encapsulated area: its login, cross-site, JSON and audit hooks cover
  // whatever the router matched, however the URL was spelled.
  await registerStaffArea(
    app,
    { ...deps.staffAccess, db: deps.db, directory, logger: deps.logger, clock: deps.clock },
    (pages) => registerDispatcherPage(pages, { directory }),
    (api) => {
      registerInboxApi(api, {
        db: deps.db,
        directory,
        timeZone: deps.center.timeZone,
        calendar: deps.center.calendar,
        clock: deps.clock,
      });
      registerStaffApi(api, {
        db: deps.db,
        center: deps.center,
        runtime: deps.runtime,
        scheduler: deps.scheduler ?? noScheduler,
        directory,
        desk,
        logger: deps.logger,
        clock: deps.clock,
      });
      registerOutreachApi(api, {
        db: deps.db,
        center: deps.center,
        directory,
        logger: deps.logger,
        notify: deps.outreachNotify ?? (() => notices.sweep()),
        clock: deps.clock,
      });
      registerFollowUpApi(api, {
        db: deps.db,
        center: deps.center,
        scheduler: deps.scheduler ?? noScheduler,
        directory,
        logger: deps.logger,
        clock: deps.clock,
      });
      registerBroadcastApi(api, {
        broadcasts: deps.broadcasts,
        directory,
        logger: deps.logger,
      });
      registerAuditApi(api, { db: deps.db, directory });
    },
  );
  return app;
}
