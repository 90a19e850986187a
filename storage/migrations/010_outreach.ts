import { type Kysely, sql } from 'kysely';

/**
 * Outreach schedule changes made by staff (cancellations, moved dates/hours/places, extra dates) and the
 * send-once ledger of outreach reminders and change notices. Local dates are text (YYYY-MM-DD): a `date`
 * column would come back as a JS Date at the server's midnight, not the center's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table outreach_changes (
      id serial primary key,
      settlement text not null,
      kind text not null check (kind in ('cancel', 'change', 'extra')),
      visit_date text not null check (visit_date ~ '^\\d{4}-\\d\\d-\\d\\d$'),
      entry_id text,
      new_date text check (new_date ~ '^\\d{4}-\\d\\d-\\d\\d$'),
      hours_from text,
      hours_to text,
      place_ru text,
      place_en text,
      reason text,
      created_by text not null,
      created_at timestamptz not null default now(),
      check (kind <> 'extra' or (hours_from is not null and hours_to is not null and place_ru is not null))
    )`.execute(db);
  await sql`create index outreach_changes_date_idx on outreach_changes (visit_date)`.execute(db);
  // One row per message that went out: (family, settlement, visit day, what) — a re-run inserts nothing.
  await sql`
    create table outreach_notices (
      contact_id integer not null references contacts(id) on delete cascade,
      settlement text not null,
      visit_date text not null,
      kind text not null,
      sent_at timestamptz not null,
      primary key (contact_id, settlement, visit_date, kind)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists outreach_notices`.execute(db);
  await sql`drop table if exists outreach_changes`.execute(db);
}
