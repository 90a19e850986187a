import { type ExpressionBuilder, sql } from 'kysely';
import type { RenderedMessage } from '../bot/i18n.ts';
import type { Db } from './db.ts';
import type { Appeal, Booking, Database, SurveyAnswer } from './schema.ts';

export const INBOX_FILTERS = ['new', 'in_work', 'waiting', 'closed', 'all'] as const;
export type InboxFilter = (typeof INBOX_FILTERS)[number];

/**
 * Late: still not contacted (status "new") and either flagged by the SLA job or past the promised moment.
 * The second half keeps the highlight honest when the SLA timers are not running (no Redis).
 */
const isOverdue = (now: Date) => (eb: ExpressionBuilder<Database, 'appeals'>) =>
  eb.and([
    eb('status', '=', 'new'),
    eb.or([eb('overdue_at', 'is not', null), eb('callback_due_at', '<=', now)]),
  ]);

export const appealIsOverdue = (appeal: Appeal, now: Date): boolean =>
  appeal.status === 'new' &&
  (appeal.overdue_at !== null ||
    (appeal.callback_due_at !== null && appeal.callback_due_at.getTime() <= now.getTime()));

/**
 * The inbox list: urgent appeals still open first (a crisis signal came with them), then newest first;
 * optionally one status and/or only the late ones. A closed urgent appeal takes its ordinary place.
 */
export async function inboxAppeals(
  db: Db,
  filter: { status: InboxFilter; overdue: boolean; now: Date; limit: number },
): Promise<Appeal[]> {
  let query = db.selectFrom('appeals').selectAll();
  if (filter.status !== 'all') query = query.where('status', '=', filter.status);
  if (filter.overdue) query = query.where(isOverdue(filter.now));
  return query
    .orderBy(sql`case when urgent and status <> 'closed' then 0 else 1 end`)
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .execute();
}

/** How many appeals each tab holds, plus the late ones. */
export async function inboxCounts(db: Db, now: Date): Promise<Record<InboxFilter | 'overdue', number>> {
  const rows = await db
    .selectFrom('appeals')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('status')
    .execute();
  const late = await db
    .selectFrom('appeals')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(isOverdue(now))
    .executeTakeFirstOrThrow();
  const counts = { new: 0, in_work: 0, waiting: 0, closed: 0, all: 0, overdue: Number(late.n) };
  for (const row of rows) {
    const n = Number(row.n);
    counts.all += n;
    if (row.status in counts) counts[row.status as InboxFilter] += n;
  }
  return counts;
}

export type TranscriptEntry = {
  id: number;
  direction: 'in' | 'out';
  body: RenderedMessage;
  createdAt: Date;
  status: 'pending' | 'sent' | 'failed';
};

/** The family's conversation, both directions, oldest first: the last `limit` messages after `afterId`. */
export async function transcriptTail(
  db: Db,
  contactId: number,
  afterId: number,
  limit: number,
): Promise<TranscriptEntry[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'direction', 'body', 'created_at', 'status'])
    .where('contact_id', '=', contactId)
    .where('id', '>', afterId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((row) => ({
    id: row.id,
    direction: row.direction,
    body: row.body as RenderedMessage,
    createdAt: row.created_at,
    status: row.status,
  }));
}

export async function appealBookings(db: Db, appealId: number): Promise<Booking[]> {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('appeal_id', '=', appealId)
    .orderBy('starts_at')
    .execute();
}

export type SurveyState = {
  sentAt: Date;
  completedAt: Date | null;
  answers: Record<string, SurveyAnswer>;
  comment: string | null;
};

export async function appealSurvey(db: Db, appealId: number): Promise<SurveyState | null> {
  const survey = await db
    .selectFrom('surveys')
    .selectAll()
    .where('appeal_id', '=', appealId)
    .executeTakeFirst();
  if (!survey) return null;
  const answers = await db
    .selectFrom('survey_answers')
    .select(['question', 'answer'])
    .where('survey_id', '=', survey.id)
    .orderBy('question')
    .execute();
  return {
    sentAt: survey.sent_at,
    completedAt: survey.completed_at,
    answers: Object.fromEntries(answers.map((row) => [String(row.question), row.answer])),
    comment: survey.comment,
  };
}
