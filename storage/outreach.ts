import type { OutreachChange } from '../domain/outreach.ts';
import type { Db } from './db.ts';

/**
 * Outreach subscriptions (a chat id and a settlement name — no personal-data consent needed), staff changes of
 * the schedule, and the send-once ledger of reminders and change notices.
 */

/** One chat follows at most this many settlements (a family needs one or two; a bot would take them all). */
export const MAX_SUBSCRIPTIONS_PER_CONTACT = 10;

/** False when already subscribed, or when the contact is at the cap (the flow then lists what it follows). */
export async function subscribe(db: Db, contactId: number, settlement: string, now: Date): Promise<boolean> {
  const held = await db
    .selectFrom('outreach_subscriptions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('contact_id', '=', contactId)
    .executeTakeFirstOrThrow();
  if (Number(held.count) >= MAX_SUBSCRIPTIONS_PER_CONTACT) return false;
  const inserted = await db
    .insertInto('outreach_subscriptions')
    .values({ contact_id: contactId, settlement, created_at: now })
    .onConflict((oc) => oc.columns(['contact_id', 'settlement']).doNothing())
    .returning('settlement')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function unsubscribe(db: Db, contactId: number, settlement: string): Promise<boolean> {
  const result = await db
    .deleteFrom('outreach_subscriptions')
    .where('contact_id', '=', contactId)
    .where('settlement', '=', settlement)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** "Delete my data": subscriptions and the record of what was sent to this chat. */
export async function deleteOutreachOfContact(db: Db, contactId: number): Promise<number> {
  await db.deleteFrom('outreach_notices').where('contact_id', '=', contactId).execute();
  const result = await db
    .deleteFrom('outreach_subscriptions')
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function subscriptionsOf(db: Db, contactId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('outreach_subscriptions')
    .select('settlement')
    .where('contact_id', '=', contactId)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => row.settlement);
}

/** Reachable families subscribed to a settlement at a moment (later subscribers already saw the news). */
export async function subscribersOf(db: Db, settlement: string, subscribedBy: Date): Promise<number[]> {
  const rows = await db
    .selectFrom('outreach_subscriptions as s')
    .innerJoin('contacts as c', 'c.id', 's.contact_id')
    .select('s.contact_id')
    .where('s.settlement', '=', settlement)
    .where('s.created_at', '<=', subscribedBy)
    .where('c.active', '=', true)
    .orderBy('s.contact_id')
    .execute();
  return rows.map((row) => row.contact_id);
}

/** How many families follow each settlement (staff see numbers, never who). */
export async function subscriberCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('outreach_subscriptions')
    .select(['settlement', db.fn.countAll<string>().as('count')])
    .groupBy('settlement')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.settlement, Number(row.count)]));
}

export type NewOutreachChange = Omit<OutreachChange, 'id' | 'createdAt'> & { createdBy: string; now: Date };

export async function addChange(db: Db, change: NewOutreachChange): Promise<OutreachChange> {
  const row = await db
    .insertInto('outreach_changes')
    .values({
      settlement: change.settlement,
      kind: change.kind,
      visit_date: change.date,
      entry_id: change.entryId ?? null,
      new_date: change.newDate ?? null,
      hours_from: change.hours?.from ?? null,
      hours_to: change.hours?.to ?? null,
      place_ru: change.place?.ru ?? null,
      place_en: change.place?.en ?? null,
      reason: change.reason ?? null,
      created_by: change.createdBy,
      created_at: change.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toChange(row);
}

/** Every change about a day from `fromDate` on (or moved to one): the schedule ahead needs all of them. */
export async function changesFrom(db: Db, fromDate: string): Promise<OutreachChange[]> {
  const rows = await db
    .selectFrom('outreach_changes')
    .selectAll()
    .where((eb) => eb.or([eb('visit_date', '>=', fromDate), eb('new_date', '>=', fromDate)]))
    .orderBy('id')
    .execute();
  return rows.map(toChange);
}

type ChangeRow = {
  id: number;
  settlement: string;
  kind: OutreachChange['kind'];
  visit_date: string;
  entry_id: string | null;
  new_date: string | null;
  hours_from: string | null;
  hours_to: string | null;
  place_ru: string | null;
  place_en: string | null;
  reason: string | null;
  created_at: Date;
};

function toChange(row: ChangeRow): OutreachChange {
  const change: OutreachChange = {
    id: row.id,
    settlement: row.settlement,
    kind: row.kind,
    date: row.visit_date,
    createdAt: new Date(row.created_at).toISOString(),
  };
  if (row.entry_id) change.entryId = row.entry_id;
  if (row.new_date) change.newDate = row.new_date;
  if (row.hours_from && row.hours_to) change.hours = { from: row.hours_from, to: row.hours_to };
  if (row.place_ru)
    change.place = row.place_en ? { ru: row.place_ru, en: row.place_en } : { ru: row.place_ru };
  if (row.reason) change.reason = row.reason;
  return change;
}

export type NoticeKey = { contactId: number; settlement: string; date: string; kind: string };

/** Claims a notice for sending; false when it was already sent (a re-run, a second process). */
export async function claimNotice(db: Db, key: NoticeKey, now: Date): Promise<boolean> {
  const row = await db
    .insertInto('outreach_notices')
    .values({
      contact_id: key.contactId,
      settlement: key.settlement,
      visit_date: key.date,
      kind: key.kind,
      sent_at: now,
    })
    .onConflict((oc) => oc.columns(['contact_id', 'settlement', 'visit_date', 'kind']).doNothing())
    .returning('contact_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives a claimed notice back when storing the message failed, so the next run sends it. */
export async function releaseNotice(db: Db, key: NoticeKey): Promise<void> {
  await db
    .deleteFrom('outreach_notices')
    .where('contact_id', '=', key.contactId)
    .where('settlement', '=', key.settlement)
    .where('visit_date', '=', key.date)
    .where('kind', '=', key.kind)
    .execute();
}
