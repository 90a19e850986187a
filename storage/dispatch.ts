import type { Db } from './db.ts';
import type { Appeal } from './schema.ts';

/**
 * The appeal a dispatcher currently holds for this family (taken, in work or waiting), if any: while it
 * exists the family's free text goes to that person instead of the bot. The most recently touched one wins.
 */
export async function heldAppeal(db: Db, contactId: number): Promise<Appeal | undefined> {
  return db
    .selectFrom('appeals')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('status', 'in', ['in_work', 'waiting'])
    .where('taken_by', 'is not', null)
    .where('anonymized_at', 'is', null)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** True when the "your message went to the dispatcher" notice is due again (first time, or after a pause). */
export async function claimHoldNotice(
  db: Db,
  appealId: number,
  now: Date,
  pauseMs: number,
): Promise<boolean> {
  const since = new Date(now.getTime() - pauseMs);
  const updated = await db
    .updateTable('appeals')
    .set({ hold_notice_at: now })
    .where('id', '=', appealId)
    .where((eb) => eb.or([eb('hold_notice_at', 'is', null), eb('hold_notice_at', '<', since)]))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

export async function recordStaffPost(db: Db, chatId: string, messageId: number, appealId: number) {
  await db
    .insertInto('staff_posts')
    .values({ chat_id: chatId, message_id: messageId, appeal_id: appealId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The appeal a staff-chat message is about: one of our posts, or the appeal's card. */
export async function appealOfStaffPost(
  db: Db,
  chatId: string,
  messageId: number,
): Promise<number | undefined> {
  const post = await db
    .selectFrom('staff_posts')
    .select('appeal_id')
    .where('chat_id', '=', chatId)
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  if (post) return post.appeal_id;
  const card = await db
    .selectFrom('appeals')
    .select('id')
    .where('staff_message_id', '=', String(messageId))
    .executeTakeFirst();
  return card?.id;
}

/** The appeal whose forum topic this is. */
export async function appealOfTopic(db: Db, topicId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('appeals')
    .select('id')
    .where('staff_topic_id', '=', String(topicId))
    .executeTakeFirst();
  return row?.id;
}

/** A repeat older than this is a new crisis, not the same one: the old alert is closed and a new one posted. */
const URGENT_REPEAT_WINDOW_MS = 6 * 3600_000;

export type RaisedAlert = { id: number; isNew: boolean; repeatCount: number };

/**
 * Records a crisis signal: at most one open alert per contact (a unique index says so). A repeat while the alert
 * is open only raises its count, so one frightened person writing ten times is one banner and one post (edited),
 * not ten. A repeat long after the last signal starts a fresh alert, so it is never hidden in an old post.
 */
export async function raiseUrgentAlert(
  db: Db,
  alert: { contactId: number; channel: string; signal: string; now: Date },
): Promise<RaisedAlert> {
  const staleBefore = new Date(alert.now.getTime() - URGENT_REPEAT_WINDOW_MS);
  await db
    .updateTable('urgent_alerts')
    .set({ acknowledged_at: alert.now, acknowledged_by: 'system:stale' })
    .where('contact_id', '=', alert.contactId)
    .where('acknowledged_at', 'is', null)
    .where((eb) => eb(eb.fn.coalesce('last_seen_at', 'created_at'), '<', staleBefore))
    .execute();
  const row = await db
    .insertInto('urgent_alerts')
    .values({
      contact_id: alert.contactId,
      channel: alert.channel,
      signal: alert.signal,
      created_at: alert.now,
      last_seen_at: alert.now,
    })
    .onConflict((oc) =>
      oc
        .column('contact_id')
        .where('acknowledged_at', 'is', null)
        .doUpdateSet((eb) => ({
          repeat_count: eb('urgent_alerts.repeat_count', '+', 1),
          last_seen_at: alert.now,
        })),
    )
    .returning(['id', 'repeat_count'])
    .executeTakeFirstOrThrow();
  return { id: row.id, isNew: row.repeat_count === 0, repeatCount: row.repeat_count };
}

export async function storeUrgentAlert(
  db: Db,
  alert: { contactId: number; channel: string; signal: string; now: Date },
): Promise<number> {
  return (await raiseUrgentAlert(db, alert)).id;
}

/** The alert's own staff post and what it shows, after it was sent or edited. */
export async function markUrgentPost(
  db: Db,
  id: number,
  post: { messageId?: number; repeatCount: number; summarized?: boolean },
): Promise<void> {
  await db
    .updateTable('urgent_alerts')
    .set({
      posted_repeat_count: post.repeatCount,
      ...(post.messageId !== undefined ? { staff_message_id: String(post.messageId) } : {}),
      ...(post.summarized ? { summarized: true } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * A crisis signal from a family with open appeals: those appeals become urgent (first in the inbox, marked on
 * the card). Returns the ones that were not urgent yet, so their staff card is refreshed once. `updated_at`
 * stays: it orders "the appeal a dispatcher holds", which a signal must not reshuffle.
 */
export async function markOpenAppealsUrgent(db: Db, contactId: number, now: Date): Promise<number[]> {
  const rows = await db
    .updateTable('appeals')
    .set({ urgent: true, urgent_at: now })
    .where('contact_id', '=', contactId)
    .where('status', '!=', 'closed')
    .where('anonymized_at', 'is', null)
    .where('urgent', '=', false)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** The family's open urgent appeals, for the crisis alert in the staff chat (number only, no personal data). */
export async function openUrgentAppealsOf(db: Db, contactId: number) {
  return db
    .selectFrom('appeals')
    .select(['id', 'number'])
    .where('contact_id', '=', contactId)
    .where('urgent', '=', true)
    .where('status', '!=', 'closed')
    .where('anonymized_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** Marks an alert posted; false when another process already did (then it must not be posted again). */
export async function markUrgentPosted(db: Db, id: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('urgent_alerts')
    .set({ posted_at: now })
    .where('id', '=', id)
    .where('posted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countUrgentAttempt(db: Db, id: number): Promise<void> {
  await db
    .updateTable('urgent_alerts')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function unpostedUrgentAlerts(db: Db, since: Date) {
  return db
    .selectFrom('urgent_alerts')
    .selectAll()
    .where('posted_at', 'is', null)
    .where('created_at', '>', since)
    .orderBy('id')
    .execute();
}

export async function getUrgentAlert(db: Db, id: number) {
  return db.selectFrom('urgent_alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Crisis alerts of the last days nobody has acknowledged yet: the inbox shows them above everything. */
export async function openUrgentAlerts(db: Db, since: Date) {
  return db
    .selectFrom('urgent_alerts')
    .select([
      'id',
      'contact_id',
      'channel',
      'signal',
      'created_at',
      'posted_at',
      'repeat_count',
      'last_seen_at',
    ])
    .where('acknowledged_at', 'is', null)
    .where('created_at', '>', since)
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
}

export async function acknowledgeUrgentAlert(db: Db, id: number, by: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('urgent_alerts')
    .set({ acknowledged_at: now, acknowledged_by: by })
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
