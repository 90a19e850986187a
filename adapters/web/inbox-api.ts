import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DispatcherDirectory } from '../../config/dispatchers.ts';
import { type CenterCalendar, missingTransfersYear } from '../../domain/holidays.ts';
import { appealHistory } from '../../storage/appeal-lifecycle.ts';
import { getAppeal, markAppealRead } from '../../storage/appeals.ts';
import type { Db } from '../../storage/db.ts';
import { acknowledgeUrgentAlert, openUrgentAlerts } from '../../storage/dispatch.ts';
import {
  appealBookings,
  appealIsOverdue,
  appealSurvey,
  INBOX_FILTERS,
  inboxAppeals,
  inboxCounts,
  type TranscriptEntry,
  transcriptTail,
} from '../../storage/inbox.ts';
import type { Appeal, Booking } from '../../storage/schema.ts';
import { requireDispatcher } from './dispatcher.ts';
import { dbInt } from './validation.ts';

export type InboxApiOptions = {
  db: Db;
  directory: DispatcherDirectory;
  timeZone: string;
  /** The profile calendar: without next year's decree transfers the inbox shows a banner from October on. */
  calendar?: Pick<CenterCalendar, 'transfersConfigured'>;
  clock?: () => Date;
};

const LIST_LIMIT = 300;
/** Crisis alerts older than this are history, not a banner. */
const URGENT_WINDOW_MS = 3 * 24 * 3600_000;
const TRANSCRIPT_LIMIT = 200;

const ListQuery = z.object({
  status: z
    .enum(INBOX_FILTERS, { error: `status must be one of: ${INBOX_FILTERS.join(', ')}` })
    .default('all'),
  overdue: z.enum(['0', '1'], { error: 'overdue must be 0 or 1' }).default('0'),
});
const DetailParams = z.object({
  id: dbInt('appeal id', 1),
});
const DetailQuery = z.object({
  after: dbInt('after').default(0),
});

const describe = (error: z.ZodError) => error.issues.map((issue) => issue.message).join('; ');

/**
 * "web:anna" / "telegram:anna" → who and from which desk. Unknown ids (a dispatcher removed from the list)
 * keep their id so the history still says something; anything else is the system (SLA timer, the family).
 */
export function actorOf(directory: DispatcherDirectory, actor: string | null) {
  if (!actor) return null;
  const [via = '', id = ''] = actor.split(/:(.*)/s);
  if (via !== 'web' && via !== 'telegram') return { key: actor, via: 'system', name: actor };
  return { key: actor, via, name: directory.byId(id)?.name ?? id };
}

/** The first part of an address — usually the settlement — for the list, where the full address is too long. */
const placeOf = (address: string | null) => address?.split(',')[0]?.trim() || null;

const listItem = (directory: DispatcherDirectory, now: Date) => (appeal: Appeal) => ({
  id: appeal.id,
  number: appeal.number ?? String(appeal.id),
  createdAt: appeal.created_at,
  status: appeal.status,
  result: appeal.result,
  overdue: appealIsOverdue(appeal, now),
  urgent: appeal.urgent,
  takenBy: actorOf(directory, appeal.taken_by)?.name ?? null,
  fullName: appeal.full_name,
  place: placeOf(appeal.address),
  purpose: appeal.purpose,
  contactMode: appeal.contact_mode,
  callMode: appeal.call_mode,
  callbackWindow: appeal.callback_window,
  callbackDueAt: appeal.callback_due_at,
  channel: appeal.channel,
  kind: appeal.kind,
  anonymised: appeal.anonymized_at !== null,
  /** A family message for staff arrived since the card was last opened. */
  unread: appeal.unread_at !== null,
  /** Only a question passed from the chat (no card fields were asked). */
  question: appeal.is_question,
});

const card = (directory: DispatcherDirectory, appeal: Appeal, now: Date) => ({
  ...listItem(directory, now)(appeal),
  form: appeal.form,
  birthDate: appeal.birth_date,
  address: appeal.address,
  maritalStatus: appeal.marital_status,
  minorChildren: appeal.minor_children,
  phone: appeal.phone,
  needText: appeal.need_text,
  callbackDoneAt: appeal.callback_done_at,
  closedAt: appeal.closed_at,
  updatedAt: appeal.updated_at,
  taken: actorOf(directory, appeal.taken_by),
  hasChat: appeal.contact_id !== null,
});

const transcriptItem = (entry: TranscriptEntry) => ({
  id: entry.id,
  direction: entry.direction,
  at: entry.createdAt,
  text: entry.body.text,
  // Buttons the family was offered, as labels only: the inbox shows what the family saw, not payloads.
  buttons: entry.body.buttons?.flat().map((button) => button.label) ?? [],
  status: entry.status,
});

