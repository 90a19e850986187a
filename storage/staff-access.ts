import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

/** The cookie carries the token; the database only its hash (a copy of the database opens no session). */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export type SessionLimits = { idleMs: number; maxMs: number };

/** Starts a web session for a dispatcher; returns the token for the cookie. */
export async function createStaffSession(
  db: Db,
  dispatcherId: string,
  ip: string | undefined,
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('staff_sessions')
    .values({
      token_hash: hashToken(token),
      dispatcher_id: dispatcherId,
      created_at: now,
      last_seen_at: now,
      ip: ip ?? null,
    })
    .execute();
  return token;
}

/**
 * The dispatcher id of a live session (not ended, not idle too long, not too old), touching its last-seen
 * time in the same statement; undefined otherwise. A malformed token simply matches nothing.
 */
export async function touchStaffSession(
  db: Db,
  token: string,
  limits: SessionLimits,
  now: Date,
): Promise<string | undefined> {
  if (token.length > 200) return undefined;
  const row = await db
    .updateTable('staff_sessions')
    .set({ last_seen_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('ended_at', 'is', null)
    .where('last_seen_at', '>', new Date(now.getTime() - limits.idleMs))
    .where('created_at', '>', new Date(now.getTime() - limits.maxMs))
    .returning('dispatcher_id')
    .executeTakeFirst();
  return row?.dispatcher_id;
}

/** Logout: the session ends for every process at once (they all look it up here). */
export async function endStaffSession(db: Db, token: string, now: Date): Promise<void> {
  await db
    .updateTable('staff_sessions')
    .set({ ended_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('ended_at', 'is', null)
    .execute();
}

/** Ends every session of a dispatcher (deactivation, password change). */
export async function endDispatcherSessions(db: Db, dispatcherId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('staff_sessions')
    .set({ ended_at: now })
    .where('dispatcher_id', '=', dispatcherId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** When the failed logins under a key since `since` happened, oldest first. */
export async function loginFailureTimes(db: Db, key: string, since: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('staff_login_failures')
    .select('at')
    .where('key', '=', key)
    .where('at', '>', since)
    .orderBy('at')
    .limit(1000)
    .execute();
  return rows.map((row) => new Date(row.at));
}

/** Records a failed attempt under each key, and forgets attempts older than `forgetBefore`. */
export async function recordLoginFailure(
  db: Db,
  keys: readonly string[],
  now: Date,
  forgetBefore: Date,
): Promise<void> {
  await db
    .insertInto('staff_login_failures')
    .values(keys.map((key) => ({ key, at: now })))
    .execute();
  await db.deleteFrom('staff_login_failures').where('at', '<', forgetBefore).execute();
}

export async function clearLoginFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('staff_login_failures').where('key', '=', key).execute();
}

export type AuditEntry = {
  at: Date;
  /** "web:<dispatcher id>"; "anonymous" for a failed login. */
  actor: string;
  /** e.g. "appeal.view", "appeal.take", "reports.export", "login". */
  action: string;
  method: string;
  /** The route pattern, e.g. "/api/staff/appeals/:id/:action" — never a query string. */
  route: string;
  appealId?: number | null;
  objectId?: string | null;
  status: number;
  ip?: string | null;
};

/**
 * Appends one entry. With `coalesceMs`, an identical view (same actor, action, appeal, object) within that
 * time is not written again: the inbox re-reads an open card every few seconds, which is one view, not 700
 * an hour.
 */
export async function appendAudit(db: Db, entry: AuditEntry, coalesceMs = 0): Promise<void> {
  const appealId = entry.appealId ?? null;
  const objectId = entry.objectId ?? null;
  if (coalesceMs > 0) {
    const recent = await db
      .selectFrom('audit_log')
      .select('id')
      .where('actor', '=', entry.actor)
      .where('action', '=', entry.action)
      .where((eb) => (appealId === null ? eb('appeal_id', 'is', null) : eb('appeal_id', '=', appealId)))
      .where((eb) => (objectId === null ? eb('object_id', 'is', null) : eb('object_id', '=', objectId)))
      .where('at', '>', new Date(entry.at.getTime() - coalesceMs))
      .limit(1)
      .executeTakeFirst();
    if (recent) return;
  }
  await db
    .insertInto('audit_log')
    .values({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      method: entry.method,
      route: entry.route,
      appeal_id: appealId,
      object_id: objectId,
      status: entry.status,
      ip: entry.ip ?? null,
    })
    .execute();
}

/** Newest first, `limit` entries with an id below `before` (paging), optionally for one appeal. */
export async function auditPage(
  db: Db,
  options: { before?: number; limit: number; appealId?: number },
): Promise<
  Array<
    Omit<AuditEntry, 'appealId' | 'objectId'> & {
      id: number;
      appealId: number | null;
      objectId: string | null;
    }
  >
> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.before !== undefined) query = query.where('id', '<', String(options.before));
  if (options.appealId !== undefined) query = query.where('appeal_id', '=', options.appealId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action,
    method: row.method,
    route: row.route,
    appealId: row.appeal_id,
    objectId: row.object_id,
    status: row.status,
    ip: row.ip,
  }));
}
