import { sql } from 'kysely';
import type { Db } from './db.ts';
import type { Booking } from './schema.ts';

export type HoldResult = { ok: true; booking: Booking } | { ok: false; reason: 'taken' };

const LIVE = ['held', 'confirmed'] as const;

/**
 * Holds a slot for a few minutes while the family confirms. The partial unique index decides races: of any
 * number of concurrent holds on one slot exactly one row is inserted; the others find the conflict and get
 * "taken" — without an error that would abort the caller's transaction.
 */
export async function holdSlot(
  db: Db,
  hold: {
    contactId: number;
    specialistId: string;
    format?: string;
    startsAt: Date;
    endsAt: Date;
    now: Date;
    holdMinutes: number;
    appealId?: number | null;
    rescheduledFrom?: number | null;
  },
): Promise<HoldResult> {
  // A hold that ran out does not block the slot any more.
  await db
    .updateTable('bookings')
    .set({ status: 'expired', updated_at: hold.now })
    .where('specialist_id', '=', hold.specialistId)
    .where('starts_at', '=', hold.startsAt)
    .where('status', '=', 'held')
    .where('hold_expires_at', '<=', hold.now)
    .execute();
  const inserted = await db
    .insertInto('bookings')
    .values({
      contact_id: hold.contactId,
      appeal_id: hold.appealId ?? null,
      kind: 'specialist',
      specialist_id: hold.specialistId,
      format: hold.format ?? null,
      starts_at: hold.startsAt,
      ends_at: hold.endsAt,
      status: 'held',
      hold_expires_at: new Date(hold.now.getTime() + hold.holdMinutes * 60_000),
      rescheduled_from: hold.rescheduledFrom ?? null,
      created_at: hold.now,
      updated_at: hold.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['specialist_id', 'starts_at'])
        .where('status', 'in', LIVE)
        .where('kind', '=', 'specialist')
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  return inserted ? { ok: true, booking: inserted } : { ok: false, reason: 'taken' };
}

/** Turns the family's own unexpired hold into a booking; undefined if the hold ran out meanwhile. */
export async function confirmBooking(
  db: Db,
  id: number,
  contactId: number,
  now: Date,
): Promise<Booking | undefined> {
  return db
    .updateTable('bookings')
    .set({ status: 'confirmed', hold_expires_at: null, updated_at: now })
    .where('id', '=', id)
    .where('contact_id', '=', contactId)
    .where('status', '=', 'held')
    .where('hold_expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

export async function cancelBooking(
  db: Db,
  id: number,
  by: 'family' | 'staff',
  now: Date,
  contactId?: number,
): Promise<Booking | undefined> {
  let query = db
    .updateTable('bookings')
    .set({ status: 'cancelled', cancelled_by: by, updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', LIVE);
  if (contactId !== undefined) query = query.where('contact_id', '=', contactId);
  return query.returningAll().executeTakeFirst();
}

export async function getBooking(db: Db, id: number): Promise<Booking | undefined> {
  return db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A family's confirmed appointments still ahead, soonest first. */
export async function upcomingBookings(db: Db, contactId: number, now: Date): Promise<Booking[]> {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('status', '=', 'confirmed')
    .where('starts_at', '>', now)
    .orderBy('starts_at')
    .execute();
}

/** Slots not free in a period: confirmed ones and holds still running. */
export async function takenSlots(
  db: Db,
  from: Date,
  to: Date,
  now: Date,
): Promise<Array<{ specialistId: string; startsAt: Date }>> {
  const rows = await db
    .selectFrom('bookings')
    .select(['specialist_id', 'starts_at'])
    .where('kind', '=', 'specialist')
    .where('starts_at', '>=', from)
    .where('starts_at', '<', to)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'confirmed'),
        eb.and([eb('status', '=', 'held'), eb('hold_expires_at', '>', now)]),
      ]),
    )
    .execute();
  return rows.flatMap((row) =>
    row.specialist_id ? [{ specialistId: row.specialist_id, startsAt: row.starts_at }] : [],
  );
}

export async function markAttendance(
  db: Db,
  id: number,
  attended: boolean,
  now: Date,
): Promise<Booking | undefined> {
  return db
    .updateTable('bookings')
    .set({ status: attended ? 'attended' : 'missed', updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', ['confirmed', 'attended', 'missed'])
    .returningAll()
    .executeTakeFirst();
}

/** A route-sheet item: an appointment a dispatcher booked by phone at a partner organisation. */
export async function createPartnerBooking(
  db: Db,
  item: {
    contactId: number;
    appealId?: number | null;
    org: string;
    address?: string;
    person?: string;
    phone?: string;
    startsAt: Date;
    endsAt: Date;
    now: Date;
  },
): Promise<Booking> {
  return db
    .insertInto('bookings')
    .values({
      contact_id: item.contactId,
      appeal_id: item.appealId ?? null,
      kind: 'partner',
      starts_at: item.startsAt,
      ends_at: item.endsAt,
      status: 'confirmed',
      partner_org: item.org,
      partner_address: item.address ?? null,
      partner_person: item.person ?? null,
      partner_phone: item.phone ?? null,
      created_at: item.now,
      updated_at: item.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Bookings whose reminders must exist (confirmed, not yet over): reconciled into the scheduler at start. */
export async function bookingsNeedingReminders(db: Db, now: Date): Promise<Booking[]> {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('status', '=', 'confirmed')
    .where('ends_at', '>', sql<Date>`${now}::timestamptz - interval '1 day'`)
    .execute();
}

/** Ledger columns of the reminders a booking gets, each set once when its message is sent. */
export type ReminderLedgerColumn = 'reminded_day_before_at' | 'reminded_two_hours_at' | 'attendance_asked_at';

/**
 * Claims one reminder of a confirmed booking: true for exactly one caller, however often its job runs or is
 * re-created; false if it was already sent or the booking is no longer confirmed.
 */
export async function claimBookingReminder(
  db: Db,
  id: number,
  column: ReminderLedgerColumn,
  now: Date,
): Promise<boolean> {
  const claimed = await db
    .updateTable('bookings')
    .set({ [column]: now })
    .where('id', '=', id)
    .where(column, 'is', null)
    .where('status', '=', 'confirmed')
    .returning('id')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Gives a claim back when the message could not be stored, so the retried job sends it. */
export async function releaseBookingReminder(
  db: Db,
  id: number,
  column: ReminderLedgerColumn,
  claimedAt: Date,
): Promise<void> {
  await db
    .updateTable('bookings')
    .set({ [column]: null })
    .where('id', '=', id)
    .where(column, '=', claimedAt)
    .execute();
}
