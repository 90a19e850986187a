import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table contacts (
      id serial primary key,
      channel text not null,
      external_id text not null,
      locale text not null default 'ru',
      active boolean not null default true,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      unique (channel, external_id)
    )`.execute(db);

  // Versioned consent records: who, when, channel, which text. Refusals are recorded too (no personal data).
  await sql`
    create table consents (
      id serial primary key,
      contact_id integer not null references contacts(id) on delete cascade,
      channel text not null,
      version text not null,
      granted boolean not null,
      created_at timestamptz not null default now(),
      withdrawn_at timestamptz
    )`.execute(db);
  await sql`create index consents_contact_idx on consents (contact_id, created_at desc)`.execute(db);

  // The appeal card (cases.md). Personal fields are nullable so that deletion on request can blank them
  // while the anonymous statistics (purpose, channel, dates) stay for the center's reports.
  await sql`
    create table appeals (
      id serial primary key,
      number text unique,
      contact_id integer references contacts(id) on delete set null,
      consent_id integer references consents(id) on delete set null,
      channel text not null,
      kind text not null check (kind in ('primary', 'secondary')),
      form text not null,
      full_name text,
      birth_date text check (birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      address text,
      marital_status text,
      minor_children integer check (minor_children between 0 and 20),
      phone text,
      purpose text not null,
      need_text text,
      contact_mode text not null,
      call_mode text,
      callback_window text,
      callback_window_from timestamptz,
      callback_due_at timestamptz,
      status text not null default 'new' check (status in ('new', 'in_work', 'waiting', 'closed')),
      overdue_at timestamptz,
      anonymized_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index appeals_status_idx on appeals (status, callback_due_at)`.execute(db);
  await sql`create index appeals_contact_idx on appeals (contact_id)`.execute(db);

  await sql`
    create table conversations (
      contact_id integer primary key references contacts(id) on delete cascade,
      state jsonb not null,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table processed_updates (
      channel text not null,
      update_id text not null,
      processed_at timestamptz not null default now(),
      primary key (channel, update_id)
    )`.execute(db);

  await sql`
    create table messages (
      id serial primary key,
      contact_id integer not null references contacts(id) on delete cascade,
      direction text not null check (direction in ('in', 'out')),
      body jsonb not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index messages_contact_idx on messages (contact_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['messages', 'processed_updates', 'conversations', 'appeals', 'consents', 'contacts']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
