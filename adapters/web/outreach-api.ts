import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OutreachSweepResult } from '../../bot/outreach-notices.ts';
import { type CenterProfile, TimeRange } from '../../config/center.ts';
import type { DispatcherDirectory } from '../../config/dispatchers.ts';
import {
  changeTargets,
  findSettlement,
  type OutreachChange,
  settlementKey,
  visitsBetween,
} from '../../domain/outreach.ts';
import type { Db } from '../../storage/db.ts';
import { addChange, changesFrom, subscriberCounts } from '../../storage/outreach.ts';
import { requireDispatcher } from './dispatcher.ts';
import { describeIssues } from './validation.ts';

export type OutreachApiOptions = {
  db: Db;
  center: CenterProfile;
  directory: DispatcherDirectory;
  logger: Logger;
  /** Tells subscribers about the change now (or schedules it for the end of quiet hours). */
  notify: () => Promise<OutreachSweepResult>;
  clock?: () => Date;
};

const calendarDate = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .regex(/^\d{4}-\d\d-\d\d$/, `${field} must be a date like 2026-12-04`)
    .refine((value) => DateTime.fromISO(value).isValid, `${field} is not a calendar date`);
const words = (field: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} is longer than ${max} characters`);
const Place = z.union([
  words('place', 300).transform((ru) => ({ ru })),
  z.object({ ru: words('place.ru', 300), en: words('place.en', 300).optional() }),
]);
const Hours = z.string({ error: 'hours must be like "09:00-15:30"' }).pipe(TimeRange);

const Common = {
  settlement: words('settlement', 100),
  date: calendarDate('date'),
  reason: words('reason', 300).optional(),
};
const CancelBody = z.object({ ...Common, entryId: words('entryId', 40).optional() });
const ChangeBody = z
  .object({
    ...Common,
    entryId: words('entryId', 40).optional(),
    newDate: calendarDate('newDate').optional(),
    hours: Hours.optional(),
    place: Place.optional(),
  })
  .refine((body) => body.newDate || body.hours || body.place, {
    message: 'give at least one of newDate, hours, place',
    path: ['newDate'],
  });
const ExtraBody = z.object({ ...Common, hours: Hours, place: Place.optional() });

const fail = (reply: FastifyReply, code: number, error: string, message: string) =>
  reply.code(code).send({ error, message });

/**
 * Staff changes of the outreach schedule, behind the dispatcher login: cancel a visit, change its date, hours or
 * place, add an extra date (e.g. for the mobile point «по договорённости»), list the visits ahead. Each change
 * is stored, then the settlement's subscribers are told at once — or when the quiet hours end.
 */
export function registerOutreachApi(app: FastifyInstance, options: OutreachApiOptions): void {
  const { db, center, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const today = () => DateTime.fromJSDate(clock()).setZone(center.timeZone).toISODate() ?? '';

  app.get('/api/staff/outreach/visits', async (request, reply) => {
    if (!requireDispatcher(request, reply, options.directory)) return reply;
    const query = z
      .object({
        from: calendarDate('from').optional(),
        days: z.coerce.number().int().min(1, 'days: 1 to 92').max(92, 'days: 1 to 92').default(28),
      })
      .safeParse(request.query ?? {});
    if (!query.success) return fail(reply, 400, 'bad_request', describeIssues(query.error));
    const from = query.data.from ?? today();
    const to =
      DateTime.fromISO(from)
        .plus({ days: query.data.days - 1 })
        .toISODate() ?? from;
    const visits = visitsBetween(center, await changesFrom(db, from), from, to);
    return {
      from,
      to,
      visits: visits.map((visit) => ({ ...visit, key: settlementKey(visit.settlement) })),
      subscribers: await subscriberCounts(db),
    };
  });

  /** Stores a change after checking it against the schedule as it stands, then notifies. */
  async function record(
    reply: FastifyReply,
    change: Omit<OutreachChange, 'id' | 'createdAt' | 'settlement'> & { settlement: string },
    createdBy: string,
  ) {
    const settlement = findSettlement(center, change.settlement);
    if (!settlement) {
      const known = [...new Set(center.outreach.map((entry) => entry.settlement))].join(', ');
      return fail(reply, 404, 'not_found', `unknown settlement; expected one of: ${known}`);
    }
    const now = clock();
    if (change.date < today() || (change.newDate !== undefined && change.newDate < today())) {
      return fail(reply, 400, 'bad_request', 'date: must not be in the past');
    }
    const existing = await changesFrom(db, today());
    const candidate = { ...change, settlement: settlement.name, id: 0, createdAt: now.toISOString() };
    if (change.kind !== 'extra') {
      const targets = visitsBetween(center, existing, change.date, change.date).filter((visit) =>
        changeTargets(candidate, visit),
      );
      if (targets.length === 0) {
        return fail(reply, 404, 'not_found', `no ${settlement.name} visit on ${change.date} to change`);
      }
      if (change.kind === 'change' && targets.length > 1) {
        const ids = targets.map((visit) => `${visit.entryId} (${visit.hours.from}–${visit.hours.to})`);
        return fail(reply, 409, 'ambiguous', `several visits that day; give entryId: ${ids.join(', ')}`);
      }
    }
    const place =
      change.place ?? center.outreach.find((entry) => entry.settlement === settlement.name)?.place;
    const stored = await addChange(db, {
      ...change,
      settlement: settlement.name,
      place: change.kind === 'extra' ? place : change.place,
      createdBy,
      now,
    });
    logger.info({ changeId: stored.id, kind: stored.kind }, 'outreach schedule changed');
    let result: OutreachSweepResult = { sent: 0 };
    try {
      result = await options.notify();
    } catch (error) {
      // Stored is what matters: the next tick or start-up sweep tells the families.
      logger.warn({ err: error, changeId: stored.id }, 'outreach change notices not sent now');
    }
    return reply.code(201).send({
      ok: true,
      changeId: stored.id,
      notified: result.sent,
      ...(result.postponedUntil ? { postponedUntil: result.postponedUntil.toISOString() } : {}),
    });
  }

  app.post('/api/staff/outreach/cancellations', async (request, reply) => {
    const me = requireDispatcher(request, reply, options.directory);
    if (!me) return reply;
    const body = CancelBody.safeParse(request.body ?? {});
    if (!body.success) return fail(reply, 400, 'bad_request', describeIssues(body.error));
    return record(reply, { ...body.data, kind: 'cancel' }, `web:${me.id}`);
  });

  app.post('/api/staff/outreach/changes', async (request, reply) => {
    const me = requireDispatcher(request, reply, options.directory);
    if (!me) return reply;
    const body = ChangeBody.safeParse(request.body ?? {});
    if (!body.success) return fail(reply, 400, 'bad_request', describeIssues(body.error));
    return record(reply, { ...body.data, kind: 'change' }, `web:${me.id}`);
  });

  app.post('/api/staff/outreach/extra-dates', async (request, reply) => {
    const me = requireDispatcher(request, reply, options.directory);
    if (!me) return reply;
    const body = ExtraBody.safeParse(request.body ?? {});
    if (!body.success) return fail(reply, 400, 'bad_request', describeIssues(body.error));
    return record(reply, { ...body.data, kind: 'extra' }, `web:${me.id}`);
  });
}
