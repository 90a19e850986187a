import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DispatcherDirectory } from '../../config/dispatchers.ts';
import type { BroadcastService } from '../../scheduler/broadcasts.ts';
import { requireDispatcher } from './dispatcher.ts';
import { dbInt, describeIssues } from './validation.ts';

export type BroadcastApiOptions = {
  /** Undefined when the service runs without Redis: broadcasts are then refused with a clear answer. */
  broadcasts?: BroadcastService;
  directory: DispatcherDirectory;
  logger: Logger;
};

/** Telegram's and VK's limit for one message; longer texts would be split, which a plan should not be. */
export const MAX_BROADCAST_TEXT = 4096;

const Segment = z.union(
  [
    z.object({ all: z.literal(true) }).strict(),
    z
      .object({
        settlements: z
          .array(z.string().trim().min(1).max(100), { error: 'settlements must be a list of names' })
          .min(1, 'settlements must name at least one settlement')
          .max(200, 'settlements: at most 200'),
      })
      .strict(),
  ],
  { error: 'segment must be {"all": true} or {"settlements": ["…"]}' },
);

export const BroadcastBody = z.object({
  text: z
    .string({ error: (issue) => (issue.input === undefined ? 'text is required' : 'text must be text') })
    .trim()
    .min(1, 'text must not be empty')
    .max(MAX_BROADCAST_TEXT, `text is longer than ${MAX_BROADCAST_TEXT} characters`),
  segment: Segment,
});

const Params = z.object({ id: dbInt('broadcast id', 1) });

const badRequest = (reply: FastifyReply, message: string) =>
  reply.code(400).send({ error: 'bad_request', message });
const notFound = (reply: FastifyReply) =>
  reply.code(404).send({ error: 'not_found', message: 'no broadcast with this id' });

/**
 * Staff broadcasts, behind the dispatcher login: start one (a text to the subscribers of some settlements, or
 * to all), watch its progress, cancel it. The text is never logged: it may be anything staff wrote.
 */
export function registerBroadcastApi(app: FastifyInstance, options: BroadcastApiOptions): void {
  const { broadcasts, logger } = options;
  const unavailable = (reply: FastifyReply) =>
    reply.code(503).send({
      error: 'unavailable',
      message: 'Broadcasts need Redis (REDIS_URL), which this service runs without',
    });

  app.post('/api/staff/broadcasts', async (request, reply) => {
    const me = requireDispatcher(request, reply, options.directory);
    if (!me) return reply;
    const parsed = BroadcastBody.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, describeIssues(parsed.error));
    if (!broadcasts) return unavailable(reply);
    // The dispatcher login is shared for now; the author becomes a person once staff accounts exist.
    const progress = await broadcasts.create({ createdBy: `web:${me.id}`, ...parsed.data });
    if (!progress) return badRequest(reply, 'segment: nobody is subscribed there (or all have left)');
    logger.info({ broadcastId: progress.id, total: progress.total }, 'broadcast requested by staff');
    return reply.code(202).send(progress);
  });

  app.get('/api/staff/broadcasts/:id', async (request, reply) => {
    if (!requireDispatcher(request, reply, options.directory)) return reply;
    const params = Params.safeParse(request.params);
    if (!params.success) return badRequest(reply, describeIssues(params.error));
    if (!broadcasts) return unavailable(reply);
    return (await broadcasts.progress(params.data.id)) ?? notFound(reply);
  });

  app.post('/api/staff/broadcasts/:id/cancel', async (request, reply) => {
    if (!requireDispatcher(request, reply, options.directory)) return reply;
    const params = Params.safeParse(request.params);
    if (!params.success) return badRequest(reply, describeIssues(params.error));
    if (!broadcasts) return unavailable(reply);
    const progress = await broadcasts.cancel(params.data.id);
    if (!progress) return notFound(reply);
    if (progress.status === 'finished') {
      return reply.code(409).send({ error: 'conflict', message: 'the broadcast has already finished' });
    }
    return progress;
  });
}
