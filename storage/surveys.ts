import type { ProgressAnswer } from '../domain/follow-up.ts';
import type { Db } from './db.ts';
import { latestProgress } from './follow-ups.ts';
import type { Survey, SurveyAnswer } from './schema.ts';

/** Questions asked in the chat (survey.md); question 1, the name, is taken from the appeal. */
export const SURVEY_QUESTIONS = [2, 3, 4, 5, 6, 7, 8] as const;
export type SurveyQuestion = (typeof SURVEY_QUESTIONS)[number];
export const SURVEY_ANSWERS = ['yes', 'no', 'partly'] as const;
/** Only these questions offer «Частично» (survey.md). */
export const PARTLY_ALLOWED: readonly number[] = [3, 4, 5];

export const isSurveyQuestion = (value: number): value is SurveyQuestion =>
  (SURVEY_QUESTIONS as readonly number[]).includes(value);

export const answersAllowed = (question: number): SurveyAnswer[] =>
  PARTLY_ALLOWED.includes(question) ? ['yes', 'no', 'partly'] : ['yes', 'no'];

/** One survey per appeal: asking again returns the survey already there (and its answers stay). */
export async function createSurvey(
  db: Db,
  appealId: number,
  contactId: number | null,
  now: Date,
): Promise<Survey> {
  const inserted = await db
    .insertInto('surveys')
    .values({ appeal_id: appealId, contact_id: contactId, sent_at: now })
    .onConflict((oc) => oc.column('appeal_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  return db.selectFrom('surveys').selectAll().where('appeal_id', '=', appealId).executeTakeFirstOrThrow();
}

export async function getSurvey(db: Db, surveyId: number): Promise<Survey | undefined> {
  return db.selectFrom('surveys').selectAll().where('id', '=', surveyId).executeTakeFirst();
}

export type RecordAnswerResult =
  | { ok: true }
  | { ok: false; reason: 'not_found' | 'invalid_question' | 'invalid_answer' };

/** Upserts one answer: a changed mind replaces the earlier answer to the same question. */
export async function recordAnswer(
  db: Db,
  surveyId: number,
  question: number,
  answer: string,
  now: Date,
): Promise<RecordAnswerResult> {
  if (!Number.isInteger(question) || !isSurveyQuestion(question)) {
    return { ok: false, reason: 'invalid_question' };
  }
  if (!(answersAllowed(question) as string[]).includes(answer))
    return { ok: false, reason: 'invalid_answer' };
  if (!(await getSurvey(db, surveyId))) return { ok: false, reason: 'not_found' };
  await db
    .insertInto('survey_answers')
    .values({ survey_id: surveyId, question, answer: answer as SurveyAnswer, answered_at: now })
    .onConflict((oc) =>
      oc.columns(['survey_id', 'question']).doUpdateSet({ answer: answer as SurveyAnswer, answered_at: now }),
    )
    .execute();
  return { ok: true };
}

export async function surveyAnswers(db: Db, surveyId: number): Promise<Map<number, SurveyAnswer>> {
  const rows = await db
    .selectFrom('survey_answers')
    .select(['question', 'answer'])
    .where('survey_id', '=', surveyId)
    .execute();
  return new Map(rows.map((row) => [Number(row.question), row.answer]));
}

/** The first question (in survey order) still without an answer; undefined when all are answered. */
export async function nextUnanswered(db: Db, surveyId: number): Promise<number | undefined> {
  const answered = await surveyAnswers(db, surveyId);
  return SURVEY_QUESTIONS.find((question) => !answered.has(question));
}

/** Marks the survey completed once every question is answered; true when it is (now or already) complete. */
export async function completeIfDone(db: Db, surveyId: number, now: Date): Promise<boolean> {
  if ((await nextUnanswered(db, surveyId)) !== undefined) return false;
  await db
    .updateTable('surveys')
    .set({ completed_at: now })
    .where('id', '=', surveyId)
    .where('completed_at', 'is', null)
    .execute();
  return true;
}

/** The optional free-text comment. */
export async function setSurveyComment(db: Db, surveyId: number, comment: string): Promise<boolean> {
  const result = await db
    .updateTable('surveys')
    .set({ comment: comment.trim().slice(0, 2000) || null })
    .where('id', '=', surveyId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** What the reports need of an appeal: no names, phones or street addresses. */
export type ReportAppeal = {
  id: number;
  number: string | null;
  contactId: number | null;
  createdAt: Date;
  channel: string;
  kind: string;
  purpose: string;
  address: string | null;
  minorChildren: number | null;
  status: string;
  result: string | null;
  answers: Partial<Record<SurveyQuestion, SurveyAnswer>>;
  /** Specialists the family was booked with or saw (ids from the center profile; never names). */
  specialists: string[];
  /** The family's latest answer to «Решился ли ваш вопрос?» (follow-up or menu). */
  progress: ProgressAnswer | null;
};

/** Appeals created in [from, until), with their survey answers, oldest first. */
export async function appealsForReport(db: Db, from: Date, until: Date): Promise<ReportAppeal[]> {
  const appeals = await db
    .selectFrom('appeals')
    .select([
      'id',
      'number',
      'contact_id',
      'created_at',
      'channel',
      'kind',
      'purpose',
      'address',
      'minor_children',
      'status',
      'result',
    ])
    .where('created_at', '>=', from)
    .where('created_at', '<', until)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const answers = appeals.length
    ? await db
        .selectFrom('survey_answers')
        .innerJoin('surveys', 'surveys.id', 'survey_answers.survey_id')
        .select(['surveys.appeal_id', 'survey_answers.question', 'survey_answers.answer'])
        .where(
          'surveys.appeal_id',
          'in',
          appeals.map((appeal) => appeal.id),
        )
        .execute()
    : [];
  const byAppeal = new Map<number, Partial<Record<SurveyQuestion, SurveyAnswer>>>();
  for (const row of answers) {
    const entry = byAppeal.get(row.appeal_id) ?? {};
    entry[Number(row.question) as SurveyQuestion] = row.answer;
    byAppeal.set(row.appeal_id, entry);
  }
  const ids = appeals.map((appeal) => appeal.id);
  const seen = ids.length
    ? await db
        .selectFrom('bookings')
        .select(['appeal_id', 'specialist_id'])
        .distinct()
        .where('appeal_id', 'in', ids)
        .where('kind', '=', 'specialist')
        .where('status', 'in', ['confirmed', 'attended'])
        .where('specialist_id', 'is not', null)
        .orderBy('specialist_id')
        .execute()
    : [];
  const specialists = new Map<number, string[]>();
  for (const row of seen) {
    if (row.appeal_id === null || row.specialist_id === null) continue;
    specialists.set(row.appeal_id, [...(specialists.get(row.appeal_id) ?? []), row.specialist_id]);
  }
  const progress = await latestProgress(db, ids);
  return appeals.map((appeal) => ({
    id: appeal.id,
    number: appeal.number,
    contactId: appeal.contact_id,
    createdAt: appeal.created_at,
    channel: appeal.channel,
    kind: appeal.kind,
    purpose: appeal.purpose,
    address: appeal.address,
    minorChildren: appeal.minor_children,
    status: appeal.status,
    result: appeal.result,
    answers: byAppeal.get(appeal.id) ?? {},
    specialists: specialists.get(appeal.id) ?? [],
    progress: progress.get(appeal.id) ?? null,
  }));
}

/** Unfinished, unreminded surveys whose family can still be reached (start-up reconciliation of reminders). */
export async function surveysAwaitingReminder(db: Db): Promise<Survey[]> {
  return db
    .selectFrom('surveys')
    .selectAll()
    .where('completed_at', 'is', null)
    .where('reminded_at', 'is', null)
    .where('contact_id', 'is not', null)
    .orderBy('id')
    .execute();
}

/** Claims the one reminder of a survey: true for exactly one caller; false once reminded or completed. */
export async function claimSurveyReminder(db: Db, surveyId: number, now: Date): Promise<boolean> {
  const claimed = await db
    .updateTable('surveys')
    .set({ reminded_at: now })
    .where('id', '=', surveyId)
    .where('reminded_at', 'is', null)
    .where('completed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Gives the claim back when the reminder could not be stored, so the retried job sends it. */
export async function releaseSurveyReminder(db: Db, surveyId: number, claimedAt: Date): Promise<void> {
  await db
    .updateTable('surveys')
    .set({ reminded_at: null })
    .where('id', '=', surveyId)
    .where('reminded_at', '=', claimedAt)
    .execute();
}
