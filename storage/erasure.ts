import { type Insertable, sql } from 'kysely';
import type { Db } from './db.ts';
import type { Contact, StaffErasuresTable } from './schema.ts';

/**
 * «Удалить мои данные» (152-ФЗ art. 21): everything that names, reaches or quotes the family goes. What stays is
 * anonymous statistics — purpose, channel, dates, number of children, statuses and results — unlinked from any
 * person, plus one `data-deleted` line in each appeal's history so the dispatcher sees what happened.
 */

/** What the family is told it cancels before it confirms. */
export type DeletionPreview = {
  /** Upcoming appointments (held or confirmed), ISO instants, soonest first. */
  bookings: string[];
  /** Settlements whose outreach visit days the family follows. */
  subscriptions: string[];
  /** Appeals not closed yet (their numbers). */
  openAppeals: string[];
};

export async function previewDeletion(db: Db, contactId: number, now: Date): Promise<DeletionPreview> {
  const bookings = await db
    .selectFrom('bookings')
    .select('starts_at')
    .where('contact_id', '=', contactId)
    .where('status', 'in', ['held', 'confirmed'])
    .where('starts_at', '>', now)
    .orderBy('starts_at')
    .execute();
  const subscriptions = await db
    .selectFrom('outreach_subscriptions')
    .select('settlement')
    .where('contact_id', '=', contactId)
    .orderBy('settlement')
    .execute();
  const appeals = await db
    .selectFrom('appeals')
    .select(['id', 'number'])
    .where('contact_id', '=', contactId)
    .where('status', '!=', 'closed')
    .orderBy('id')
    .execute();
  return {
    bookings: bookings.map((row) => row.starts_at.toISOString()),
    subscriptions: subscriptions.map((row) => row.settlement),
    openAppeals: appeals.map((row) => row.number ?? String(row.id)),
  };
}

/** Notes safe to keep: machine codes, never words. Everything else in a history note may quote the family. */
const SAFE_NOTE = sql<boolean>`(note ~ '^result: [a-z_]+$' or note ~ '^booking [0-9]+$' or (action = 'progress' and note in ('yes', 'partly', 'no', 'help')))`;

export type ErasureResult = { appeals: number; appealIds: number[]; staffPosts: number };

/**
 * Erases a contact's personal data in the caller's transaction. Bookings must already be released (the
 * runtime cancels their reminder jobs). The contact row keeps only its chat id until the goodbye is delivered
 * (`finishErasedContacts`); a web session id is replaced at once, so the session is dead from this moment.
 */
export async function eraseContactData(
  db: Db,
  contact: { id: number; channel: string },
  now: Date,
): Promise<ErasureResult> {
  const contactId = contact.id;
  const appealIds = (
    await db.selectFrom('appeals').select('id').where('contact_id', '=', contactId).execute()
  ).map((row) => row.id);
  const staffPosts = await anonymiseAppeals(db, appealIds, now, { actor: 'family', action: 'data-deleted' });
  await db
    .updateTable('surveys')
    .set({ comment: null, contact_id: null })
    .where('contact_id', '=', contactId)
    .execute();
  // Route items keep the partner organisation (not personal) but not the person the family is to see. The
  // runtime then cancels what is upcoming and unlinks the bookings (releaseBookingsOfContact).
  await db
    .updateTable('bookings')
    .set({ partner_person: null, partner_phone: null, updated_at: now })
    .where('contact_id', '=', contactId)
    .execute();
  // A crisis alert stays as an anonymous count (signal, channel, date), closed: there is nobody to call back.
  await db
    .updateTable('urgent_alerts')
    .set((eb) => ({
      contact_id: null,
      acknowledged_at: eb.fn.coalesce('acknowledged_at', sql<Date>`${now}`),
      acknowledged_by: eb.fn.coalesce('acknowledged_by', sql<string>`'system:data-deleted'`),
    }))
    .where('contact_id', '=', contactId)
    .execute();
  await db.deleteFrom('messages').where('contact_id', '=', contactId).execute();
  await db.deleteFrom('conversations').where('contact_id', '=', contactId).execute();
  await db.deleteFrom('outreach_subscriptions').where('contact_id', '=', contactId).execute();
  await db.deleteFrom('outreach_notices').where('contact_id', '=', contactId).execute();
  await db.deleteFrom('broadcast_recipients').where('contact_id', '=', contactId).execute();
  await db
    .updateTable('consents')
    .set({ withdrawn_at: now })
    .where('contact_id', '=', contactId)
    .where('withdrawn_at', 'is', null)
    .execute();
  await db
    .updateTable('contacts')
    .set({
      erased_at: now,
      // A web session id is the session itself: replaced now, so it no longer opens anything.
      ...(contact.channel === 'web' ? { external_id: `erased-${contactId}` } : {}),
    })
    .where('id', '=', contactId)
    .execute();
  return { appeals: appealIds.length, appealIds, staffPosts };
}

