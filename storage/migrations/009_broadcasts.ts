import { type Kysely, sql } from 'kysely';

/**
 * Staff broadcasts (issue 7), e.g. the monthly plan, to the subscribers of a segment. `broadcast_recipients`
 * is the ledger: one row per recipient, so a retried or re-enqueued job never sends twice and a crash resumes
 * from the rows still pending. The counters on `broadcasts` are updated in the same transaction as a row
 * reaches its final state, so progress is one cheap read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table broadcasts (
      id serial primary key,
      created_by text not null,
      segment jsonb not null,
      text text not null,
      status text not null default 'running' check (status in ('running', 'finished', 'cancelled')),
      total integer not null default 0,
      sent integer not null default 0,
      blocked integer not null default 0,
      failed integer not null default 0,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz
    )`.execute(db);
  await sql`
    create table broadcast_recipients (
      broadcast_id integer not null references broadcasts(id) on delete cascade,
      contact_id integer not null references contacts(id) on delete cascade,
      channel text not null,
      status text not null default 'pending'
        check (status in ('pending', 'sending', 'sent', 'blocked', 'failed')),
      parts_sent integer not null default 0,
      attempts integer not null default 0,
      claimed_at timestamptz,
      sent_at timestamptz,
      error text,
      primary key (broadcast_id, contact_id)
    )`.execute(db);
  await sql`create index broadcast_recipients_open_idx on broadcast_recipients (broadcast_id)
    where status in ('pending', 'sending')`.execute(db);
  await sql`create index broadcasts_running_idx on broadcasts (id) where status = 'running'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists broadcast_recipients`.execute(db);
  await sql`drop table if exists broadcasts`.execute(db);
}