const routeItem = (booking: Booking) => ({
  id: booking.id,
  kind: booking.kind,
  status: booking.status,
  startsAt: booking.starts_at,
  endsAt: booking.ends_at,
  org: booking.partner_org,
  address: booking.partner_address,
  person: booking.partner_person,
  phone: booking.partner_phone,
  specialistId: booking.specialist_id,
  format: booking.format,
});

/** What the inbox page reads: the list with per-tab counts, and one appeal with everything about it. */
export function registerInboxApi(app: FastifyInstance, options: InboxApiOptions): void {
  const { db, directory } = options;
  const clock = options.clock ?? (() => new Date());

  app.get('/api/staff/appeals', async (request, reply) => {
    const me = requireDispatcher(request, reply, directory);
    if (!me) return reply;
    const query = ListQuery.safeParse(request.query ?? {});
    if (!query.success) return reply.code(400).send({ error: 'bad_request', message: describe(query.error) });
    const now = clock();
    const [appeals, counts] = await Promise.all([
      inboxAppeals(db, {
        status: query.data.status,
        overdue: query.data.overdue === '1',
        now,
        limit: LIST_LIMIT,
      }),
      inboxCounts(db, now),
    ]);
    const urgent = await openUrgentAlerts(db, new Date(now.getTime() - URGENT_WINDOW_MS));
    return {
      me: { id: me.id, name: me.name, role: me.role ?? 'dispatcher' },
      timeZone: options.timeZone,
      urgent: urgent.map((alert) => ({
        id: alert.id,
        contactId: alert.contact_id,
        channel: alert.channel,
        signal: alert.signal,
        at: alert.created_at,
        postedToTelegram: alert.posted_at !== null,
        // One banner per contact: further crisis messages of the same person raise this count.
        repeats: alert.repeat_count,
        lastAt: alert.last_seen_at ?? alert.created_at,
      })),
      counts,
      appeals: appeals.map(listItem(directory, now)),
      // The year whose holiday transfers (Government decree) are missing from the profile, or null.
      calendarTransfersMissing: options.calendar
        ? (missingTransfersYear(now, options.timeZone, options.calendar) ?? null)
        : null,
    };
  });

  // "Seen, someone is on it": the crisis banner goes away for everyone; who acknowledged it is kept.
  app.post('/api/staff/urgent/:id/ack', async (request, reply) => {
    const me = requireDispatcher(request, reply, directory);
    if (!me) return reply;
    const params = DetailParams.safeParse(request.params);
    if (!params.success)
      return reply.code(400).send({ error: 'bad_request', message: describe(params.error) });
    const done = await acknowledgeUrgentAlert(db, params.data.id, `web:${me.id}`, clock());
    if (!done) {
      return reply
        .code(409)
        .send({ error: 'not_open', message: 'no such alert, or it was already acknowledged' });
    }
    return { ok: true };
  });

  app.get('/api/staff/appeals/:id', async (request, reply) => {
    if (!requireDispatcher(request, reply, directory)) return reply;
    const params = DetailParams.safeParse(request.params);
    if (!params.success)
      return reply.code(400).send({ error: 'bad_request', message: describe(params.error) });
    const query = DetailQuery.safeParse(request.query ?? {});
    if (!query.success) return reply.code(400).send({ error: 'bad_request', message: describe(query.error) });
    const appeal = await getAppeal(db, params.data.id);
    if (!appeal) return reply.code(404).send({ error: 'not_found', message: 'appeal not found' });
    // Opened by staff: what the family wrote has been seen.
    if (appeal.unread_at) await markAppealRead(db, appeal.id);
    const [history, transcript, bookings, survey] = await Promise.all([
      appealHistory(db, appeal.id),
      appeal.contact_id === null
        ? []
        : transcriptTail(db, appeal.contact_id, query.data.after, TRANSCRIPT_LIMIT),
      appealBookings(db, appeal.id),
      appealSurvey(db, appeal.id),
    ]);
    return {
      timeZone: options.timeZone,
      appeal: card(directory, appeal, clock()),
      history: history.map((event) => ({
        id: event.id,
        at: event.at,
        action: event.action,
        from: event.from_status,
        to: event.to_status,
        note: event.note,
        actor: actorOf(directory, event.actor),
      })),
      transcript: transcript.map(transcriptItem),
      bookings: bookings.map(routeItem),
      survey,
    };
  });
}
