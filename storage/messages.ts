import type { RenderedMessage } from '../bot/i18n.ts';
import type { Db } from './db.ts';

export type StoredMessage = { id: number; direction: 'in' | 'out'; body: RenderedMessage; createdAt: Date };

export async function appendMessages(
  db: Db,
  contactId: number,
  direction: 'in' | 'out',
  bodies: RenderedMessage[],
  at: Date,
): Promise<number[]> {
  if (bodies.length === 0) return [];
  const rows = await db
    .insertInto('messages')
    .values(
      bodies.map((body) => ({
        contact_id: contactId,
        direction,
        body: JSON.stringify(body),
        created_at: at,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export async function messagesAfter(
  db: Db,
  contactId: number,
  afterId: number,
  limit = 200,
): Promise<StoredMessage[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'direction', 'body', 'created_at'])
    .where('contact_id', '=', contactId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    direction: row.direction,
    body: row.body as RenderedMessage,
    createdAt: row.created_at,
  }));
}

export async function deleteMessages(db: Db, contactId: number): Promise<void> {
  await db.deleteFrom('messages').where('contact_id', '=', contactId).execute();
}

/** The latest outbound messages, newest first (to find the label of a tapped button). */
export async function recentOutbound(db: Db, contactId: number, limit: number): Promise<RenderedMessage[]> {
  const rows = await db
    .selectFrom('messages')
    .select('body')
    .where('contact_id', '=', contactId)
    .where('direction', '=', 'out')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => row.body as RenderedMessage);
}

export type PendingMessage = { id: number; body: RenderedMessage; partsSent: number };

/** Outbound messages of one contact still to be delivered, oldest first (delivery keeps their order). */
export async function pendingOutbound(db: Db, contactId: number): Promise<PendingMessage[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'body', 'parts_sent'])
    .where('contact_id', '=', contactId)
    .where('direction', '=', 'out')
    .where('status', '=', 'pending')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: row.id, body: row.body as RenderedMessage, partsSent: row.parts_sent }));
}

/** Contacts of a channel with undelivered messages older than `before` (for the recovery sweep). */
export async function contactsWithPending(db: Db, channel: string, before: Date): Promise<number[]> {
  const rows = await db
    .selectFrom('messages')
    .innerJoin('contacts', 'contacts.id', 'messages.contact_id')
    .select('messages.contact_id')
    .distinct()
    .where('contacts.channel', '=', channel)
    .where('messages.direction', '=', 'out')
    .where('messages.status', '=', 'pending')
    .where('messages.created_at', '<', before)
    .execute();
  return rows.map((row) => row.contact_id);
}

export async function recordPartSent(db: Db, id: number, partsSent: number): Promise<void> {
  await db.updateTable('messages').set({ parts_sent: partsSent }).where('id', '=', id).execute();
}

export async function markMessageSent(db: Db, id: number, partsSent: number, at: Date): Promise<void> {
  await db
    .updateTable('messages')
    .set({ status: 'sent', parts_sent: partsSent, sent_at: at, error: null })
    .where('id', '=', id)
    .execute();
}

export async function markMessageFailed(db: Db, id: number, error: string): Promise<void> {
  await db.updateTable('messages').set({ status: 'failed', error }).where('id', '=', id).execute();
}

export async function countAttempt(db: Db, id: number, error: string): Promise<void> {
  await db
    .updateTable('messages')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), error }))
    .where('id', '=', id)
    .execute();
}
