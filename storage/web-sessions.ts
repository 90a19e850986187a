import { sql } from 'kysely';
import type { Db } from './db.ts';
import type { Contact } from './schema.ts';

/**
 * Web chat sessions are contacts of channel 'web' whose external id is the hash of the browser's token. A
 * session ends when the person presses «Завершить и забыть чат», or after a long idle period: the external
 * id is then replaced by `ended:<contact id>`, which no token hashes to, so the old token opens nothing.
 */
const ENDED_PREFIX = 'ended:';

/** The live web contact of a token hash; a contact idle since before `idleSince` counts as gone. */
export async function findLiveWebContact(
  db: Db,
  externalId: string,
  idleSince: Date,
): Promise<Contact | undefined> {
  const contact = await db
    .selectFrom('contacts')
    .selectAll()
    .where('channel', '=', 'web')
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!contact) return undefined;
  if (contact.last_seen_at < idleSince) {
    await endWebSession(db, contact.id);
    return undefined;
  }
  return contact;
}

/** Reading the chat counts as being there: the idle clock restarts. */
export async function touchContact(db: Db, contactId: number, now: Date): Promise<void> {
  await db.updateTable('contacts').set({ last_seen_at: now }).where('id', '=', contactId).execute();
}

/**
 * Ends a web session. A contact that never consented and never submitted an appeal holds nothing anyone needs:
 * it goes with its transcript and state (cascade). One with an appeal or a consent record stays for the
 * dispatchers (and as proof of consent) but is unlinked from the token and gets nothing sent any more.
 */
export async function endWebSession(db: Db, contactId: number): Promise<'deleted' | 'ended'> {
  const deleted = await db
    .deleteFrom('contacts')
    .where('id', '=', contactId)
    .where('channel', '=', 'web')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom('consents').select(sql`1`.as('one')).where('consents.contact_id', '=', contactId)),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('appeals').select(sql`1`.as('one')).where('appeals.contact_id', '=', contactId))),
    )
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) > 0) return 'deleted';
  await db
    .updateTable('contacts')
    .set({ external_id: `${ENDED_PREFIX}${contactId}`, active: false })
    .where('id', '=', contactId)
    .where('channel', '=', 'web')
    .execute();
  await db.deleteFrom('conversations').where('contact_id', '=', contactId).execute();
  return 'ended';
}

/**
 * The periodic clean-up of anonymous web visitors: every web session idle since before `idleBefore` ends (see
 * endWebSession) — those that never consented are deleted outright, the others lose their token. Returns how
 * many of each, for the log. Called from the service's hourly tick.
 */
export async function pruneIdleWebContacts(
  db: Db,
  idleBefore: Date,
): Promise<{ deleted: number; ended: number }> {
  const idle = await db
    .selectFrom('contacts')
    .select('id')
    .where('channel', '=', 'web')
    .where('external_id', 'not like', `${ENDED_PREFIX}%`)
    .where('last_seen_at', '<', idleBefore)
    .orderBy('id')
    .limit(10_000)
    .execute();
  const counts = { deleted: 0, ended: 0 };
  for (const { id } of idle) counts[await endWebSession(db, id)]++;
  return counts;
}
