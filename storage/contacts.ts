import type { Db } from './db.ts';
import type { Contact } from './schema.ts';

/** Finds or creates the contact for a channel identity (Telegram user id, VK peer id, web session). */
export async function upsertContact(
  db: Db,
  channel: string,
  externalId: string,
  now: Date,
): Promise<Contact> {
  return db
    .insertInto('contacts')
    .values({ channel, external_id: externalId, last_seen_at: now })
    .onConflict((oc) => oc.columns(['channel', 'external_id']).doUpdateSet({ last_seen_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findContact(db: Db, channel: string, externalId: string): Promise<Contact | undefined> {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function setContactLocale(db: Db, contactId: number, locale: string): Promise<void> {
  await db.updateTable('contacts').set({ locale }).where('id', '=', contactId).execute();
}
