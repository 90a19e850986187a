import type { ProgressAnswer } from '../domain/follow-up.ts';
import { noteAppealEvent } from './appeal-lifecycle.ts';
import type { Db } from './db.ts';
import type { Appeal } from './schema.ts';

/**
 * The latest visit that calls for a follow-up: an attended appointment with a specialist, or a route-sheet
 * item at a partner organisation (booked by a dispatcher; its time passing is the visit, no answer needed).
 */
export async function latestVisit(db: Db, appealId: number): Promise<Date | undefined> {
  const row = await db
    .selectFrom('bookings')
    .select('starts_at')
    .where('appeal_id', '=', appealId)
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'specialist'), eb('status', '=', 'attended')]),
        eb.and([eb('kind', '=', 'partner'), eb('status', 'in', ['confirmed', 'attended'])]),
      ]),
    )
    .orderBy('starts_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.starts_at;
}

export const followUpOpen = (appeal: Appeal): boolean =>
  appeal.status !== 'closed' && appeal.anonymized_at === null && appeal.contact_id !== null;

/**
 * Sets the follow-up of an appeal to `at` after a visit, unless a time was agreed with the family (kept), the
 * same time is already set, or the family was already asked at or after it. A new, later visit asks again.
 * Returns the time to schedule, or undefined when there is nothing new to schedule.
 */
export async function setVisitFollowUp(db: Db, appealId: number, at: Date): Promise<Date | undefined> {
  const appeal = await db.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirst();
  if (!appeal || !followUpOpen(appeal) || appeal.follow_up_agreed) return undefined;
  if (appeal.follow_up_at?.getTime() === at.getTime()) return appeal.follow_up_sent_at ? undefined : at;
  if (appeal.follow_up_sent_at && at.getTime() <= appeal.follow_up_sent_at.getTime()) return undefined;
  await db
    .updateTable('appeals')
    .set({ follow_up_at: at, follow_up_sent_at: null })
    .where('id', '=', appealId)
    .execute();
  return at;
}

/** A time agreed with the family (cases.md: «at the time agreed»): replaces any planned follow-up. */
export async function setAgreedFollowUp(
  db: Db,
  appealId: number,
  at: Date,
  actor: string,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const appeal = await tx
      .updateTable('appeals')
      .set({ follow_up_at: at, follow_up_agreed: true, follow_up_sent_at: null, updated_at: now })
      .where('id', '=', appealId)
      .returning('status')
      .executeTakeFirstOrThrow();
    await noteAppealEvent(
      tx,
      { id: appealId, status: appeal.status },
      { at: now, actor, action: 'follow-up-agreed', note: at.toISOString() },
    );
  });
}

/**
 * Claims the follow-up question of an appeal: true for exactly one caller, however often its job runs or is
 * re-created; false once asked, when not yet due, or when the appeal was closed or anonymised meanwhile.
 */
export async function claimFollowUp(db: Db, appealId: number, now: Date): Promise<boolean> {
  const claimed = await db
    .updateTable('appeals')
    .set({ follow_up_sent_at: now })
    .where('id', '=', appealId)
    .where('follow_up_sent_at', 'is', null)
    .where('follow_up_at', '<=', now)
    .where('status', '!=', 'closed')
    .where('anonymized_at', 'is', null)
    .where('contact_id', 'is not', null)
    .returning('id')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Gives a claim back when the message could not be stored, so the retried job sends it. */
export async function releaseFollowUp(db: Db, appealId: number, claimedAt: Date): Promise<void> {
  await db
    .updateTable('appeals')
    .set({ follow_up_sent_at: null })
    .where('id', '=', appealId)
    .where('follow_up_sent_at', '=', claimedAt)
    .execute();
}

/** Drops a follow-up not asked yet (the family reported on its own; or the visit that called for it is gone). */
export async function dropPendingFollowUp(db: Db, appealId: number): Promise<void> {
  await db
    .updateTable('appeals')
    .set({ follow_up_at: null, follow_up_agreed: false })
    .where('id', '=', appealId)
    .where('follow_up_sent_at', 'is', null)
    .execute();
}

/** Follow-ups still owed (start-up reconciliation re-creates their jobs). */
export async function followUpsOwed(db: Db): Promise<Array<{ id: number; followUpAt: Date }>> {
  const rows = await db
    .selectFrom('appeals')
    .select(['id', 'follow_up_at'])
    .where('follow_up_at', 'is not', null)
    .where('follow_up_sent_at', 'is', null)
    .where('status', '!=', 'closed')
    .where('anonymized_at', 'is', null)
    .where('contact_id', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.flatMap((row) => (row.follow_up_at ? [{ id: row.id, followUpAt: row.follow_up_at }] : []));
}

/** A family's appeals it can report progress on: open and its own, newest first. */
export async function openAppealsOf(
  db: Db,
  contactId: number,
): Promise<Array<{ id: number; number: string; createdAt: Date }>> {
  const rows = await db
    .selectFrom('appeals')
    .select(['id', 'number', 'created_at'])
    .where('contact_id', '=', contactId)
    .where('status', '!=', 'closed')
    .where('anonymized_at', 'is', null)
    .orderBy('id', 'desc')
    // Five buttons at most: they stay an inline keyboard on VK (6 rows), and a family rarely has more.
    .limit(5)
    .execute();
  return rows.map((row) => ({ id: row.id, number: row.number ?? String(row.id), createdAt: row.created_at }));
}

/** The family's answer, appended to the appeal's history (the status does not change). */
export async function recordProgress(
  db: Db,
  appeal: Pick<Appeal, 'id' | 'status'>,
  answer: ProgressAnswer,
  now: Date,
): Promise<void> {
  await noteAppealEvent(db, appeal, { at: now, actor: 'family', action: 'progress', note: answer });
}

/** The family's own words about progress (personal data: stored only after consent, never logged). */
export async function recordProgressComment(
  db: Db,
  appeal: Pick<Appeal, 'id' | 'status'>,
  text: string,
  now: Date,
): Promise<void> {
  await noteAppealEvent(db, appeal, {
    at: now,
    actor: 'family',
    action: 'progress-comment',
    note: text.trim().slice(0, 2000),
  });
}

/** Deletion on request: the family's own words go; that an answer was given stays (anonymous reports). */
export async function blankProgressCommentsOf(db: Db, contactId: number): Promise<void> {
  await db
    .updateTable('appeal_events')
    .set({ note: null })
    .where('action', '=', 'progress-comment')
    .where('appeal_id', 'in', db.selectFrom('appeals').select('id').where('contact_id', '=', contactId))
    .execute();
}

/** The latest progress answer of each appeal, for reports. */
export async function latestProgress(db: Db, appealIds: number[]): Promise<Map<number, ProgressAnswer>> {
  if (appealIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('appeal_events')
    .select(['appeal_id', 'note'])
    .where('action', '=', 'progress')
    .where('appeal_id', 'in', appealIds)
    .orderBy('id')
    .execute();
  const latest = new Map<number, ProgressAnswer>();
  for (const row of rows) if (row.note) latest.set(row.appeal_id, row.note as ProgressAnswer);
  return latest;
}
