import type { Db } from './db.ts';

export async function loadConversationState(db: Db, contactId: number): Promise<unknown | undefined> {
  const row = await db
    .selectFrom('conversations')
    .select('state')
    .where('contact_id', '=', contactId)
    // Serialises concurrent updates of one conversation across processes (PostgreSQL); PGlite has one connection.
    .forUpdate()
    .executeTakeFirst();
  return row?.state;
}

export async function saveConversationState(
  db: Db,
  contactId: number,
  state: unknown,
  now: Date,
): Promise<void> {
  const json = JSON.stringify(state);
  await db
    .insertInto('conversations')
    .values({ contact_id: contactId, state: json, updated_at: now })
    .onConflict((oc) => oc.column('contact_id').doUpdateSet({ state: json, updated_at: now }))
    .execute();
}

export async function deleteConversation(db: Db, contactId: number): Promise<void> {
  await db.deleteFrom('conversations').where('contact_id', '=', contactId).execute();
}
