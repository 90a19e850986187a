import { type Kysely, sql } from 'kysely';

/**
 * Follow-up after a visit (cases.md step 8): no later than 5 working days after the visit — or at the time
 * agreed with the family — the center asks whether the problem was solved.
 * - follow_up_at: when to ask; follow_up_agreed: that time was agreed with the family (a later visit does not
 *   move it); follow_up_sent_at: the send-once ledger of the question for that time.
 * The family's answers are appeal_events rows (action 'progress', note = the answer code; an optional comment
 * is a separate 'progress-comment' row, blanked when the family deletes its data).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table appeals add column follow_up_at timestamptz`.execute(db);
  await sql`alter table appeals add column follow_up_agreed boolean not null default false`.execute(db);
  await sql`alter table appeals add column follow_up_sent_at timestamptz`.execute(db);
  // Start-up reconciliation looks for follow-ups still owed.
  await sql`create index appeals_follow_up_idx on appeals (follow_up_at)
    where follow_up_at is not null and follow_up_sent_at is null`.execute(db);
  await sql`create index appeal_events_progress_idx on appeal_events (appeal_id, id)
    where action = 'progress'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists appeal_events_progress_idx`.execute(db);
  await sql`drop index if exists appeals_follow_up_idx`.execute(db);
  for (const column of ['follow_up_at', 'follow_up_agreed', 'follow_up_sent_at']) {
    await sql`alter table appeals drop column if exists ${sql.ref(column)}`.execute(db);
  }
}
