import { createHash } from 'node:crypto';
import { APIError, type VK } from 'vk-io';
import { type ChannelSender, DeliveryError } from '../../bot/delivery.ts';
import type { RenderedMessage } from '../../bot/i18n.ts';
import type { Contact } from '../../storage/schema.ts';
import { VK as VK_CHANNEL } from './inbound.ts';
import { toVkSends, type VkSend } from './render.ts';

/**
 * VK de-duplicates messages.send by `random_id` per peer. vk-io picks a random one unless given, so a retry
 * would send twice; we derive it from the ledger key (message row id + part index), making every retry —
 * ours after a timeout, or after a crash — idempotent on VK's side.
 */
export function randomIdFor(key: string): number {
  return createHash('sha256').update(`vk-send:${key}`).digest().readInt32BE(0) & 0x7fffffff;
}

/** VK error codes → what the delivery loop does (https://dev.vk.com/reference/errors). */
export function classifyVkError(error: unknown): DeliveryError {
  if (error instanceof APIError) {
    const description = `${error.code}: ${error.message}`;
    const code = Number(error.code);
    // 6: too many requests per second, 9: flood control. VK gives no retry_after; a second is its own advice.
    if (code === 6 || code === 9) return new DeliveryError({ kind: 'retry-after', ms: 1_000 }, description);
    // 901: the person has not allowed messages from the community (or revoked it); 902: privacy settings.
    if (code === 901 || code === 902) return new DeliveryError({ kind: 'blocked' }, description);
    // 1: unknown error, 10: internal server error: worth another try.
    if (code === 1 || code === 10) return new DeliveryError({ kind: 'transient' }, description);
    return new DeliveryError({ kind: 'rejected' }, description);
  }
  return new DeliveryError(
    { kind: 'transient' },
    `network: ${error instanceof Error ? error.message : String(error)}`,
  );
}

export class VkSender implements ChannelSender<VkSend> {
  readonly channel = VK_CHANNEL;

  constructor(private readonly vk: VK) {}

  parts(message: RenderedMessage): VkSend[] {
    return toVkSends(message);
  }

  async send(contact: Contact, part: VkSend, key: string): Promise<void> {
    try {
      await this.vk.api.messages.send({
        peer_id: Number(contact.external_id),
        random_id: randomIdFor(key),
        message: part.message,
        dont_parse_links: 1,
        ...(part.keyboard ? { keyboard: part.keyboard } : {}),
      });
    } catch (error) {
      throw classifyVkError(error);
    }
  }
}
