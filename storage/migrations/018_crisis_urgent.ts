import { type Kysely, sql } from 'kysely';

/**
 * Crisis appeals (issue 11 §4): an appeal sent from an intake that carried a crisis signal, or of a family that
 * raised one while the appeal was open, is urgent — first in the inbox list and marked on its card.
 * `urgent_at` is when it became urgent (the first signal); the flag itself never holds the family's text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table appeals add column urgent boolean not null default false`.execute(db);
  await sql`alter table appeals add column urgent_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['urgent', 'urgent_at']) {
    await sql`alter table appeals drop column if exists ${sql.ref(column)}`.execute(db);
  }
}
