import { type Kysely, sql } from 'kysely';

/**
 * Issue 12, the public web chat and crisis alerts:
 * - web chat tokens were stored as they are; from now on only their SHA-256 (hex) is. Existing tokens are
 *   hashed in place, so a family's open chat keeps working (the page hands its old token over once).
 * - one open crisis alert per contact: repeats raise `repeat_count` (and `last_seen_at`) and edit the staff
 *   post (`staff_message_id`; `posted_repeat_count` is what that post shows) instead of posting again.
 *   `summarized`: posted as part of a summary during a flood, not on its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update contacts set external_id = encode(sha256(convert_to(external_id, 'UTF8')), 'hex')
    where channel = 'web' and external_id ~ '^[A-Za-z0-9_-]{43}$'`.execute(db);

  await sql`alter table urgent_alerts add column repeat_count integer not null default 0`.execute(db);
  await sql`alter table urgent_alerts add column last_seen_at timestamptz`.execute(db);
  await sql`alter table urgent_alerts add column staff_message_id text`.execute(db);
  await sql`alter table urgent_alerts add column posted_repeat_count integer not null default 0`.execute(db);
  await sql`alter table urgent_alerts add column summarized boolean not null default false`.execute(db);
  // Existing duplicates collapse into the newest open alert of each contact before the unique index.
  await sql`
    with ranked as (
      select id, row_number() over (partition by contact_id order by id desc) as rank,
             count(*) over (partition by contact_id) as total
      from urgent_alerts where acknowledged_at is null and contact_id is not null
    )
    update urgent_alerts set repeat_count = ranked.total - 1
    from ranked where urgent_alerts.id = ranked.id and ranked.rank = 1 and ranked.total > 1`.execute(db);
  await sql`
    with ranked as (
      select id, row_number() over (partition by contact_id order by id desc) as rank
      from urgent_alerts where acknowledged_at is null and contact_id is not null
    )
    update urgent_alerts set acknowledged_at = now(), acknowledged_by = 'system:merged'
    from ranked where urgent_alerts.id = ranked.id and ranked.rank > 1`.execute(db);
  await sql`create unique index urgent_alerts_open_contact_idx on urgent_alerts (contact_id)
    where acknowledged_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists urgent_alerts_open_contact_idx`.execute(db);
  for (const column of [
    'repeat_count',
    'last_seen_at',
    'staff_message_id',
    'posted_repeat_count',
    'summarized',
  ]) {
    await sql`alter table urgent_alerts drop column if exists ${sql.ref(column)}`.execute(db);
  }
}
