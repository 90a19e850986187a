import type { Db } from './db.ts';

export async function recordConsent(
  db: Db,
  consent: { contactId: number; channel: string; version: string; granted: boolean; at: Date },
): Promise<number> {
  const row = await db
    .insertInto('consents')
    .values({
      contact_id: consent.contactId,
      channel: consent.channel,
      version: consent.version,
      granted: consent.granted,
      created_at: consent.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The consent in force: the latest decision, if it was "yes", for the current text version, not withdrawn. */
export async function currentConsent(
  db: Db,
  contactId: number,
  version: string,
): Promise<{ id: number } | undefined> {
  const latest = await db
    .selectFrom('consents')
    .select(['id', 'granted', 'version', 'withdrawn_at'])
    .where('contact_id', '=', contactId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!latest || !latest.granted || latest.withdrawn_at || latest.version !== version) return undefined;
  return { id: latest.id };
}

export async function withdrawConsents(db: Db, contactId: number, at: Date): Promise<void> {
  await db
    .updateTable('consents')
    .set({ withdrawn_at: at })
    .where('contact_id', '=', contactId)
    .where('withdrawn_at', 'is', null)
    .execute();
}
