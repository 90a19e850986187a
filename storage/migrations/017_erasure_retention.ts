import { type Kysely, sql } from 'kysely';

/**
 * Erasure on request and retention (issue 12 §4–5; migration 017). A contact that asked for deletion is marked `erased_at`:
 * everything personal goes in that transaction, the row itself (the chat id the goodbye is delivered to) is
 * removed by the erasure sweep once the goodbye is out. Staff-chat posts to delete or blank through the Bot
 * API are an outbox (`staff_erasures`), retried until done, so a Telegram hiccup never leaves a card behind.
 * `retention_runs` lets one process per day apply the retention periods, however many processes run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts add column erased_at timestamptz`.execute(db);
  await sql`
    create table staff_erasures (
      id serial primary key,
      chat_id text not null,
      message_id bigint,
      topic_id bigint,
      posted_at timestamptz,
      created_at timestamptz not null default now(),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      done_at timestamptz,
      outcome text,
      last_error text
    )`.execute(db);
  await sql`create index staff_erasures_pending_idx on staff_erasures (next_attempt_at) where done_at is null`.execute(
    db,
  );
  await sql`
    create table retention_runs (
      day text primary key,
      started_at timestamptz not null,
      finished_at timestamptz,
      summary text
    )`.execute(db);
  // The access log (migration 015) stays append-only, except for the retention purge of rows past their period:
  // it announces itself with a transaction-local setting (storage/retention.ts purgeAuditLog).
  await sql`
    create or replace function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      if TG_OP = 'DELETE' and current_setting('app.retention_purge', true) = 'on' then
        return old;
      end if;
      raise exception 'audit_log is append-only';
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end $$`.execute(db);
  await sql`drop table if exists retention_runs`.execute(db);
  await sql`drop table if exists staff_erasures`.execute(db);
  await sql`alter table contacts drop column if exists erased_at`.execute(db);
}
