import type { Db } from './db.ts';

/** Stores an event before the platform is told "received"; false if it was stored already (a re-send). */
export async function storeInboundEvent(
  db: Db,
  channel: string,
  eventId: string,
  payload: unknown,
): Promise<boolean> {
  const row = await db
    .insertInto('inbound_events')
    .values({ channel, event_id: eventId, payload: JSON.stringify(payload) })
    .onConflict((oc) => oc.columns(['channel', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function loadInboundEvent(
  db: Db,
  channel: string,
  eventId: string,
): Promise<unknown | undefined> {
  const row = await db
    .selectFrom('inbound_events')
    .select('payload')
    .where('channel', '=', channel)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row?.payload;
}

export async function deleteInboundEvent(db: Db, channel: string, eventId: string): Promise<void> {
  await db
    .deleteFrom('inbound_events')
    .where('channel', '=', channel)
    .where('event_id', '=', eventId)
    .execute();
}

/** Counts a failed processing attempt; returns how many there have been. */
export async function countInboundAttempt(db: Db, channel: string, eventId: string): Promise<number> {
  const row = await db
    .updateTable('inbound_events')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('channel', '=', channel)
    .where('event_id', '=', eventId)
    .returning('attempts')
    .executeTakeFirst();
  return row?.attempts ?? 0;
}

/** Events left unprocessed (crash, restart), oldest first. */
export async function pendingInboundEvents(db: Db, channel: string): Promise<string[]> {
  const rows = await db
    .selectFrom('inbound_events')
    .select('event_id')
    .where('channel', '=', channel)
    .orderBy('received_at')
    .execute();
  return rows.map((row) => row.event_id);
}
