import { sql } from 'kysely';
import type { Db } from './db.ts';
import { anonymiseAppeals } from './erasure.ts';

/**
 * The retention periods of the center profile, applied (scheduler/retention.ts runs them daily). Every purge is
 * one idempotent statement over "older than the cutoff": running it twice, or in two processes, changes nothing
 * more. Statistics (purpose, channel, dates, children, statuses, results) outlive every period, unlinked.
 */

/** Transcripts of families whose last message is older than the cutoff and no appeal is open or recent. */
export async function purgeTranscripts(db: Db, cutoff: Date): Promise<number> {
  const rows = await db
    .deleteFrom('messages')
    .where('contact_id', 'in', (eb) =>
      eb
        .selectFrom('contacts as c')
        .select('c.id')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('messages as recent')
                .select('recent.id')
                .whereRef('recent.contact_id', '=', 'c.id')
                .where('recent.created_at', '>=', cutoff),
            ),
          ),
        )
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('appeals as a')
                .select('a.id')
                .whereRef('a.contact_id', '=', 'c.id')
                .where((w) => w.or([w('a.status', '!=', 'closed'), w('a.closed_at', '>=', cutoff)])),
            ),
          ),
        ),
    )
    .returning('id')
    .execute();
  return rows.length;
}

/**
 * Contacts nothing is kept for any more: never consented and idle since `anonymousCutoff`, or consented but idle
 * since `consentedCutoff` with no appeal still linked (all anonymised), no upcoming booking and no outreach
 * subscription. The cascade takes their chat, consents and conversation state; bookings and alerts are unlinked.
 */
export async function purgeIdleContacts(
  db: Db,
  input: { anonymousCutoff: Date; consentedCutoff: Date; now: Date },
): Promise<number> {
  const rows = await db
    .deleteFrom('contacts')
    .where('erased_at', 'is', null)
    .where(({ not, exists, selectFrom, or, and, eb }) =>
      and([
        not(
          exists(
            selectFrom('appeals').select('appeals.id').whereRef('appeals.contact_id', '=', 'contacts.id'),
          ),
        ),
        not(
          exists(
            selectFrom('outreach_subscriptions')
              .select('outreach_subscriptions.contact_id')
              .whereRef('outreach_subscriptions.contact_id', '=', 'contacts.id'),
          ),
        ),
        not(
          exists(
            selectFrom('bookings')
              .select('bookings.id')
              .whereRef('bookings.contact_id', '=', 'contacts.id')
              .where('bookings.status', 'in', ['held', 'confirmed'])
              .where('bookings.starts_at', '>', input.now),
          ),
        ),
        or([
          and([
            eb('last_seen_at', '<', input.anonymousCutoff),
            not(
              exists(
                selectFrom('consents')
                  .select('consents.id')
                  .whereRef('consents.contact_id', '=', 'contacts.id')
                  .where('consents.granted', '=', true),
              ),
            ),
          ]),
          eb('last_seen_at', '<', input.consentedCutoff),
        ]),
      ]),
    )
    .returning('id')
    .execute();
  return rows.length;
}

/** Unfinished drafts (intake answers, a booking in progress) the family left: the conversation starts afresh. */
export async function purgeStaleConversations(db: Db, cutoff: Date): Promise<number> {
  const rows = await db
    .deleteFrom('conversations')
    .where('updated_at', '<', cutoff)
    .returning('contact_id')
    .execute();
  return rows.length;
}

/** Closed appeals past their period: personal fields blanked, history notes too, staff-chat posts queued. */
export async function anonymiseClosedAppeals(db: Db, cutoff: Date, now: Date): Promise<number> {
  const ids = (
    await db
      .selectFrom('appeals')
      .select('id')
      .where('status', '=', 'closed')
      .where('closed_at', '<', cutoff)
      .where('anonymized_at', 'is', null)
      .execute()
  ).map((row) => row.id);
  if (ids.length === 0) return 0;
  await db.transaction().execute(async (tx) => {
    await anonymiseAppeals(tx, ids, now, { actor: 'system:retention', action: 'retention-anonymised' });
  });
  return ids.length;
}

/** Acknowledged crisis alerts past their period (a crisis signal is health data, 152-ФЗ art. 10). */
export async function purgeUrgentAlerts(db: Db, cutoff: Date): Promise<number> {
  const rows = await db
    .deleteFrom('urgent_alerts')
    .where('acknowledged_at', '<', cutoff)
    .returning('id')
    .execute();
  return rows.length;
}

/** Raw payloads of updates that never got processed: kept for diagnosis only. */
export async function purgeInboundEvents(db: Db, cutoff: Date): Promise<number> {
  const rows = await db
    .deleteFrom('inbound_events')
    .where('received_at', '<', cutoff)
    .returning('event_id')
    .execute();
  return rows.length;
}

/** The staff-chat erasure ledger keeps finished rows a month (ids only), for diagnosis. */
export async function purgeFinishedStaffErasures(db: Db, cutoff: Date): Promise<number> {
  const rows = await db.deleteFrom('staff_erasures').where('done_at', '<', cutoff).returning('id').execute();
  return rows.length;
}

/**
 * The dispatchers' access log (audit_log, when that table exists). It is append-only at the database; the
 * purge announces itself with the transaction-local setting `app.retention_purge`, which the append-only
 * trigger is to let through for deletes (see notes: merge with the access-log work).
 */
export async function purgeAuditLog(db: Db, cutoff: Date): Promise<number> {
  const { rows } = await sql<{ present: boolean }>`
    select exists (select 1 from information_schema.tables
      where table_schema = current_schema() and table_name = 'audit_log') as present`.execute(db);
  if (!rows[0]?.present) return 0;
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('app.retention_purge', 'on', true)`.execute(tx);
    const deleted = await sql`delete from audit_log where at < ${cutoff}`.execute(tx);
    return Number(deleted.numAffectedRows ?? 0);
  });
}

export type RetentionClaim = 'claimed' | 'done' | 'running';

/**
 * One run per local day however many processes tick: the first to insert the day's row runs it. A run that
 * started long ago and never finished (its process died) is taken over.
 */
export async function claimRetentionRun(
  db: Db,
  day: string,
  now: Date,
  staleAfterMs = 6 * 3600_000,
): Promise<RetentionClaim> {
  const inserted = await db
    .insertInto('retention_runs')
    .values({ day, started_at: now })
    .onConflict((oc) => oc.column('day').doNothing())
    .returning('day')
    .executeTakeFirst();
  if (inserted) return 'claimed';
  const takenOver = await db
    .updateTable('retention_runs')
    .set({ started_at: now })
    .where('day', '=', day)
    .where('finished_at', 'is', null)
    .where('started_at', '<', new Date(now.getTime() - staleAfterMs))
    .returning('day')
    .executeTakeFirst();
  if (takenOver) return 'claimed';
  const row = await db
    .selectFrom('retention_runs')
    .select('finished_at')
    .where('day', '=', day)
    .executeTakeFirst();
  return row?.finished_at ? 'done' : 'running';
}

export async function finishRetentionRun(db: Db, day: string, now: Date, summary: unknown): Promise<void> {
  await db
    .updateTable('retention_runs')
    .set({ finished_at: now, summary: JSON.stringify(summary) })
    .where('day', '=', day)
    .execute();
}
