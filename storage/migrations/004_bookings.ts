import { type Kysely, sql } from 'kysely';

/**
 * Appointments: with the center's specialists (booked in chat) and, as route-sheet items, at partner
 * organisations (booked by a dispatcher by phone). No double booking, ever: a partial unique index lets only
 * one live booking (held or confirmed) exist per specialist and start time, whatever the concurrency.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table bookings (
      id serial primary key,
      contact_id integer references contacts(id) on delete set null,
      appeal_id integer references appeals(id) on delete set null,
      kind text not null default 'specialist' check (kind in ('specialist', 'partner')),
      specialist_id text,
      format text,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      status text not null check (status in ('held', 'confirmed', 'cancelled', 'expired', 'attended', 'missed')),
      hold_expires_at timestamptz,
      cancelled_by text check (cancelled_by in ('family', 'staff')),
      rescheduled_from integer references bookings(id) on delete set null,
      partner_org text,
      partner_address text,
      partner_person text,
      partner_phone text,
      -- Reminder ledger: a reminder is sent once even if its job is retried or re-created at start-up.
      reminded_day_before_at timestamptz,
      reminded_two_hours_at timestamptz,
      attendance_asked_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (ends_at > starts_at),
      check (kind = 'partner' or specialist_id is not null),
      check (kind = 'specialist' or partner_org is not null)
    )`.execute(db);
  await sql`
    create unique index bookings_one_live_per_slot on bookings (specialist_id, starts_at)
    where status in ('held', 'confirmed') and kind = 'specialist'`.execute(db);
  await sql`create index bookings_contact_idx on bookings (contact_id, starts_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists bookings`.execute(db);
}
