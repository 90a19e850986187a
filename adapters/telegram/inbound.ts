import type { Update } from 'grammy/types';
import { z } from 'zod';
import type { InboundUpdate } from '../../bot/runtime.ts';
import { normalizeText } from '../../domain/text.ts';

export const TELEGRAM = 'telegram';

/** Why an update produced no event: the bot answers families in private chats only. */
export type Ignored = { ignored: 'not-private' | 'no-sender' | 'unhandled-kind' | 'malformed' };

/** Telegram ids are integers (up to 52 bits); anything else is not Telegram and must not become a contact. */
const TelegramId = z.number().int().refine(Number.isSafeInteger);
const Chat = z.looseObject({ id: TelegramId, type: z.string() });
const From = z.looseObject({ id: TelegramId });
const Message = z.looseObject({
  chat: Chat,
  from: From.optional(),
  text: z.string().optional(),
  contact: z.looseObject({ phone_number: z.string() }).optional(),
});
const CallbackQuery = z.looseObject({
  id: z.string(),
  from: From,
  data: z.string().optional(),
  // A button on a message too old for Telegram to show has no message (and never a null one from Telegram).
  message: z.looseObject({ chat: Chat }).optional(),
});

/**
 * The parts of an update this adapter reads, checked by shape: the webhook is reachable from the internet
 * (behind a secret, but a leaked one or a Bot API quirk must not crash a handler). What fails is ignored.
 */
export const TelegramUpdateShape = z.looseObject({
  update_id: z.number().int().nonnegative().refine(Number.isSafeInteger),
  message: Message.optional(),
  callback_query: CallbackQuery.optional(),
});

/**
 * Telegram update → neutral update. Pure, so every kind of update is covered by a table test. The conversation
 * key is the private chat id (= the user id); the update id de-duplicates webhook and polling redeliveries.
 */
export function fromTelegramUpdate(raw: Update | unknown): InboundUpdate | Ignored {
  const parsed = TelegramUpdateShape.safeParse(raw);
  if (!parsed.success) return { ignored: 'malformed' };
  const update = parsed.data;
  const updateId = String(update.update_id);

  if (update.callback_query) {
    const query = update.callback_query;
    const chat = query.message?.chat;
    if (chat && chat.type !== 'private') return { ignored: 'not-private' };
    // A button on a message too old for Telegram to show still carries the user: answer them privately.
    const externalId = String(chat?.id ?? query.from.id);
    const payload = normalizeText(query.data ?? '', 64);
    return { channel: TELEGRAM, externalId, updateId, event: { type: 'button', payload } };
  }

  const message = update.message;
  if (!message) return { ignored: 'unhandled-kind' };
  if (message.chat.type !== 'private') return { ignored: 'not-private' };
  if (!message.from) return { ignored: 'no-sender' };
  const base = { channel: TELEGRAM, externalId: String(message.chat.id), updateId };

  if (message.contact) {
    return { ...base, event: { type: 'contact', phone: normalizeText(message.contact.phone_number, 64) } };
  }
  if (typeof message.text === 'string') {
    const text = normalizeText(message.text);
    const command = /^\/start(?:@\w+)?(?:\s|$)/.test(text);
    if (!command && text.trim() === '') return { ...base, event: { type: 'unsupported' } };
    return { ...base, event: command ? { type: 'start' } : { type: 'text', text } };
  }
  // Photos, voice, stickers, documents…: answered politely; their content is never read or stored.
  return { ...base, event: { type: 'unsupported' } };
}

export const isIgnored = (value: InboundUpdate | Ignored): value is Ignored => 'ignored' in value;
