import type { Logger } from 'pino';
import type { Db } from '../storage/db.ts';
import { appendAudit } from '../storage/staff-access.ts';
import type { Desk, DeskChange } from './desk.ts';

const actionName = (change: DeskChange) =>
  change.kind === 'action'
    ? `appeal.${change.action}`
    : change.kind === 'reply'
      ? 'appeal.reply'
      : 'route.add';

/**
 * Staff-chat actions in the access log too (the web ones are recorded by the staff area's hook): who, when,
 * what, on which appeal — no IP exists for them, and never the reply's text. A failed write is logged, not
 * fatal: the action itself is already in the appeal's history.
 */
export function auditStaffChat(desk: Desk, db: Db, logger: Logger, clock: () => Date = () => new Date()) {
  return desk.onChange((change) => {
    if (change.actor.via !== 'telegram') return;
    appendAudit(db, {
      at: clock(),
      actor: `telegram:${change.actor.dispatcher.id}`,
      action: actionName(change),
      method: 'TELEGRAM',
      route: 'staff-chat',
      appealId: change.appeal.id,
      objectId: change.kind === 'route' ? String(change.booking.id) : null,
      status: 200,
    }).catch((error: unknown) =>
      logger.error(
        { err: error, appealId: change.appeal.id },
        'staff-chat action not written to the audit log',
      ),
    );
  });
}