/**
 * Blanks every personal field of these appeals and unlinks them from the contact: history notes that may
 * quote anyone, survey comments, the partner person of route items, and the staff-chat posts (queued for the
 * Bot API). One event per appeal says what happened and who caused it, without any data. Returns the number
 * of staff-chat erasures queued.
 */
export async function anonymiseAppeals(
  db: Db,
  appealIds: number[],
  now: Date,
  event: { actor: string; action: string },
): Promise<number> {
  if (appealIds.length === 0) return 0;
  const staffPosts = await queueStaffErasures(db, appealIds, now);
  await db
    .updateTable('appeal_events')
    .set({ note: null })
    .where('appeal_id', 'in', appealIds)
    .where('note', 'is not', null)
    .where(sql<boolean>`not ${SAFE_NOTE}`)
    .execute();
  await db
    .insertInto('appeal_events')
    .values(
      appealIds.map((id) => ({
        appeal_id: id,
        at: now,
        actor: event.actor,
        action: event.action,
        from_status: null,
        to_status: null,
        note: null,
      })),
    )
    .execute();
  await db
    .updateTable('appeals')
    .set({
      full_name: null,
      birth_date: null,
      address: null,
      marital_status: null,
      phone: null,
      need_text: null,
      callback_window: null,
      contact_id: null,
      consent_id: null,
      anonymized_at: now,
      updated_at: now,
    })
    .where('id', 'in', appealIds)
    .execute();
  await db
    .updateTable('surveys')
    .set({ comment: null, contact_id: null })
    .where('appeal_id', 'in', appealIds)
    .execute();
  await db
    .updateTable('bookings')
    .set({ partner_person: null, partner_phone: null, updated_at: now })
    .where('appeal_id', 'in', appealIds)
    .execute();
  return staffPosts;
}

/** Every staff-chat post about these appeals (cards, family messages, status lines) and their forum topics. */
async function queueStaffErasures(db: Db, appealIds: number[], now: Date): Promise<number> {
  if (appealIds.length === 0) return 0;
  const posts = await db
    .selectFrom('staff_posts')
    .select(['chat_id', 'message_id', 'created_at', 'appeal_id'])
    .where('appeal_id', 'in', appealIds)
    .execute();
  const topics = await db
    .selectFrom('appeals')
    .select(['id', 'staff_topic_id'])
    .where('id', 'in', appealIds)
    .where('staff_topic_id', 'is not', null)
    .execute();
  const topicOf = new Map(topics.map((row) => [row.id, Number(row.staff_topic_id)]));
  const rows: Insertable<StaffErasuresTable>[] = posts.map((post) => ({
    chat_id: post.chat_id,
    message_id: Number(post.message_id),
    topic_id: topicOf.get(post.appeal_id) ?? null,
    posted_at: post.created_at,
    next_attempt_at: now,
  }));
  // A topic is deleted as a whole (with the dispatchers' own messages in it); its posts are the fallback.
  for (const [appealId, topicId] of topicOf) {
    const chatId = posts.find((post) => post.appeal_id === appealId)?.chat_id ?? '';
    rows.push({ chat_id: chatId, message_id: null, topic_id: topicId, posted_at: now, next_attempt_at: now });
  }
  if (rows.length > 0) await db.insertInto('staff_erasures').values(rows).execute();
  await db.deleteFrom('staff_posts').where('appeal_id', 'in', appealIds).execute();
  return rows.length;
}

/**
 * Removes the rows of erased contacts once their goodbye is delivered (or after `graceMs` regardless): the
 * chat id goes last. Cascades take the goodbye message, consents and conversation. Returns how many went.
 */
