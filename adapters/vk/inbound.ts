import type { InboundUpdate } from '../../bot/runtime.ts';

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

type VkMessage = {
  id?: number;
  peer_id?: number;
  from_id?: number;
  text?: string;
  payload?: string;
  conversation_message_id?: number;
  attachments?: unknown[];
};

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
  return typeof record.b === 'string' ? { type: 'button', payload: record.b } : undefined;
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
      const message = ((object as { message?: VkMessage }).message ?? object) as VkMessage;
      const peerId = message.peer_id;
      if (typeof peerId !== 'number') return { kind: 'ignored', reason: 'malformed' };
      if (peerId >= CHAT_PEER_BASE) return { kind: 'ignored', reason: 'not-private' };
      if (typeof message.from_id === 'number' && message.from_id <= 0)
        return { kind: 'ignored', reason: 'from-community' };
      const base = {
        channel: VK,
        externalId: String(peerId),
        updateId: `m:${peerId}:${message.conversation_message_id ?? message.id ?? event.event_id}`,
      };
      const button = message.payload ? buttonFromPayload(message.payload) : undefined;
      if (button) return { kind: 'update', update: { ...base, event: button } };
      const text = (message.text ?? '').trim();
      if (START_WORDS.test(text)) return { kind: 'update', update: { ...base, event: { type: 'start' } } };
      if (text)
        return { kind: 'update', update: { ...base, event: { type: 'text', text: message.text ?? '' } } };
      // Photos, voice, stickers…: a polite "text and buttons only"; the attachment is never read.
      return { kind: 'update', update: { ...base, event: { type: 'unsupported' } } };
    }
    case 'message_event': {
      const peerId = object.peer_id;
      const userId = object.user_id;
      const eventId = object.event_id;
      if (typeof peerId !== 'number' || typeof userId !== 'number' || typeof eventId !== 'string') {
        return { kind: 'ignored', reason: 'malformed' };
      }
      if (peerId >= CHAT_PEER_BASE) return { kind: 'ignored', reason: 'not-private' };
      const button = buttonFromPayload(object.payload) ?? { type: 'button' as const, payload: '' };
      return {
        kind: 'update',
        update: { channel: VK, externalId: String(peerId), updateId: `e:${eventId}`, event: button },
        eventAnswer: { eventId, userId, peerId },
      };
    }
    case 'message_allow':
    case 'message_deny': {
      const userId = object.user_id;
      if (typeof userId !== 'number') return { kind: 'ignored', reason: 'malformed' };
      return { kind: 'permission', externalId: String(userId), allowed: event.type === 'message_allow' };
    }
    default:
      return { kind: 'ignored', reason: 'unhandled-kind' };
  }
}
