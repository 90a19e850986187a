import { z } from 'zod';
import type { InboundUpdate } from '../../bot/runtime.ts';
import { LOCALES } from '../../config/center.ts';

/** Longest text we accept in one message; longer ones get a polite "please shorten" instead of an error. */
export const MAX_TEXT_LENGTH = 4000;

export const WebEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('text'), text: z.string().min(1).max(100_000) }),
  z.object({ type: z.literal('button'), payload: z.string().min(1).max(64) }),
  z.object({ type: z.literal('setLocale'), locale: z.enum(LOCALES) }),
]);

/** The session is not in the body: it travels in the HttpOnly cookie (or the X-Chat-Session header). */
export const PostMessageBody = z.object({
  /** Client-generated id; a retried POST with the same id is processed once. */
  messageId: z.string().uuid(),
  event: WebEvent,
});
export type PostMessageBody = z.infer<typeof PostMessageBody>;

/** The web adapter's whole translation job: a validated request → a neutral update. */
export function toInboundUpdate(externalId: string, body: PostMessageBody): InboundUpdate {
  return { channel: 'web', externalId, updateId: body.messageId, event: body.event };
}
