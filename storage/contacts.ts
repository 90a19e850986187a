import type { Db } from './db.ts';
import type { Contact } from './schema.ts';

/**
 * Finds or creates the contact for a channel identity (Telegram user id, VK peer id, web session). A person
 * who writes to us is reachable again, even if the platform earlier said they had blocked us.
 */
export async function upsertContact(
  db: Db,
  channel: string,
  externalId: string,
  now: Date,
): Promise<Contact> {
  return db
    .insertInto('contacts')
    .values({ channel, external_id: externalId, last_seen_at: now })
    .onConflict((oc) =>
      oc.columns(['channel', 'external_id']).doUpdateSet({ last_seen_at: now, active: true }),
    )
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

/** Inactive contacts (blocked the bot, deactivated account) get nothing sent until they write again. */
export async function setContactActive(db: Db, contactId: number, active: boolean): Promise<void> {
  await db.updateTable('contacts').set({ active }).where('id', '=', contactId).execute();
}

export async function getContact(db: Db, contactId: number): Promise<Contact | undefined> {
  return db.selectFrom('contacts').selectAll().where('id', '=', contactId).executeTakeFirst();
}