export async function finishErasedContacts(db: Db, now: Date, graceMs = 3600_000): Promise<number> {
  const deadline = new Date(now.getTime() - graceMs);
  const rows = await db
    .deleteFrom('contacts')
    .where('erased_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('erased_at', '<', deadline),
        eb.not(
          eb.exists(
            eb
              .selectFrom('messages')
              .select('messages.id')
              .whereRef('messages.contact_id', '=', 'contacts.id')
              .where('messages.direction', '=', 'out')
              .where('messages.status', '=', 'pending'),
          ),
        ),
      ]),
    )
    .returning('id')
    .execute();
  return rows.length;
}

/**
 * The person writes again before the erased row is gone: they start afresh, as a new contact, so nothing new
 * is attached to the erased one.
 */
export async function replaceErasedContact(db: Db, contact: Contact, now: Date): Promise<Contact> {
  await db.deleteFrom('contacts').where('id', '=', contact.id).execute();
  return db
    .insertInto('contacts')
    .values({ channel: contact.channel, external_id: contact.external_id, last_seen_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Tables a deletion or a retention run rewrites: the ones to compact afterwards. */
export const PERSONAL_TABLES = [
  'appeals',
  'appeal_events',
  'bookings',
  'contacts',
  'consents',
  'conversations',
  'messages',
  'surveys',
  'urgent_alerts',
  'outreach_subscriptions',
  'inbound_events',
  'staff_posts',
] as const;

/**
 * Deleted rows stay on disk until their pages are rewritten. On embedded PGlite (one process, small data) the
 * touched tables are rewritten (VACUUM FULL), and the WAL that still holds the old rows is switched and
 * removed at a checkpoint — with `wal_recycle` off, so the old segment is deleted instead of renamed for reuse
 * with its content intact (measured: see notes/trust-erasure.md). On PostgreSQL a VACUUM FULL takes an
 * exclusive lock and WAL/backups are the operator's (README "Personal data"): only a plain VACUUM runs here.
 * Must run outside a transaction. Returns what was done.
 */
export async function compactAfterErasure(db: Db): Promise<'pglite' | 'postgres'> {
  const { rows } = await sql<{ version: string }>`select version() as version`.execute(db);
  const embedded = rows[0]?.version.includes('wasm') ?? false;
  const tables = sql.join(PERSONAL_TABLES.map((table) => sql.table(table)));
  if (!embedded) {
    await sql`vacuum ${tables}`.execute(db);
    return 'postgres';
  }
  await sql`set wal_recycle = off`.execute(db);
  await sql`vacuum full ${tables}`.execute(db);
  await sql`checkpoint`.execute(db);
  await sql`select pg_switch_wal()`.execute(db);
  await sql`checkpoint`.execute(db);
  return 'pglite';
}

export type StaffErasure = {
  id: number;
  chatId: string;
  messageId: number | null;
  topicId: number | null;
  postedAt: Date | null;
  attempts: number;
};

/** Staff-chat posts still to delete whose next attempt is due; forum topics first (one call takes a topic). */
export async function dueStaffErasures(db: Db, now: Date, limit = 50): Promise<StaffErasure[]> {
  const rows = await db
    .selectFrom('staff_erasures')
    .selectAll()
    .where('done_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .orderBy(sql`message_id is not null`)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    chatId: row.chat_id,
    messageId: row.message_id === null ? null : Number(row.message_id),
    topicId: row.topic_id === null ? null : Number(row.topic_id),
    postedAt: row.posted_at,
    attempts: row.attempts,
  }));
}

/** Done: deleted, edited (too old to delete), gone (already absent) or impossible (kept; logged). */
export async function finishStaffErasure(db: Db, id: number, outcome: string, now: Date): Promise<void> {
  await db
    .updateTable('staff_erasures')
    .set({ done_at: now, outcome })
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .execute();
}

/** A deleted forum topic took its messages with it. */
export async function finishTopicPosts(db: Db, chatId: string, topicId: number, now: Date): Promise<number> {
  const rows = await db
    .updateTable('staff_erasures')
    .set({ done_at: now, outcome: 'deleted-with-topic' })
    .where('chat_id', '=', chatId)
    .where('topic_id', '=', topicId)
    .where('message_id', 'is not', null)
    .where('done_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

/** Failed for now (429, Telegram down, bot removed from the chat): retried later, never dropped. */
export async function postponeStaffErasure(db: Db, id: number, error: string, retryAt: Date): Promise<void> {
  await db
    .updateTable('staff_erasures')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 300),
      next_attempt_at: retryAt,
    }))
    .where('id', '=', id)
    .execute();
}
