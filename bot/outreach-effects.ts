import { DateTime } from 'luxon';
import type { CenterProfile } from '../config/center.ts';
import type { Effect, FlowEvent } from '../flows/types.ts';
import type { Db } from '../storage/db.ts';
import { changesFrom, subscribe, subscriptionsOf, unsubscribe } from '../storage/outreach.ts';

type OutreachEffect = Extract<Effect, { type: 'outreach' }>;

export const isOutreachEffect = (effect: Effect): effect is OutreachEffect => effect.type === 'outreach';

export type OutreachEffectContext = { tx: Db; contactId: number; now: Date; center: CenterProfile };

/**
 * Subscribes or unsubscribes (only the chat and the settlement name are stored, so no personal-data consent is
 * asked), then hands the flow what it needs to answer: the family's subscriptions and the schedule changes ahead.
 */
export async function applyOutreachEffect(
  effect: OutreachEffect,
  ctx: OutreachEffectContext,
): Promise<FlowEvent> {
  const { tx, contactId, now, center } = ctx;
  const known = center.outreach.some((entry) => entry.settlement === effect.settlement);
  if (known && effect.settlement !== undefined) {
    if (effect.action === 'subscribe') await subscribe(tx, contactId, effect.settlement, now);
    if (effect.action === 'unsubscribe') await unsubscribe(tx, contactId, effect.settlement);
  }
  const today = DateTime.fromJSDate(now).setZone(center.timeZone).toISODate() ?? '';
  return {
    type: 'outreachData',
    action: effect.action,
    settlement: known ? effect.settlement : undefined,
    subscriptions: await subscriptionsOf(tx, contactId),
    changes: await changesFrom(tx, today),
  };
}
