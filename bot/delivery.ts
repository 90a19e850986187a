import type { Logger } from 'pino';
import { getContact, setContactActive } from '../storage/contacts.ts';
import type { Db } from '../storage/db.ts';
import {
  contactsWithPending,
  countAttempt,
  markMessageFailed,
  markMessageSent,
  pendingOutbound,
  recordPartSent,
} from '../storage/messages.ts';
import type { Contact } from '../storage/schema.ts';
import type { RenderedMessage } from './i18n.ts';
import { KeyedLock } from './keyed-lock.ts';

/**
 * How a push channel failed, in words the delivery loop acts on. Adapters map their platform's errors here
 * (Telegram 429/403, VK 6/9/901…), so the loop itself is the same for every channel.
 */
export type DeliveryFailure =
  | { kind: 'retry-after'; ms: number } // rate limited: wait, then send the same part again
  | { kind: 'blocked' } // the person blocked us / deleted the account: stop sending to them
  | { kind: 'rejected' } // the platform refuses this message (bad request): skip it, keep the rest
  | { kind: 'transient' }; // network, timeout, 5xx: try again a little later

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly failure: DeliveryFailure,
    description: string,
  ) {
    super(description);
  }
}

/** One channel's half of delivery: how a message is cut into platform sends, and how one send is made. */
export interface ChannelSender<Part = unknown> {
  readonly channel: string;
  parts(message: RenderedMessage, contact: Contact): Part[];
  /** `key` is stable across retries (message id + part index): channels with idempotency keys use it. */
  send(contact: Contact, part: Part, key: string): Promise<void>;
}

export type DeliveryOptions = {
  db: Db;
  logger: Logger;
  senders: ChannelSender[];
  /** Quick retries of one part before leaving it to the sweep. */
  transientRetries?: number;
  /** Longest rate-limit wait we sit through in-line; longer ones are left to the sweep. */
  maxInlineWaitMs?: number;
  sweepEveryMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Delivers outbound messages of push channels from the database ledger. Each message row is sent once: the
 * row records how many parts went out, so a retry (after a crash, a timeout, a 5xx) continues where it
 * stopped and never repeats a part that the platform confirmed. Messages to one person go out in order, one
 * at a time; a rate limit pauses the whole channel, as the platform asks.
 */
export class Delivery {
  private readonly locks = new KeyedLock();
  private readonly senders = new Map<string, ChannelSender>();
  private readonly pausedUntil = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DeliveryOptions) {
    for (const sender of options.senders) this.senders.set(sender.channel, sender);
    this.sleep = options.sleep ?? defaultSleep;
  }

  handles(channel: string): boolean {
    return this.senders.has(channel);
  }

  /** Sends everything pending for one contact. Safe to call any number of times, concurrently. */
  deliver(contactId: number): Promise<void> {
    return this.locks.run(String(contactId), () => this.deliverNow(contactId));
  }

  /** Picks up whatever was left pending (crash, long outage, rate limit) and starts the periodic sweep. */
  start(): void {
    void this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepEveryMs ?? 30_000);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    // Let sends in progress finish: their ledger update must not be lost.
    while (this.locks.size > 0) await this.sleep(20);
  }

  async sweep(): Promise<void> {
    try {
      for (const channel of this.senders.keys()) {
        const contacts = await contactsWithPending(this.options.db, channel, new Date(Date.now() - 2_000));
        for (const contactId of contacts) await this.deliver(contactId);
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'delivery sweep failed');
    }
  }

  private async deliverNow(contactId: number): Promise<void> {
    const { db, logger } = this.options;
    const contact = await getContact(db, contactId);
    const sender = contact && this.senders.get(contact.channel);
    if (!contact || !sender) return;
    for (const message of await pendingOutbound(db, contactId)) {
      if (!contact.active) {
        await markMessageFailed(db, message.id, 'contact inactive');
        continue;
      }
      const parts = sender.parts(message.body, contact);
      try {
        for (let index = message.partsSent; index < parts.length; index++) {
          await this.sendPart(sender, contact, parts[index], `${message.id}-${index}`);
          // The last part's confirmation and "sent" are one write.
          if (index + 1 < parts.length) await recordPartSent(db, message.id, index + 1);
          else await markMessageSent(db, message.id, index + 1, new Date());
        }
        // Every part was confirmed before (a crash right after the last one): only the status is missing.
        if (message.partsSent >= parts.length)
          await markMessageSent(db, message.id, parts.length, new Date());
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        const { failure } = error;
        if (failure.kind === 'blocked') {
          logger.info({ contactId, channel: contact.channel }, 'contact blocked the bot: marked inactive');
          await setContactActive(db, contactId, false);
          contact.active = false;
          await markMessageFailed(db, message.id, error.message);
        } else if (failure.kind === 'rejected') {
          logger.error(
            { contactId, messageId: message.id, reason: error.message },
            'platform rejected a message',
          );
          await markMessageFailed(db, message.id, error.message);
        } else {
          // Keep order: later messages wait until this one is through; the sweep tries again.
          await countAttempt(db, message.id, error.message);
          logger.warn({ contactId, messageId: message.id, reason: error.message }, 'delivery postponed');
          return;
        }
      }
    }
  }

  private async sendPart(sender: ChannelSender, contact: Contact, part: unknown, key: string): Promise<void> {
    const retries = this.options.transientRetries ?? 3;
    const maxWait = this.options.maxInlineWaitMs ?? 30_000;
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const pause = (this.pausedUntil.get(sender.channel) ?? 0) - Date.now();
      if (pause > 0) {
        if (waited + pause > maxWait)
          throw new DeliveryError({ kind: 'transient' }, 'rate limited for too long');
        await this.sleep(pause);
        waited += pause;
      }
      try {
        await sender.send(contact, part, key);
        return;
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        const { failure } = error;
        if (failure.kind === 'retry-after') {
          this.pausedUntil.set(sender.channel, Date.now() + failure.ms);
          continue;
        }
        if (failure.kind !== 'transient' || attempt >= retries) throw error;
        await this.sleep(250 * 2 ** attempt);
      }
    }
  }
}
