import type { Logger } from 'pino';
import type { ProgressAnswer } from '../domain/follow-up.ts';
import type { Effect, SystemEvent } from '../flows/types.ts';
import { getAppeal } from '../storage/appeals.ts';
import type { Db } from '../storage/db.ts';
import {
  dropPendingFollowUp,
  openAppealsOf,
  recordProgress,
  recordProgressComment,
} from '../storage/follow-ups.ts';

export type ProgressEffect = Extract<
  Effect,
  { type: 'listOpenAppeals' | 'progressAnswer' | 'progressComment' }
>;

export const isProgressEffect = (effect: Effect): effect is ProgressEffect =>
  ['listOpenAppeals', 'progressAnswer', 'progressComment'].includes(effect.type);

export type ProgressEffectContext = {
  tx: Db;
  contactId: number;
  now: Date;
  hasConsent: boolean;
  afterCommit: Array<() => Promise<void>>;
  /** Tells dispatchers after commit (runtime.onProgress listeners). */
  announce: (appealId: number, answer: ProgressAnswer) => void;
  logger: Logger;
};

/**
 * The family's progress reports against the database: only its own appeals, never closed or anonymised ones.
 * The answer goes into the appeal's history; a follow-up not yet sent is dropped (the family already told us).
 * The comment is stored only after consent and never logged.
 */
export async function applyProgressEffect(
  effect: ProgressEffect,
  context: ProgressEffectContext,
): Promise<SystemEvent> {
  const { tx, contactId, now } = context;
  if (effect.type === 'listOpenAppeals') {
    const appeals = await openAppealsOf(tx, contactId);
    return { type: 'openAppealsListed', appeals: appeals.map(({ id, number }) => ({ id, number })) };
  }
  const appeal = await getAppeal(tx, effect.appealId);
  const own = appeal && appeal.contact_id === contactId && appeal.anonymized_at === null;
  if (effect.type === 'progressComment') {
    if (!own || !context.hasConsent || appeal.status === 'closed')
      return { type: 'progressCommentSaved', ok: false };
    await recordProgressComment(tx, appeal, effect.text, now);
    context.logger.info({ appealId: appeal.id }, 'progress comment from the family');
    return { type: 'progressCommentSaved', ok: true };
  }
  const base = { type: 'progressRecorded', appealId: effect.appealId, answer: effect.answer } as const;
  if (!own) return { ...base, ok: false, reason: 'stale' };
  const number = appeal.number ?? String(appeal.id);
  if (appeal.status === 'closed') return { ...base, ok: false, reason: 'closed', number };
  await recordProgress(tx, appeal, effect.answer, now);
  await dropPendingFollowUp(tx, appeal.id);
  context.afterCommit.push(async () => context.announce(appeal.id, effect.answer));
  context.logger.info({ appealId: appeal.id, answer: effect.answer }, 'progress reported by the family');
  return { ...base, ok: true, number };
}
