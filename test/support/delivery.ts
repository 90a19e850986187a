import type { Db } from '../../storage/db.ts';

/** Outbound messages of one channel identity not yet delivered (0 once the ledger has caught up). */
export async function pendingOutboundCount(db: Db, channel: string, externalId: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .innerJoin('contacts', 'contacts.id', 'messages.contact_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('contacts.channel', '=', channel)
    .where('contacts.external_id', '=', externalId)
    .where('messages.status', '=', 'pending')
    .where('messages.direction', '=', 'out')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
