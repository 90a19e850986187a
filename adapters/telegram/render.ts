import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import type { RenderedMessage } from '../../bot/i18n.ts';
import { splitText } from '../../bot/text.ts';

/** Telegram's limits (Bot API): text per message, callback_data bytes. */
export const MAX_TEXT = 4096;
export const MAX_CALLBACK_BYTES = 64;

export type TelegramSend = {
  text: string;
  reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;
};

/**
 * A neutral message → the sendMessage calls that show it. Buttons become an inline keyboard on the last
 * chunk; a phone request becomes a one-time reply keyboard with a "share my number" button (Telegram sends
 * the contact with one tap) and the navigation buttons as text buttons, since a message has one keyboard.
 */
export function toTelegramSends(message: RenderedMessage, sharePhoneLabel: string): TelegramSend[] {
  const chunks = splitText(message.text, MAX_TEXT);
  const sends: TelegramSend[] = chunks.map((text) => ({ text }));
  const last = sends[sends.length - 1] as TelegramSend;
  if (message.requestPhone) {
    last.reply_markup = {
      keyboard: [
        [{ text: sharePhoneLabel, request_contact: true }],
        ...(message.buttons ?? []).map((row) => row.map((button) => ({ text: button.label }))),
      ],
      one_time_keyboard: true,
      resize_keyboard: true,
      is_persistent: false,
    };
  } else if (message.buttons?.length) {
    last.reply_markup = {
      inline_keyboard: message.buttons.map((row) =>
        row.map((button) => {
          if (Buffer.byteLength(button.payload, 'utf8') > MAX_CALLBACK_BYTES) {
            throw new Error(
              `callback_data over ${MAX_CALLBACK_BYTES} bytes: ${button.payload.slice(0, 20)}…`,
            );
          }
          return { text: button.label, callback_data: button.payload };
        }),
      ),
    };
  }
  return sends;
}

/** After a phone request the reply keyboard must go: attached to the next message that has no inline keyboard. */
export const REMOVE_KEYBOARD: ReplyKeyboardRemove = { remove_keyboard: true };
