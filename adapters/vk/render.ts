import type { RenderedMessage } from '../../bot/i18n.ts';
import { splitText } from '../../bot/text.ts';

/** VK limits (messages.send and keyboards). */
export const MAX_TEXT = 4096;
export const MAX_PAYLOAD = 255;
export const MAX_LABEL = 40;
const INLINE = { rows: 6, perRow: 5, total: 10 };
const REGULAR = { rows: 10, perRow: 5, total: 40 };

export type VkSend = { message: string; keyboard?: string };

type Button = { label: string; payload: string };

/** Colours say what a button does: go ahead (green), stop or delete (red), everything else neutral. */
function colorOf(payload: string): 'positive' | 'negative' | 'secondary' | 'primary' {
  if (['confirm:submit', 'consent:yes', 'resume:continue'].includes(payload)) return 'positive';
  if (['nav:cancel', 'delete:yes', 'consent:no'].includes(payload)) return 'negative';
  if (payload.startsWith('nav:')) return 'secondary';
  return 'primary';
}

const fits = (rows: Button[][], limits: typeof INLINE) =>
  rows.length <= limits.rows &&
  rows.every((row) => row.length <= limits.perRow) &&
  rows.flat().length <= limits.total;

function label(text: string): string {
  return text.length <= MAX_LABEL ? text : `${text.slice(0, MAX_LABEL - 1)}…`;
}

/**
 * Buttons → a VK keyboard. Inline keyboards with callback buttons keep the chat clean (a tap is not a
 * message); when the buttons exceed VK's inline limits (6 rows, 10 buttons) a one-time keyboard of text
 * buttons is used instead. Payloads are {"b": "<payload>"}, far below VK's 255 characters.
 */
export function toVkKeyboard(rows: Button[][]): string {
  const inline = fits(rows, INLINE);
  if (!inline && !fits(rows, REGULAR)) throw new Error('too many buttons for a VK keyboard');
  return JSON.stringify({
    inline,
    ...(inline ? {} : { one_time: true }),
    buttons: rows.map((row) =>
      row.map((button) => {
        const payload = JSON.stringify({ b: button.payload });
        if (payload.length > MAX_PAYLOAD) throw new Error(`payload over ${MAX_PAYLOAD} characters`);
        return {
          action: { type: inline ? 'callback' : 'text', label: label(button.label), payload },
          color: colorOf(button.payload),
        };
      }),
    ),
  });
}

/** A neutral message → messages.send calls; the keyboard goes with the last part. VK has no "share phone". */
export function toVkSends(message: RenderedMessage): VkSend[] {
  const sends: VkSend[] = splitText(message.text, MAX_TEXT).map((text) => ({ message: text }));
  const last = sends[sends.length - 1] as VkSend;
  if (message.buttons?.length) last.keyboard = toVkKeyboard(message.buttons);
  return sends;
}
