import { z } from 'zod';
import type { InboundUpdate } from '../../bot/runtime.ts';
import { normalizeText } from '../../domain/text.ts';

export const VK = 'vk';

/** A community event as VK sends it (Callback API and group Long Poll share the shape). */
export type VkEvent = {
  type: string;
  object?: Record<string, unknown>;
  group_id?: number;
  event_id?: string;
};

/** Peer ids from 2e9 up are group chats: the assistant talks to families in private dialogs only. */
const CHAT_PEER_BASE = 2_000_000_000;

export type VkTranslation =
  | {
      kind: 'update';
      update: InboundUpdate;
      eventAnswer?: { eventId: string; userId: number; peerId: number };
    }
  | { kind: 'permission'; externalId: string; allowed: boolean }
  | { kind: 'ignored'; reason: 'not-private' | 'from-community' | 'unhandled-kind' | 'malformed' };

/** VK ids are integers; a string or a fraction is not VK and must not become a contact. */
const VkId = z.number().int().refine(Number.isSafeInteger);
const VkMessage = z.looseObject({
  id: VkId.optional(),
  peer_id: VkId,
  from_id: VkId.optional(),
  text: z.string().optional(),
  payload: z.string().optional(),
  conversation_message_id: VkId.optional(),
});
const VkMessageEvent = z.looseObject({
  peer_id: VkId,
  user_id: VkId,
  event_id: z.string().min(1).max(200),
  payload: z.unknown().optional(),
});
const VkPermission = z.looseObject({ user_id: VkId });

/** Our button payloads travel as {"b": "<payload>"}; VK's own "Start" button sends {"command": "start"}. */
function buttonFromPayload(
  raw: unknown,
): { type: 'button'; payload: string } | { type: 'start' } | undefined {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (record.command === 'start') return { type: 'start' };
  return typeof record.b === 'string' ? { type: 'button', payload: normalizeText(record.b, 64) } : undefined;
}

const START_WORDS = /^(\/?start|начать|старт)$/i;

/**
 * VK event → neutral update. Pure, table-tested. The update id is derived from the message itself (peer +
 * conversation message id, or the callback event id), so the same message arriving by Long Poll and by
 * Callback API, or re-sent by VK, is processed once.
 */
export function fromVkEvent(event: VkEvent): VkTranslation {
  const object = event.object ?? {};
  switch (event.type) {
    case 'message_new': {
      // API ≥ 5.103 wraps the message: { message, client_info }.
      const parsed = VkMessage.safeParse((object as { message?: unknown }).message ?? object);
      if (!parsed.success) return { kind: 'ignored', reason: 'malformed' };
      const message = parsed.data;
      const peerId = message.peer_id;
      if (peerId >= CHAT_PEER_BASE) return { kind: 'ignored', reason: 'not-private' };
      if (typeof message.from_id === 'number' && message.from_id <= 0)
        return { kind: 'ignored', reason: 'from-community' };
      const base = {
        channel: VK,
        externalId: String(peerId),
        updateId: `m:${peerId}:${message.conversation_message_id ?? message.id ?? normalizeText(String(event.event_id), 200)}`,
      };
      const button = message.payload ? buttonFromPayload(message.payload) : undefined;
      if (button) return { kind: 'update', update: { ...base, event: button } };
      const full = normalizeText(message.text ?? '');
      const text = full.trim();
      if (START_WORDS.test(text)) return { kind: 'update', update: { ...base, event: { type: 'start' } } };
      if (text) return { kind: 'update', update: { ...base, event: { type: 'text', text: full } } };
      // Photos, voice, stickers…: a polite "text and buttons only"; the attachment is never read.
      return { kind: 'update', update: { ...base, event: { type: 'unsupported' } } };
    }
    case 'message_event': {
      const parsed = VkMessageEvent.safeParse(object);
      if (!parsed.success) return { kind: 'ignored', reason: 'malformed' };
      const { peer_id: peerId, user_id: userId } = parsed.data;
      const eventId = normalizeText(parsed.data.event_id, 200);
      if (peerId >= CHAT_PEER_BASE) return { kind: 'ignored', reason: 'not-private' };
      const button = buttonFromPayload(parsed.data.payload) ?? { type: 'button' as const, payload: '' };
      return {
        kind: 'update',
        update: { channel: VK, externalId: String(peerId), updateId: `e:${eventId}`, event: button },
        eventAnswer: { eventId, userId, peerId },
      };
    }
    case 'message_allow':
    case 'message_deny': {
      const parsed = VkPermission.safeParse(object);
      if (!parsed.success) return { kind: 'ignored', reason: 'malformed' };
      const externalId = String(parsed.data.user_id);
      return { kind: 'permission', externalId, allowed: event.type === 'message_allow' };
    }
    default:
      return { kind: 'ignored', reason: 'unhandled-kind' };
  }
}
