import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { staffCancellation } from '../../bot/booking-messages.ts';
import type { Desk, DeskActor } from '../../bot/desk.ts';
import type { Runtime } from '../../bot/runtime.ts';
import { type CenterProfile, type Specialist, toLocale } from '../../config/center.ts';
import type { DispatcherDirectory } from '../../config/dispatchers.ts';
import { appealsCsv, reportPeriod, summarise } from '../../domain/report.ts';
import { type BookingRole, freeSlots, type Slot } from '../../domain/slots.ts';
import type { JobScheduler } from '../../scheduler/scheduler.ts';
import { APPEAL_ACTIONS, APPEAL_RESULTS, appealHistory } from '../../storage/appeal-lifecycle.ts';
import { getAppeal } from '../../storage/appeals.ts';
import { cancelBooking, takenSlots } from '../../storage/bookings.ts';
import { getContact } from '../../storage/contacts.ts';
import type { Db } from '../../storage/db.ts';
import type { Booking } from '../../storage/schema.ts';
import { appealsForReport } from '../../storage/surveys.ts';
import { requireDispatcher } from './dispatcher.ts';
import { dbInt, describeIssues, MAX_DB_INT } from './validation.ts';

export type StaffApiOptions = {
  db: Db;
  center: CenterProfile;
  runtime: Pick<Runtime, 'sendSystemMessage'>;
  scheduler: JobScheduler;
  directory: DispatcherDirectory;
  desk: Desk;
  logger: Logger;
  clock?: () => Date;
};

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const ALTERNATIVES = 3;

const BookingParams = z.object({
  id: dbInt('booking id', 1),
});

/** "x is required" when missing, the given complaint otherwise. */
const complaint = (field: string, otherwise: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${field} is required` : otherwise;
const text = (field: string, max: number) =>
  z
    .string({ error: complaint(field, `${field} must be text`) })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} is longer than ${max} characters`);
const dateTime = (field: string) =>
  z.iso.datetime({
    offset: true,
    error: complaint(field, `${field} must be an ISO date-time, e.g. 2026-11-26T15:00:00+07:00`),
  });

/** A route-sheet item: an appointment at a partner organisation a dispatcher booked by phone for a family. */
export const RouteItemBody = z
  .object({
    contactId: z
      .number()
      .int()
      .positive('contactId must be a positive number')
      .max(MAX_DB_INT, 'contactId is too large')
      .optional(),
    appealId: z
      .number()
      .int()
      .positive('appealId must be a positive number')
      .max(MAX_DB_INT, 'appealId is too large')
      .optional(),
    org: text('org', 200),
    address: text('address', 300).optional(),
    person: text('person', 200).optional(),
    phone: text('phone', 40).optional(),
    startsAt: dateTime('startsAt'),
    endsAt: dateTime('endsAt').optional(),
  })
  .refine((body) => body.contactId !== undefined || body.appealId !== undefined, {
    message: 'contactId or appealId is required',
    path: ['contactId'],
  })
  .refine((body) => body.endsAt === undefined || Date.parse(body.endsAt) > Date.parse(body.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });
export type RouteItemBody = z.infer<typeof RouteItemBody>;

function badRequest(reply: FastifyReply, message: string) {
  return reply.code(400).send({ error: 'bad_request', message });
}

/** The acting dispatcher as a desk actor, or a 401 (with the browser's login prompt) and undefined. */
function requireLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  directory: DispatcherDirectory,
): DeskActor | undefined {
  const dispatcher = requireDispatcher(request, reply, directory);
  return dispatcher ? { dispatcher, via: 'web' } : undefined;
}

const bookingRoleOf = (role: Specialist['role']): BookingRole =>
  role === 'lawyer' || role === 'psychologist' ? role : 'other';

/**
 * The nearest free slots with a specialist of the same role as the cancelled booking's (the cancelled slot
 * itself is not offered again: the center just said it cannot take place).
 */
async function alternativesFor(db: Db, center: CenterProfile, booking: Booking, now: Date): Promise<Slot[]> {
  const specialist = center.specialists.find((candidate) => candidate.id === booking.specialist_id);
  if (booking.kind !== 'specialist' || !specialist) return [];
  const sameRole = new Set(
    center.specialists
      .filter((candidate) => candidate.role === specialist.role)
      .map((candidate) => candidate.id),
  );
  // One day more than the search window: its last local day may end after now + searchDays days in UTC.
  const until = new Date(now.getTime() + (center.booking.searchDays + 1) * DAY_MS);
  const taken = await takenSlots(db, now, until, now);
  return freeSlots(center, bookingRoleOf(specialist.role), now, taken)
    .filter(
      (slot) =>
        sameRole.has(slot.specialistId) &&
        !(
          slot.specialistId === booking.specialist_id &&
          slot.startsAt.getTime() === booking.starts_at.getTime()
        ),
    )
    .slice(0, ALTERNATIVES);
}

