import { type Kysely, sql } from 'kysely';

/**
 * Delivery ledger for push channels (Telegram, VK): each outbound message row records whether and how far it
 * was sent, so a retry after a crash or an error sends only what was not sent yet. Appeals record their card
 * in the staff chat the same way, so a hand-off is posted once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table messages add column status text not null default 'pending'
    check (status in ('pending', 'sent', 'failed'))`.execute(db);
  await sql`alter table messages add column parts_sent integer not null default 0`.execute(db);
  await sql`alter table messages add column attempts integer not null default 0`.execute(db);
  await sql`alter table messages add column sent_at timestamptz`.execute(db);
  await sql`alter table messages add column error text`.execute(db);
  await sql`create index messages_pending_idx on messages (contact_id, id) where status = 'pending' and direction = 'out'`.execute(
    db,
  );

  await sql`alter table appeals add column staff_topic_id text`.execute(db);
  await sql`alter table appeals add column staff_message_id text`.execute(db);
  await sql`alter table appeals add column staff_notified_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists messages_pending_idx`.execute(db);
  for (const column of ['status', 'parts_sent', 'attempts', 'sent_at', 'error']) {
    await sql`alter table messages drop column if exists ${sql.ref(column)}`.execute(db);
  }
  for (const column of ['staff_topic_id', 'staff_message_id', 'staff_notified_at']) {
    await sql`alter table appeals drop column if exists ${sql.ref(column)}`.execute(db);
  }
}
