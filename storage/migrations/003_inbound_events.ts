import { type Kysely, sql } from 'kysely';

/**
 * Inbound events that a platform considers delivered as soon as we answer (VK Callback API: "ok"). They are
 * stored before the answer and deleted once processed, so a crash in between loses nothing. The payload may
 * contain what a person typed: it lives here only for the seconds between receipt and processing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table inbound_events (
      channel text not null,
      event_id text not null,
      payload jsonb not null,
      received_at timestamptz not null default now(),
      attempts integer not null default 0,
      primary key (channel, event_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists inbound_events`.execute(db);
}