/**
 * Staff actions on bookings, behind the dispatcher login: cancel a booking (the family is told, with the nearest
 * free times), and add a route-sheet item booked by phone at a partner organisation (the family is told and
 * gets the same reminders). Scheduling failures are logged, not fatal: start-up reconciliation restores jobs.
 */
export function registerStaffApi(app: FastifyInstance, options: StaffApiOptions): void {
  const { db, center, runtime, scheduler, logger, desk } = options;
  const clock = options.clock ?? (() => new Date());

  app.post('/api/staff/bookings/:id/cancel', async (request, reply) => {
    if (!requireLogin(request, reply, options.directory)) return reply;
    const params = BookingParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, describeIssues(params.error));
    const now = clock();
    const booking = await cancelBooking(db, params.data.id, 'staff', now);
    if (!booking) {
      return reply.code(404).send({ error: 'not_found', message: 'no live booking with this id' });
    }
    logger.info({ bookingId: booking.id }, 'booking cancelled by staff');
    await scheduler
      .cancelBookingReminders(booking.id)
      .catch((error: unknown) =>
        logger.warn(
          { err: error, bookingId: booking.id },
          'could not remove reminder jobs; they will find it cancelled',
        ),
      );
    if (booking.contact_id !== null) {
      const contact = await getContact(db, booking.contact_id);
      const alternatives = await alternativesFor(db, center, booking, now);
      await runtime.sendSystemMessage(booking.contact_id, [
        staffCancellation(booking, center, alternatives, now, toLocale(contact?.locale)),
      ]);
    }
    return { ok: true };
  });

  app.post('/api/staff/route-items', async (request, reply) => {
    const actor = requireLogin(request, reply, options.directory);
    if (!actor) return reply;
    const parsed = RouteItemBody.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, describeIssues(parsed.error));
    const { contactId, appealId, startsAt, endsAt, ...rest } = parsed.data;
    const item = {
      ...rest,
      startsAt: new Date(startsAt),
      ...(endsAt ? { endsAt: new Date(endsAt) } : {}),
    };
    if (item.startsAt.getTime() <= clock().getTime())
      return badRequest(reply, 'startsAt: must be in the future');

    if (appealId !== undefined) {
      const appeal = await getAppeal(db, appealId);
      if (!appeal) return reply.code(404).send({ error: 'not_found', message: 'no appeal with this id' });
      if (appeal.contact_id === null) {
        return badRequest(reply, 'appealId: the appeal has no chat contact to tell and remind');
      }
      if (contactId !== undefined && contactId !== appeal.contact_id) {
        return badRequest(reply, 'contactId: does not match the contact of the appeal');
      }
      const added = await desk.addRouteItem(appealId, actor, item);
      if (!added.ok) return badRequest(reply, `appealId: ${added.reason}`);
      return reply.code(201).send({ ok: true, bookingId: added.booking.id });
    }
    const contact = contactId === undefined ? undefined : await getContact(db, contactId);
    if (!contact) return reply.code(404).send({ error: 'not_found', message: 'no contact with this id' });
    const booking = await desk.bookRouteItem(contact.id, null, item);
    logger.info({ bookingId: booking.id }, 'route-sheet item added');
    return reply.code(201).send({ ok: true, bookingId: booking.id });
  });

  // Reports (survey.md indicators) over appeals created in a period of local dates, both ends included.
  const periodOf = (request: FastifyRequest) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const from = typeof query.from === 'string' ? query.from : '';
    const to = typeof query.to === 'string' ? query.to : '';
    return { from, to, period: reportPeriod(from, to, center.timeZone) };
  };

  app.get('/api/staff/reports/summary', async (request, reply) => {
    if (!requireLogin(request, reply, options.directory)) return reply;
    const { from, to, period } = periodOf(request);
    if (!period.ok) return badRequest(reply, period.message);
    return summarise(await appealsForReport(db, period.start, period.end), { from, to }, center);
  });

  app.get('/api/staff/reports/appeals.csv', async (request, reply) => {
    if (!requireLogin(request, reply, options.directory)) return reply;
    const { from, to, period } = periodOf(request);
    if (!period.ok) return badRequest(reply, period.message);
    const csv = appealsCsv(await appealsForReport(db, period.start, period.end), center.timeZone);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="appeals_${from}_${to}.csv"`)
      .send(csv);
  });

  // The satisfaction survey for a closed appeal: created once, then the intro and the first unanswered question.
  // A static last segment, so it wins over `/api/staff/appeals/:id/:action`.
  app.post('/api/staff/appeals/:id/survey', async (request, reply) => {
    if (!requireLogin(request, reply, options.directory)) return reply;
    const params = BookingParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, describeIssues(params.error));
    const appeal = await getAppeal(db, params.data.id);
    if (!appeal) return reply.code(404).send({ error: 'not_found', message: 'appeal not found' });
    if (appeal.status !== 'closed') {
      return reply
        .code(409)
        .send({ error: 'not_closed', message: 'the survey is sent only after the appeal is closed' });
    }
    const sent = await desk.sendSurvey(appeal);
    if (sent === 'completed') {
      return reply
        .code(409)
        .send({ error: 'completed', message: 'the family has already answered the survey' });
    }
    if (sent === 'no_contact') {
      return reply.code(409).send({
        error: 'no_contact',
        message: 'the family deleted their data or its chat is no longer available',
      });
    }
    return { ok: true, surveyId: sent.surveyId, question: sent.question };
  });

  // The appeal's life: take, wait, callback done, close with a result, reopen — each appended to the history.
  app.post('/api/staff/appeals/:id/:action', async (request, reply) => {
    const actor = requireLogin(request, reply, options.directory);
    if (!actor) return reply;
    const params = AppealActionParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, describeIssues(params.error));
    const body = AppealActionBody.safeParse(request.body ?? {});
    if (!body.success) return badRequest(reply, describeIssues(body.error));
    const result = await desk.act(params.data.id, params.data.action, actor, body.data);
    if (result.ok) return { ok: true, status: result.appeal.status, result: result.appeal.result };
    const { code, message } = TRANSITION_ERRORS[result.reason];
    return reply.code(code).send({ error: result.reason, message });
  });

  // A dispatcher's message to the family, delivered on the family's own channel (web, Telegram, VK).
  app.post('/api/staff/appeals/:id/reply', async (request, reply) => {
    const actor = requireLogin(request, reply, options.directory);
    if (!actor) return reply;
    const params = BookingParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, describeIssues(params.error));
    const body = z.object({ text: text('text', 3500) }).safeParse(request.body ?? {});
    if (!body.success) return badRequest(reply, describeIssues(body.error));
    const sent = await desk.reply(params.data.id, actor, body.data.text);
    if (sent.ok) return { ok: true, took: sent.took };
    const { code, message } = REPLY_ERRORS[sent.reason];
    return reply.code(code).send({ error: sent.reason, message });
  });

  app.get('/api/staff/appeals/:id/history', async (request, reply) => {
    if (!requireLogin(request, reply, options.directory)) return reply;
    const params = BookingParams.safeParse(request.params);
    if (!params.success) return badRequest(reply, describeIssues(params.error));
    return { events: await appealHistory(db, params.data.id) };
  });
}

const AppealActionParams = z.object({
  id: dbInt('appeal id', 1),
  action: z.enum(APPEAL_ACTIONS, { error: `action must be one of: ${APPEAL_ACTIONS.join(', ')}` }),
});

const AppealActionBody = z.object({
  note: z.string().trim().max(2000, 'note is longer than 2000 characters').optional(),
  result: z.enum(APPEAL_RESULTS, { error: `result must be one of: ${APPEAL_RESULTS.join(', ')}` }).optional(),
});

const TRANSITION_ERRORS = {
  not_found: { code: 404, message: 'appeal not found' },
  not_allowed: { code: 409, message: 'this action is not possible in the appeal’s current status' },
  result_required: {
    code: 400,
    message: 'closing needs a result: resolved, partly, not_resolved or withdrawn',
  },
  anonymised: { code: 409, message: 'the family deleted their data; the appeal can only be closed' },
} as const;

const REPLY_ERRORS = {
  not_found: { code: 404, message: 'appeal not found' },
  no_contact: { code: 409, message: 'the family’s chat no longer exists' },
  anonymised: { code: 409, message: 'the family deleted their data; no chat to reply to' },
  closed: { code: 409, message: 'the appeal is closed; reopen it to write to the family' },
} as const;
