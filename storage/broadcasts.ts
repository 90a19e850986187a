import { sql } from 'kysely';
import type { Db } from './db.ts';
import type { Broadcast, BroadcastSegment, Contact } from './schema.ts';

export type NewBroadcast = {
  createdBy: string;
  segment: BroadcastSegment;
  text: string;
  /** Channels we can send to now: subscribers of other channels are left out of the ledger. */
  channels: string[];
  now: Date;
};

export type Recipient = { contactId: number; channel: string };

const CHUNK = 1000;

/**
 * Creates a broadcast and its ledger (one pending row per active subscriber of the segment) in one
 * transaction. Undefined when the segment has nobody to send to: no empty broadcast is stored.
 */
export async function createBroadcast(
  db: Db,
  input: NewBroadcast,
): Promise<{ broadcast: Broadcast; recipients: Recipient[] } | undefined> {
  if (input.channels.length === 0) return undefined;
  return db.transaction().execute(async (tx) => {
    let query = tx
      .selectFrom('outreach_subscriptions as s')
      .innerJoin('contacts as c', 'c.id', 's.contact_id')
      .select(['c.id as contactId', 'c.channel'])
      .distinct()
      .where('c.active', '=', true)
      .where('c.channel', 'in', input.channels);
    if ('settlements' in input.segment) query = query.where('s.settlement', 'in', input.segment.settlements);
    const recipients = await query.orderBy('c.id').execute();
    if (recipients.length === 0) return undefined;
    const broadcast = await tx
      .insertInto('broadcasts')
      .values({
        created_by: input.createdBy,
        segment: JSON.stringify(input.segment),
        text: input.text,
        total: recipients.length,
        created_at: input.now,
        started_at: input.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (let start = 0; start < recipients.length; start += CHUNK) {
      await tx
        .insertInto('broadcast_recipients')
        .values(
          recipients.slice(start, start + CHUNK).map((recipient) => ({
            broadcast_id: broadcast.id,
            contact_id: recipient.contactId,
            channel: recipient.channel,
          })),
        )
        .execute();
    }
    return { broadcast, recipients };
  });
}

export async function getBroadcast(db: Db, id: number): Promise<Broadcast | undefined> {
  return db.selectFrom('broadcasts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function runningBroadcasts(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('broadcasts').select('id').where('status', '=', 'running').execute();
  return rows.map((row) => row.id);
}

/** Recipients not yet in a final state (pending, or claimed by a worker that may have died). */
export async function openRecipients(db: Db, broadcastId: number): Promise<Recipient[]> {
  return db
    .selectFrom('broadcast_recipients')
    .select(['contact_id as contactId', 'channel'])
    .where('broadcast_id', '=', broadcastId)
    .where('status', 'in', ['pending', 'sending'])
    .orderBy('contact_id')
    .execute();
}

export type Claim =
  | { kind: 'claimed'; text: string; partsSent: number; attempts: number; contact: Contact }
  /** Another worker took it for sending a moment ago: it may still be on its way. */
  | { kind: 'busy' }
  /** Nothing to do: already sent, blocked or failed, the broadcast is over, or no such row. */
  | { kind: 'done' };

/**
 * Takes one recipient for sending. Only a pending row, or one whose claim is older than `staleBefore` (the
 * worker holding it died), can be claimed, so two workers never send to the same person at the same time.
 */
export async function claimRecipient(
  db: Db,
  broadcastId: number,
  contactId: number,
  now: Date,
  staleBefore: Date,
): Promise<Claim> {
  // One statement claims the row and reads what the send needs (text, progress, the contact).
  const claimed = await db
    .updateTable('broadcast_recipients as r')
    .from(['broadcasts as b', 'contacts as c'])
    .set((eb) => ({ status: 'sending', claimed_at: now, attempts: eb('r.attempts', '+', 1) }))
    .whereRef('b.id', '=', 'r.broadcast_id')
    .whereRef('c.id', '=', 'r.contact_id')
    .where('r.broadcast_id', '=', broadcastId)
    .where('r.contact_id', '=', contactId)
    .where('b.status', '=', 'running')
    .where((eb) =>
      eb.or([
        eb('r.status', '=', 'pending'),
        eb.and([eb('r.status', '=', 'sending'), eb('r.claimed_at', '<', staleBefore)]),
      ]),
    )
    .returning([
      'b.text',
      'r.parts_sent',
      'r.attempts',
      'c.id',
      'c.channel',
      'c.external_id',
      'c.locale',
      'c.active',
      'c.created_at',
      'c.last_seen_at',
      'c.erased_at',
    ])
    .executeTakeFirst();
  if (claimed) {
    const { text, parts_sent, attempts, ...contact } = claimed;
    return { kind: 'claimed', text, partsSent: parts_sent, attempts, contact };
  }
  const row = await db
    .selectFrom('broadcast_recipients as r')
    .innerJoin('broadcasts as b', 'b.id', 'r.broadcast_id')
    .select(['r.status', 'b.status as broadcastStatus'])
    .where('r.broadcast_id', '=', broadcastId)
    .where('r.contact_id', '=', contactId)
    .executeTakeFirst();
  return row?.status === 'sending' && row.broadcastStatus === 'running' ? { kind: 'busy' } : { kind: 'done' };
}

/** A long text goes out in parts: each confirmed part is recorded, so a retry continues after it. */
export async function recordPartsSent(
  db: Db,
  broadcastId: number,
  contactId: number,
  partsSent: number,
): Promise<void> {
  await db
    .updateTable('broadcast_recipients')
    .set({ parts_sent: partsSent })
    .where('broadcast_id', '=', broadcastId)
    .where('contact_id', '=', contactId)
    .execute();
}

/** Gives a claimed row back (rate limit, transient error): a later attempt takes it again. */
export async function releaseRecipient(
  db: Db,
  broadcastId: number,
  contactId: number,
  error: string,
): Promise<void> {
  await db
    .updateTable('broadcast_recipients')
    .set({ status: 'pending', claimed_at: null, error })
    .where('broadcast_id', '=', broadcastId)
    .where('contact_id', '=', contactId)
    .where('status', '=', 'sending')
    .execute();
}

export type Outcome = {
  broadcastId: number;
  contactId: number;
  status: 'sent' | 'blocked' | 'failed';
  at: Date;
  partsSent?: number;
  error?: string;
  /** For push channels: the sent text, stored in the family's transcript as an already delivered message. */
  transcript?: string;
};

/**
 * Puts a recipient in its final state, counts it on the broadcast (finishing it with the last one) and, for
 * a sent message, adds it to the transcript — all in one transaction. False when the row was already final
 * (a second worker finishing the same recipient): nothing is counted twice.
 */
export async function finishRecipient(db: Db, outcome: Outcome): Promise<boolean> {
  const { broadcastId, contactId, status, at } = outcome;
  const counter = sql.ref(status);
  const transcript = outcome.transcript === undefined ? null : JSON.stringify({ text: outcome.transcript });
  // One statement (data-modifying CTEs run exactly once, atomically): the row, the counter on the broadcast
  // (finishing it with its last recipient; the right-hand sides see the row before, so "+ 1" is this one),
  // and the transcript entry. Only a row not final yet counts.
  const result = await sql<{ finished: number }>`
    with r as (
      update broadcast_recipients
        set status = ${status}, sent_at = ${status === 'sent' ? at : null}, error = ${outcome.error ?? null},
          parts_sent = coalesce(${outcome.partsSent ?? null}::integer, parts_sent)
        where broadcast_id = ${broadcastId} and contact_id = ${contactId} and status in ('pending', 'sending')
        returning contact_id, parts_sent
    ), b as (
      update broadcasts set ${counter} = ${counter} + 1,
        status = case when status = 'running' and sent + blocked + failed + 1 >= total
          then 'finished' else status end,
        finished_at = case when status = 'running' and sent + blocked + failed + 1 >= total
          then ${at} else finished_at end
        where id = ${broadcastId} and exists (select 1 from r)
    ), m as (
      insert into messages (contact_id, direction, body, created_at, status, parts_sent, sent_at)
        select contact_id, 'out', ${transcript}::jsonb, ${at}, 'sent', parts_sent, ${at}
        from r where ${transcript}::text is not null
    )
    select count(*)::integer as finished from r`.execute(db);
  return (result.rows[0]?.finished ?? 0) > 0;
}

/** Stops a running broadcast; recipients not reached yet stay pending (and are counted as such). */
export async function cancelBroadcast(db: Db, id: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('broadcasts')
    .set({ status: 'cancelled', finished_at: now })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
