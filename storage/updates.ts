import type { Db } from './db.ts';

/**
 * Claims an inbound update id for processing. Returns false when it was already processed: platforms
 * redeliver (Telegram webhooks, VK Callback API, a browser retrying a POST) and each must act once.
 * `bot` is the receiving bot (Telegram getMe id, VK group id): update ids are numbered per bot, so a new bot
 * on the same database starts afresh.
 */
export async function claimUpdate(db: Db, channel: string, updateId: string, bot = ''): Promise<boolean> {
  const inserted = await db
    .insertInto('processed_updates')
    .values({ channel, bot, update_id: updateId })
    .onConflict((oc) => oc.columns(['channel', 'bot', 'update_id']).doNothing())
    .returning('update_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Drops claims older than `before`; platforms stop redelivering long before a day has passed. */
export async function pruneProcessedUpdates(db: Db, before: Date): Promise<number> {
  const rows = await db
    .deleteFrom('processed_updates')
    .where('processed_at', '<', before)
    .returning('update_id')
    .execute();
  return rows.length;
}
