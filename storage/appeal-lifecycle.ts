import type { Db } from './db.ts';
import type { Appeal } from './schema.ts';

export const APPEAL_ACTIONS = ['take', 'wait', 'callback-done', 'close', 'reopen'] as const;
export type AppealAction = (typeof APPEAL_ACTIONS)[number];
export const APPEAL_RESULTS = ['resolved', 'partly', 'not_resolved', 'withdrawn'] as const;
export type AppealResult = (typeof APPEAL_RESULTS)[number];

type Status = 'new' | 'in_work' | 'waiting' | 'closed';

/** Which statuses an action may start from, and where it leads (undefined: status unchanged). */
const TRANSITIONS: Record<AppealAction, { from: Status[]; to?: Status }> = {
  take: { from: ['new', 'waiting'], to: 'in_work' },
  wait: { from: ['in_work'], to: 'waiting' },
  // The promised call was made: the SLA timer no longer applies, and an untaken appeal is now in work.
  'callback-done': { from: ['new', 'in_work', 'waiting'] },
  close: { from: ['new', 'in_work', 'waiting'], to: 'closed' },
  reopen: { from: ['closed'], to: 'in_work' },
};

export type TransitionResult =
  | { ok: true; appeal: Appeal }
  | { ok: false; reason: 'not_found' | 'not_allowed' | 'result_required' | 'anonymised' };

/**
 * Applies a dispatcher's action in one transaction: the row is locked, the move checked against the table,
 * the appeal updated and the event appended. Two dispatchers taking the same appeal at once: one wins, the
 * other is told it is no longer possible.
 */
export async function transitionAppeal(
  db: Db,
  id: number,
  action: AppealAction,
  input: { actor: string; note?: string; result?: AppealResult; now: Date },
): Promise<TransitionResult> {
  return db.transaction().execute(async (tx) => {
    const appeal = await tx
      .selectFrom('appeals')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!appeal) return { ok: false, reason: 'not_found' } as const;
    if (appeal.anonymized_at && action !== 'close') return { ok: false, reason: 'anonymised' } as const;
    const rule = TRANSITIONS[action];
    const from = appeal.status as Status;
    if (!rule.from.includes(from)) return { ok: false, reason: 'not_allowed' } as const;
    if (action === 'close' && !input.result) return { ok: false, reason: 'result_required' } as const;

    const to: Status = action === 'callback-done' && from === 'new' ? 'in_work' : (rule.to ?? from);
    const updated = await tx
      .updateTable('appeals')
      .set({
        status: to,
        updated_at: input.now,
        ...(action === 'take' ? { taken_by: input.actor } : {}),
        ...(action === 'callback-done'
          ? { callback_done_at: input.now, taken_by: appeal.taken_by ?? input.actor }
          : {}),
        ...(action === 'close' ? { closed_at: input.now, result: input.result } : {}),
        ...(action === 'reopen' ? { closed_at: null, result: null } : {}),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('appeal_events')
      .values({
        appeal_id: id,
        at: input.now,
        actor: input.actor,
        action,
        from_status: from,
        to_status: to,
        note: input.note ?? (input.result ? `result: ${input.result}` : null),
      })
      .execute();
    return { ok: true, appeal: updated } as const;
  });
}

export async function appealHistory(db: Db, id: number) {
  return db.selectFrom('appeal_events').selectAll().where('appeal_id', '=', id).orderBy('id').execute();
}

/**
 * An event that leaves the status as it is (a reply, a route item, a follow-up, the family's progress answer):
 * appended to the same history as the status changes, with the status it happened in.
 */
export async function noteAppealEvent(
  db: Db,
  appeal: Pick<Appeal, 'id' | 'status'>,
  event: { at: Date; actor: string; action: string; note?: string | null },
): Promise<void> {
  await db
    .insertInto('appeal_events')
    .values({
      appeal_id: appeal.id,
      at: event.at,
      actor: event.actor,
      action: event.action,
      from_status: appeal.status,
      to_status: appeal.status,
      note: event.note ?? null,
    })
    .execute();
}
