import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CenterProfile } from '../../config/center.ts';
import type { DispatcherDirectory } from '../../config/dispatchers.ts';
import { isQuietMoment } from '../../domain/follow-up.ts';
import type { JobScheduler } from '../../scheduler/scheduler.ts';
import { getAppeal } from '../../storage/appeals.ts';
import type { Db } from '../../storage/db.ts';
import { setAgreedFollowUp } from '../../storage/follow-ups.ts';
import { requireDispatcher } from './dispatcher.ts';
import { dbInt, describeIssues } from './validation.ts';

export type FollowUpApiOptions = {
  db: Db;
  center: CenterProfile;
  scheduler: JobScheduler;
  directory: DispatcherDirectory;
  logger: Logger;
  clock?: () => Date;
};

/** How far ahead a follow-up may be agreed: a longer pause is a new appeal, not a follow-up. */
const MAX_AHEAD_DAYS = 180;

const Params = z.object({ id: dbInt('appeal id', 1) });
const Body = z.object({
  at: z.iso.datetime({
    offset: true,
    error: (issue) =>
      issue.input === undefined
        ? 'at is required'
        : 'at must be an ISO date-time with an offset, e.g. 2026-12-01T10:00:00+07:00',
  }),
});

function fail(reply: FastifyReply, code: number, error: string, message: string) {
  return reply.code(code).send({ error, message });
}

/**
 * `POST /api/staff/appeals/:id/follow-up {at}`: the time the dispatcher agreed with the family to ask how things
 * went (cases.md: «at the time agreed with the family»). It replaces the automatic 5-working-day follow-up
 * (a later visit does not move it) and is recorded in the appeal's history. Not at night, not in the past.
 */
export function registerFollowUpApi(app: FastifyInstance, options: FollowUpApiOptions): void {
  const { db, center, scheduler, logger } = options;
  const clock = options.clock ?? (() => new Date());

  app.post('/api/staff/appeals/:id/follow-up', async (request, reply) => {
    const me = requireDispatcher(request, reply, options.directory);
    if (!me) return reply;
    const params = Params.safeParse(request.params);
    if (!params.success) return fail(reply, 400, 'bad_request', describeIssues(params.error));
    const body = Body.safeParse(request.body ?? {});
    if (!body.success) return fail(reply, 400, 'bad_request', describeIssues(body.error));
    const now = clock();
    const at = new Date(body.data.at);
    if (at.getTime() <= now.getTime()) return fail(reply, 400, 'bad_request', 'at: must be in the future');
    if (at.getTime() > now.getTime() + MAX_AHEAD_DAYS * 24 * 3600_000) {
      return fail(reply, 400, 'bad_request', `at: must be within ${MAX_AHEAD_DAYS} days`);
    }
    if (isQuietMoment(at, center)) {
      const { from, to } = center.booking.quietHours;
      const local = DateTime.fromJSDate(at).setZone(center.timeZone).toFormat('HH:mm');
      return fail(
        reply,
        400,
        'bad_request',
        `at: ${local} local time falls in quiet hours ${from}–${to}; families get no messages at night`,
      );
    }
    const appeal = await getAppeal(db, params.data.id);
    if (!appeal) return fail(reply, 404, 'not_found', 'appeal not found');
    if (appeal.anonymized_at || appeal.contact_id === null) {
      return fail(reply, 409, 'no_contact', 'the family deleted their data; there is nobody to ask');
    }
    if (appeal.status === 'closed') {
      return fail(reply, 409, 'closed', 'the appeal is closed; reopen it to agree a follow-up');
    }
    await setAgreedFollowUp(db, appeal.id, at, `web:${me.id}`, now);
    await scheduler
      .scheduleFollowUp?.(appeal.id, at)
      .catch((error: unknown) =>
        logger.warn(
          { err: error, appealId: appeal.id },
          'follow-up job not scheduled now; reconciled at start',
        ),
      );
    logger.info({ appealId: appeal.id }, 'follow-up time agreed');
    return { ok: true, appealId: appeal.id, followUpAt: at.toISOString() };
  });
}
