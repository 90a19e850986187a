import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type DispatcherDirectory, isAdmin } from '../../config/dispatchers.ts';
import type { Db } from '../../storage/db.ts';
import { auditPage } from '../../storage/staff-access.ts';
import { requireDispatcher } from './dispatcher.ts';
import { describeIssues } from './validation.ts';

export type AuditApiOptions = { db: Db; directory: DispatcherDirectory };

const Query = z.object({
  before: z.coerce
    .number({ error: 'before must be an entry id' })
    .int('before must be an entry id')
    .positive('before must be an entry id')
    .max(Number.MAX_SAFE_INTEGER, 'before must be an entry id')
    .optional(),
  limit: z.coerce
    .number({ error: 'limit: 1 to 200' })
    .int('limit: 1 to 200')
    .min(1, 'limit: 1 to 200')
    .max(200, 'limit: 1 to 200')
    .default(50),
  appealId: z.coerce
    .number({ error: 'appealId must be a positive number' })
    .int('appealId must be a positive number')
    .positive('appealId must be a positive number')
    .max(2_147_483_647, 'appealId must be a positive number')
    .optional(),
});

/**
 * `GET /api/staff/audit?before=&limit=&appealId=`: the access log, newest first, for administrators only
 * (`role: admin` in the dispatchers file). `next` is the `before` of the following page, null at the end.
 */
export function registerAuditApi(app: FastifyInstance, options: AuditApiOptions): void {
  app.get('/api/staff/audit', async (request, reply) => {
    const me = requireDispatcher(request, reply, options.directory);
    if (!me) return reply;
    if (!isAdmin(me)) {
      return reply.code(403).send({ error: 'forbidden', message: 'the access log is for administrators' });
    }
    const query = Query.safeParse(request.query ?? {});
    if (!query.success)
      return reply.code(400).send({ error: 'bad_request', message: describeIssues(query.error) });
    const entries = await auditPage(options.db, query.data);
    const named = entries.map((entry) => {
      const [via = '', id = ''] = entry.actor.split(/:(.*)/s);
      const name =
        via === 'web' || via === 'telegram' ? (options.directory.byId(id)?.name ?? id) : entry.actor;
      return { ...entry, actorName: name };
    });
    const last = entries.at(-1);
    return { entries: named, next: entries.length === query.data.limit && last ? last.id : null };
  });
}
