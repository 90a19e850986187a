import { type Kysely, sql } from 'kysely';

/**
 * Dispatcher access (issue 12): web sessions, failed logins (throttling and lockout shared by every process),
 * and the append-only audit log of access to families' personal data.
 * - staff_sessions: one row per login; the cookie holds a random token, the table only its SHA-256, so a
 *   database copy gives no live sessions. Ended by logout (ended_at), idle timeout or absolute lifetime.
 * - staff_login_failures: one row per failed attempt, keyed "ip:…" and "login:…"; counted over a window.
 * - audit_log: who (actor), when, what (action, route, ids), from which IP. Never message texts or names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table staff_sessions (
      token_hash text primary key,
      dispatcher_id text not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      ended_at timestamptz,
      ip text
    )`.execute(db);
  await sql`create index staff_sessions_dispatcher_idx on staff_sessions (dispatcher_id)`.execute(db);
  await sql`
    create table staff_login_failures (
      id bigserial primary key,
      key text not null,
      at timestamptz not null
    )`.execute(db);
  await sql`create index staff_login_failures_key_idx on staff_login_failures (key, at)`.execute(db);
  await sql`
    create table audit_log (
      id bigserial primary key,
      at timestamptz not null,
      actor text not null,
      action text not null,
      method text not null,
      route text not null,
      appeal_id integer,
      object_id text,
      status integer not null,
      ip text
    )`.execute(db);
  await sql`create index audit_log_appeal_idx on audit_log (appeal_id, id)`.execute(db);
  // Append-only at the database too: no code path updates or deletes audit rows, and the server refuses to.
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_log_no_change before update or delete on audit_log
    for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists audit_log`.execute(db);
  await sql`drop function if exists audit_log_append_only()`.execute(db);
  await sql`drop table if exists staff_login_failures`.execute(db);
  await sql`drop table if exists staff_sessions`.execute(db);
}
