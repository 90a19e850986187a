import type { Logger } from 'pino';
import type { CenterProfile } from '../config/center.ts';
import { outsideQuietHours, SURVEY_REMINDER_TOO_LATE_MS, surveyReminderMoment } from '../domain/follow-up.ts';
import { msg } from '../flows/types.ts';
import type { FollowUpOutcome } from '../scheduler/follow-up-queue.ts';
import type { JobScheduler } from '../scheduler/scheduler.ts';
import { getAppeal } from '../storage/appeals.ts';
import type { Db } from '../storage/db.ts';
import type { Survey } from '../storage/schema.ts';
import {
  claimSurveyReminder,
  completeIfDone,
  getSurvey,
  nextUnanswered,
  releaseSurveyReminder,
} from '../storage/surveys.ts';
import type { Runtime } from './runtime.ts';
import { surveyQuestion } from './survey-messages.ts';

/**
 * Called when a survey was sent: its one reminder is due survey.reminderAfterHours (48 h) later, not at night.
 * Failing to schedule is not fatal: start-up reconciliation finds the survey without reminded_at.
 */
export async function scheduleSurveyReminder(
  deps: { center: CenterProfile; scheduler: JobScheduler; logger?: Logger },
  survey: Pick<Survey, 'id' | 'sent_at' | 'completed_at' | 'reminded_at'>,
): Promise<void> {
  if (survey.completed_at || survey.reminded_at) return;
  await deps.scheduler
    .scheduleSurveyReminder?.(survey.id, surveyReminderMoment(survey.sent_at, deps.center))
    .catch((error: unknown) =>
      deps.logger?.warn(
        { err: error, surveyId: survey.id },
        'survey reminder not scheduled; reconciled at start',
      ),
    );
}

/**
 * Exactly one reminder of an unfinished survey, with the next unanswered question; nothing when it was
 * completed, already reminded, the family deleted its data, or the reminder is days late.
 */
export async function sendSurveyReminder(
  deps: {
    db: Db;
    center: CenterProfile;
    runtime: Pick<Runtime, 'sendSystemMessage'>;
    clock?: () => Date;
    logger?: Logger;
  },
  surveyId: number,
): Promise<FollowUpOutcome> {
  const { db, center } = deps;
  const now = (deps.clock ?? (() => new Date()))();
  const survey = await getSurvey(db, surveyId);
  if (!survey || survey.completed_at || survey.reminded_at || survey.contact_id === null) return undefined;
  const appeal = await getAppeal(db, survey.appeal_id);
  if (!appeal || appeal.anonymized_at || appeal.contact_id !== survey.contact_id) return undefined;
  const due = surveyReminderMoment(survey.sent_at, center);
  if (due.getTime() > now.getTime()) return { postponeUntil: due };
  if (now.getTime() - due.getTime() > SURVEY_REMINDER_TOO_LATE_MS) return undefined;
  const allowed = outsideQuietHours(now, center);
  if (allowed.getTime() > now.getTime()) return { postponeUntil: allowed };
  const question = await nextUnanswered(db, survey.id);
  if (question === undefined) {
    await completeIfDone(db, survey.id, now);
    return undefined;
  }
  if (!(await claimSurveyReminder(db, survey.id, now))) return undefined;
  const number = appeal.number ?? String(appeal.id);
  try {
    await deps.runtime.sendSystemMessage(survey.contact_id, [
      { parts: [msg('survey-reminder', { number })] },
      surveyQuestion(survey.id, question),
    ]);
  } catch (error) {
    await releaseSurveyReminder(db, survey.id, now);
    throw error;
  }
  deps.logger?.info({ surveyId }, 'survey reminder sent');
  return undefined;
}
