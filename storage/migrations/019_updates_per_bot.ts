import { type Kysely, sql } from 'kysely';

/**
 * Processed update ids are keyed by the receiving bot as well: Telegram numbers updates per bot, so a center
 * that re-creates its bot (new token, same database) would see the new bot's first updates dropped as
 * "already processed". `bot` is the Telegram getMe id or the VK group id; '' for the web chat (and for rows
 * claimed before this migration, which are pruned within a day).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table processed_updates add column bot text not null default ''`.execute(db);
  await sql`alter table processed_updates drop constraint processed_updates_pkey`.execute(db);
  await sql`alter table processed_updates add primary key (channel, bot, update_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Two bots' identical ids cannot share the old key: keep one of them.
  await sql`delete from processed_updates a using processed_updates b
    where a.channel = b.channel and a.update_id = b.update_id and a.bot > b.bot`.execute(db);
  await sql`alter table processed_updates drop constraint processed_updates_pkey`.execute(db);
  await sql`alter table processed_updates drop column bot`.execute(db);
  await sql`alter table processed_updates add primary key (channel, update_id)`.execute(db);
}
