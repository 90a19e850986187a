import { type Kysely, sql } from 'kysely';

/**
 * The appeal's life (cases.md): new → in work (taken by a dispatcher) → waiting (for a partner or the family)
 * → closed with a result. Every change is appended to appeal_events — who, when, what — and never edited.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table appeals add column result text
    check (result in ('resolved', 'partly', 'not_resolved', 'withdrawn'))`.execute(db);
  await sql`alter table appeals add column taken_by text`.execute(db);
  await sql`alter table appeals add column callback_done_at timestamptz`.execute(db);
  await sql`alter table appeals add column closed_at timestamptz`.execute(db);
  await sql`
    create table appeal_events (
      id serial primary key,
      appeal_id integer not null references appeals(id) on delete cascade,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      from_status text,
      to_status text,
      note text
    )`.execute(db);
  await sql`create index appeal_events_appeal_idx on appeal_events (appeal_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists appeal_events`.execute(db);
  for (const column of ['result', 'taken_by', 'callback_done_at', 'closed_at']) {
    await sql`alter table appeals drop column if exists ${sql.ref(column)}`.execute(db);
  }
}
