import type { Update } from 'grammy/types';
import type { InboundUpdate } from '../../bot/runtime.ts';

export const TELEGRAM = 'telegram';

/** Why an update produced no event: the bot answers families in private chats only. */
export type Ignored = { ignored: 'not-private' | 'no-sender' | 'unhandled-kind' };

/**
 * Telegram update → neutral update. Pure, so every kind of update is covered by a table test. The conversation
 * key is the private chat id (= the user id); the update id de-duplicates webhook and polling redeliveries.
 */
export function fromTelegramUpdate(update: Update): InboundUpdate | Ignored {
  const updateId = String(update.update_id);

  if (update.callback_query) {
    const query = update.callback_query;
    const chat = query.message?.chat;
    if (chat && chat.type !== 'private') return { ignored: 'not-private' };
    // A button on a message too old for Telegram to show still carries the user: answer them privately.
    const externalId = String(chat?.id ?? query.from.id);
    return { channel: TELEGRAM, externalId, updateId, event: { type: 'button', payload: query.data ?? '' } };
  }

  const message = update.message;
  if (!message) return { ignored: 'unhandled-kind' };
  if (message.chat.type !== 'private') return { ignored: 'not-private' };
  if (!message.from) return { ignored: 'no-sender' };
  const base = { channel: TELEGRAM, externalId: String(message.chat.id), updateId };

  if (message.contact) return { ...base, event: { type: 'contact', phone: message.contact.phone_number } };
  if (typeof message.text === 'string') {
    const command = /^\/start(?:@\w+)?(?:\s|$)/.test(message.text);
    return { ...base, event: command ? { type: 'start' } : { type: 'text', text: message.text } };
  }
  // Photos, voice, stickers, documents…: answered politely; their content is never read or stored.
  return { ...base, event: { type: 'unsupported' } };
}

export const isIgnored = (value: InboundUpdate | Ignored): value is Ignored => 'ignored' in value;
