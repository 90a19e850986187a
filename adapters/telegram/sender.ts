import { type Api, GrammyError, HttpError } from 'grammy';
import { type ChannelSender, DeliveryError } from '../../bot/delivery.ts';
import type { RenderedMessage, Translator } from '../../bot/i18n.ts';
import { toLocale } from '../../config/center.ts';
import type { Contact } from '../../storage/schema.ts';
import { TELEGRAM } from './inbound.ts';
import { REMOVE_KEYBOARD, type TelegramSend, toTelegramSends } from './render.ts';

/** Telegram's answers → what the delivery loop should do (Bot API error codes and descriptions). */
export function classifyTelegramError(error: unknown): DeliveryError {
  if (error instanceof GrammyError) {
    const description = `${error.error_code}: ${error.description}`;
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return new DeliveryError({ kind: 'retry-after', ms: seconds * 1000 }, description);
    }
    // 403: blocked by the user, user deactivated, kicked; 400 "chat not found": the chat is gone.
    if (
      error.error_code === 403 ||
      /chat not found|user is deactivated|PEER_ID_INVALID/i.test(error.description)
    ) {
      return new DeliveryError({ kind: 'blocked' }, description);
    }
    if (error.error_code >= 500) return new DeliveryError({ kind: 'transient' }, description);
    return new DeliveryError({ kind: 'rejected' }, description);
  }
  if (error instanceof HttpError)
    return new DeliveryError({ kind: 'transient' }, `network: ${error.message}`);
  return new DeliveryError({ kind: 'transient' }, error instanceof Error ? error.message : String(error));
}

/**
 * Sends neutral messages with grammY's API client. The client must not retry by itself (no auto-retry
 * plugin): a retry after a network error may duplicate a message, so retries are decided by the delivery
 * loop, which records every confirmed part in the ledger.
 */
export class TelegramSender implements ChannelSender<TelegramSend> {
  readonly channel = TELEGRAM;

  constructor(
    private readonly api: Api,
    private readonly translator: Translator,
  ) {}

  parts(message: RenderedMessage, contact: Contact): TelegramSend[] {
    const locale = toLocale(contact.locale);
    return toTelegramSends(message, this.translator.t(locale, { key: 'button-share-phone' }));
  }

  async send(contact: Contact, part: TelegramSend): Promise<void> {
    try {
      // A message without its own keyboard takes away a leftover "share my number" keyboard.
      await this.api.sendMessage(contact.external_id, part.text, {
        reply_markup: part.reply_markup ?? REMOVE_KEYBOARD,
        link_preview_options: { is_disabled: true },
      });
    } catch (error) {
      throw classifyTelegramError(error);
    }
  }
}
