import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { registerBroadcastApi } from '../adapters/web/broadcast-api.ts';
import { registerDispatcherPage } from '../adapters/web/dispatcher.ts';
import { registerWebChat } from '../adapters/web/routes.ts';
import { registerStaffApi } from '../adapters/web/staff-api.ts';
import type { CenterProfile } from '../config/center.ts';
import type { BroadcastService } from '../scheduler/broadcasts.ts';
import { type JobScheduler, noScheduler } from '../scheduler/scheduler.ts';
import type { Db } from '../storage/db.ts';
import type { Translator } from './i18n.ts';
import type { Runtime } from './runtime.ts';

export type ServerDeps = {
  runtime: Runtime;
  db: Db;
  translator: Translator;
  center: CenterProfile;
  logger: Logger;
  dispatcherPassword: string;
  /** Reminder jobs of bookings the staff API creates or cancels; no-op when omitted. */
  scheduler?: JobScheduler;
  /** Staff broadcasts (needs Redis); without it the broadcast API answers 503. */
  broadcasts?: BroadcastService;
};

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
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    reply.code(status).send({
      error: status >= 500 ? 'internal' : 'bad_request',
      message: status >= 500 ? 'Internal error, please try again' : error.message,
    });
  });
  app.get('/health', async () => ({ ok: true }));
  await registerWebChat(app, deps);
  registerDispatcherPage(app, { db: deps.db, center: deps.center, password: deps.dispatcherPassword });
  registerStaffApi(app, {
    db: deps.db,
    center: deps.center,
    runtime: deps.runtime,
    scheduler: deps.scheduler ?? noScheduler,
    password: deps.dispatcherPassword,
    logger: deps.logger,
  });
  registerBroadcastApi(app, {
    broadcasts: deps.broadcasts,
    password: deps.dispatcherPassword,
    logger: deps.logger,
  });
  return app;
}
