import { type Kysely, sql } from 'kysely';

/**
 * The dispatcher's side of the conversation (issue 6): which staff-chat messages belong to which appeal (a
 * dispatcher replies to one of them to answer the family), and when the family was last told that its message
 * went to a person (so the notice is not repeated under every message); and crisis alerts as an outbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table appeals add column hold_notice_at timestamptz`.execute(db);
  await sql`
    create table staff_posts (
      chat_id text not null,
      message_id bigint not null,
      appeal_id integer not null references appeals(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (chat_id, message_id)
    )`.execute(db);
  // Crisis alerts are an outbox: stored with the update that raised them, marked once the staff chat has the
  // post, retried by the sweep until then — an alert must not be lost to a Telegram hiccup or a restart.
  await sql`
    create table urgent_alerts (
      id serial primary key,
      contact_id integer references contacts(id) on delete set null,
      channel text not null,
      signal text not null,
      created_at timestamptz not null default now(),
      posted_at timestamptz,
      attempts integer not null default 0,
      acknowledged_at timestamptz,
      acknowledged_by text
    )`.execute(db);
  await sql`create index urgent_alerts_unposted_idx on urgent_alerts (created_at) where posted_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists urgent_alerts`.execute(db);
  await sql`drop table if exists staff_posts`.execute(db);
  await sql`alter table appeals drop column if exists hold_notice_at`.execute(db);
}
