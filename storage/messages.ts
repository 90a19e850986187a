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
