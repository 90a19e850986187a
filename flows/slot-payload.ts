/**
 * A concrete slot as a button payload, e.g. "slot:lawyer-1:q4ab12" — specialist id and start time in epoch
 * minutes (base 36). Short enough for Telegram's 64-byte callback_data; any message (a flow question, a
 * staff cancellation offering alternatives) can carry such buttons.
 */
export type SlotRef = { specialistId: string; startsAt: Date };

export function encodeSlotPayload(slot: SlotRef): string {
  return `slot:${slot.specialistId}:${Math.round(slot.startsAt.getTime() / 60_000).toString(36)}`;
}

export function decodeSlotPayload(payload: string): SlotRef | undefined {
  const match = /^slot:([A-Za-z0-9_-]{1,32}):([0-9a-z]{1,10})$/.exec(payload);
  if (!match?.[1] || !match[2]) return undefined;
  const minutes = Number.parseInt(match[2], 36);
  return Number.isFinite(minutes)
    ? { specialistId: match[1], startsAt: new Date(minutes * 60_000) }
    : undefined;
}
