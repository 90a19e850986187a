import { msg, type OutboundMessage } from '../flows/types.ts';
import type { Db } from '../storage/db.ts';
import { completeIfDone, getSurvey, nextUnanswered, recordAnswer } from '../storage/surveys.ts';
import { parseSurveyPayload, surveyQuestion, surveyThanks } from './survey-messages.ts';

/**
 * One tap on a survey button: the answer is stored (a changed mind replaces it, partial answers stay), then
 * the next unanswered question is asked, or thanks once all are in. Only the family the survey was sent to
 * can answer it.
 */
export async function answerSurvey(
  db: Db,
  contactId: number,
  payload: string,
  now: Date,
): Promise<OutboundMessage[]> {
  const tap = parseSurveyPayload(payload);
  const survey = tap ? await getSurvey(db, tap.surveyId) : undefined;
  if (!tap || !survey || survey.contact_id !== contactId) return [{ parts: [msg('error-stale-button')] }];
  const recorded = await recordAnswer(db, tap.surveyId, tap.question, tap.answer, now);
  if (!recorded.ok) return [{ parts: [msg('error-stale-button')] }];
  const next = await nextUnanswered(db, survey.id);
  if (next !== undefined) return [surveyQuestion(survey.id, next)];
  await completeIfDone(db, survey.id, now);
  return [surveyThanks()];
}
