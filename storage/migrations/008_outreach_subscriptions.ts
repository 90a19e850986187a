import { type Kysely, sql } from 'kysely';

/**
 * Subscriptions to the outreach schedule (issue 7): a family follows a settlement's visit days, or the
 * one-window partner schedule (settlement key chosen by the outreach code). Deleted with the contact.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table outreach_subscriptions (
      contact_id integer not null references contacts(id) on delete cascade,
      settlement text not null,
      created_at timestamptz not null default now(),
      primary key (contact_id, settlement)
    )`.execute(db);
  await sql`create index outreach_subscriptions_settlement_idx on outreach_subscriptions (settlement)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists outreach_subscriptions`.execute(db);
}
