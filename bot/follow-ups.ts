import type { Logger } from 'pino';
import type { CenterProfile } from '../config/center.ts';
import { followUpMoment, outsideQuietHours } from '../domain/follow-up.ts';
import { progressQuestion } from '../flows/progress.ts';
import type { FollowUpHandler, FollowUpOutcome } from '../scheduler/follow-up-queue.ts';
import type { JobScheduler } from '../scheduler/scheduler.ts';
import { noteAppealEvent } from '../storage/appeal-lifecycle.ts';
import { getAppeal } from '../storage/appeals.ts';
import type { Db } from '../storage/db.ts';
import {
  claimFollowUp,
  dropPendingFollowUp,
  followUpOpen,
  latestVisit,
  releaseFollowUp,
  setVisitFollowUp,
} from '../storage/follow-ups.ts';
import type { Runtime } from './runtime.ts';
import { sendSurveyReminder } from './survey-reminders.ts';

/**
 * After a visit (an attended appointment, or a route-sheet item at a partner), plans the follow-up of its
 * appeal: 10:00 on the 5th working day after the visit, unless a time was agreed with the family. The job is
 * scheduled after commit (`afterCommit`), or at once when there is no transaction to wait for.
 */
export async function planFollowUpAfterVisit(
  deps: { db: Db; center: CenterProfile; scheduler: JobScheduler },
  booking: { appeal_id: number | null; starts_at: Date },
  afterCommit?: Array<() => Promise<void>>,
): Promise<Date | undefined> {
  if (booking.appeal_id === null) return undefined;
  const appealId = booking.appeal_id;
  const visitAt = (await latestVisit(deps.db, appealId)) ?? booking.starts_at;
  const at = await setVisitFollowUp(deps.db, appealId, followUpMoment(visitAt, deps.center));
  if (!at) return undefined;
  const schedule = async () => deps.scheduler.scheduleFollowUp?.(appealId, at);
  if (afterCommit) afterCommit.push(schedule);
  else await schedule();
  return at;
}

export type FollowUpDeps = {
  db: Db;
  center: CenterProfile;
  runtime: Pick<Runtime, 'sendSystemMessage'>;
  clock?: () => Date;
  logger?: Logger;
};

/**
 * Sends «Решился ли ваш вопрос по обращению № …?» when its job fires: once (the ledger column is claimed before
 * the message is stored), never at night, never for a closed or anonymised appeal, and only while the visit
 * that called for it still stands (or the time was agreed with the family).
 */
export async function sendFollowUp(deps: FollowUpDeps, appealId: number): Promise<FollowUpOutcome> {
  const { db, center } = deps;
  const now = (deps.clock ?? (() => new Date()))();
  const appeal = await getAppeal(db, appealId);
  if (!appeal || !followUpOpen(appeal) || !appeal.follow_up_at || appeal.follow_up_sent_at) return undefined;
  // Moved later while the job waited: the same job waits for the new time.
  if (appeal.follow_up_at.getTime() > now.getTime()) return { postponeUntil: appeal.follow_up_at };
  if (!appeal.follow_up_agreed && !(await latestVisit(db, appealId))) {
    // The visit was cancelled or marked missed since: nothing to ask about.
    await dropPendingFollowUp(db, appealId);
    return undefined;
  }
  const allowed = outsideQuietHours(now, center);
  if (allowed.getTime() > now.getTime()) return { postponeUntil: allowed };
  if (!(await claimFollowUp(db, appealId, now))) return undefined;
  const contactId = appeal.contact_id as number;
  let sent: boolean;
  try {
    sent = await deps.runtime.sendSystemMessage(contactId, [
      progressQuestion(appeal.id, appeal.number ?? String(appeal.id), 'follow-up-question'),
    ]);
  } catch (error) {
    await releaseFollowUp(db, appealId, now);
    throw error;
  }
  if (!sent) return undefined;
  await noteAppealEvent(db, appeal, {
    at: now,
    actor: 'system',
    action: 'follow-up',
    note: appeal.follow_up_agreed ? 'agreed' : 'after visit',
  });
  deps.logger?.info({ appealId }, 'follow-up question sent');
  return undefined;
}

/** The handler of the 'follow-ups' queue: follow-up questions and survey reminders. */
export function createFollowUpHandler(deps: FollowUpDeps): FollowUpHandler {
  return (kind, id) => (kind === 'followUp' ? sendFollowUp(deps, id) : sendSurveyReminder(deps, id));
}
