import { type Kysely, sql } from 'kysely';

/**
 * Issue 11: the family's words that reach a person.
 * - unread_at: a family message for the dispatcher arrived after the last time staff opened the appeal (the
 *   inbox marks it); cleared when the card is opened or answered.
 * - is_question: an appeal that is only a question passed from the chat (no card fields were asked).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table appeals add column unread_at timestamptz`.execute(db);
  await sql`alter table appeals add column is_question boolean not null default false`.execute(db);
  await sql`create index appeals_unread_idx on appeals (unread_at) where unread_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists appeals_unread_idx`.execute(db);
  await sql`alter table appeals drop column if exists unread_at`.execute(db);
  await sql`alter table appeals drop column if exists is_question`.execute(db);
}
