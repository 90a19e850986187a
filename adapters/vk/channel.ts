import { createHash, timingSafeEqual } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { VK } from 'vk-io';
import { z } from 'zod';
import type { HandleResult, Runtime } from '../../bot/runtime.ts';
import { findContact, setContactActive } from '../../storage/contacts.ts';
import type { Db } from '../../storage/db.ts';
import {
  countInboundAttempt,
  deleteInboundEvent,
  loadInboundEvent,
  pendingInboundEvents,
  storeInboundEvent,
} from '../../storage/inbound-events.ts';
import { fromVkEvent, VK as VK_CHANNEL, type VkEvent } from './inbound.ts';
import { VkSender } from './sender.ts';

export type VkChannelOptions = {
  token: string;
  groupId: number;
  apiBaseUrl: string;
  mode: 'longpoll' | 'callback';
  callbackSecret?: string;
  confirmationCode?: string;
  runtime: Runtime;
  db: Db;
  logger: Logger;
};

export const CALLBACK_PATH = '/vk/callback';

const CallbackBody = z.looseObject({
  type: z.string().min(1),
  group_id: z.number().int(),
  secret: z.string().optional(),
  event_id: z.string().optional(),
  object: z.record(z.string(), z.unknown()).optional(),
});

/** After this many failed processing attempts a stored event is dropped (and logged), not retried forever. */
const MAX_EVENT_ATTEMPTS = 5;

/**
 * The VK community channel. Long Poll (vk-io's group transport) for running anywhere; Callback API for
 * production. VK considers a Callback event delivered when we answer "ok" — and vk-io's own webhook answers
 * before its handlers run — so our route stores the event first, answers, then processes it from the table.
 */
export class VkChannel {
  readonly vk: VK;
  readonly sender: VkSender;

  constructor(private readonly options: VkChannelOptions) {
    this.vk = new VK({
      token: options.token,
      apiBaseUrl: options.apiBaseUrl,
      pollingGroupId: options.groupId,
      // A community token may make 20 requests a second (vk-io defaults to 3).
      apiLimit: 20,
      // Retries are the delivery loop's decision (random_id keeps them idempotent anyway).
      apiRetryLimit: 0,
      apiTimeout: 15_000,
      // vk-io's default agent speaks https only; a plain-http base URL (a local emulator, the tests) needs one.
      ...(options.apiBaseUrl.startsWith('http:')
        ? { agent: new HttpAgent({ keepAlive: true }) as HttpsAgent }
        : {}),
    });
    this.sender = new VkSender(this.vk);
    // Long Poll events reach us raw, in the same shape as Callback API events, so both share one translator.
    this.vk.updates.handleWebhookUpdate = async (update: Record<string, unknown>) => {
      await this.handleEvent(update as VkEvent);
    };
  }

  /** Returns the runtime's result for updates (undefined for events that need no conversation). */
  async handleEvent(event: VkEvent): Promise<HandleResult | undefined> {
    const translated = fromVkEvent(event);
    const { runtime, db, logger } = this.options;
    switch (translated.kind) {
      case 'ignored':
        logger.debug({ type: event.type, reason: translated.reason }, 'vk event ignored');
        return undefined;
      case 'permission': {
        // message_allow: the person opened the door again; message_deny: stop sending until they do.
        const contact = await findContact(db, VK_CHANNEL, translated.externalId);
        if (contact) await setContactActive(db, contact.id, translated.allowed);
        logger.info(
          { contactId: contact?.id, allowed: translated.allowed },
          'vk messages permission changed',
        );
        return undefined;
      }
      case 'update': {
        const answer = translated.eventAnswer;
        if (answer) {
          // Stops the spinner on the tapped callback button.
          void this.vk.api.messages
            .sendMessageEventAnswer({
              event_id: answer.eventId,
              user_id: answer.userId,
              peer_id: answer.peerId,
            })
            .catch((error: unknown) => logger.debug({ err: error }, 'sendMessageEventAnswer failed'));
        }
        // conversation_message_id and event ids are per community: key them by the group id.
        return runtime.handle({ ...translated.update, bot: String(this.options.groupId) });
      }
    }
  }

  registerCallback(app: FastifyInstance): void {
    const { groupId, callbackSecret, confirmationCode, db, logger } = this.options;
    const secret = Buffer.from(callbackSecret ?? '');
    app.post(CALLBACK_PATH, async (request, reply) => {
      const parsed = CallbackBody.safeParse(request.body);
      if (!parsed.success) return reply.code(400).type('text/plain').send('bad request');
      const body = parsed.data;
      if (body.group_id !== groupId) return reply.code(403).type('text/plain').send('wrong group');
      if (body.type === 'confirmation') return reply.type('text/plain').send(confirmationCode ?? '');
      const given = Buffer.from(body.secret ?? '');
      if (secret.length === 0 || given.length !== secret.length || !timingSafeEqual(given, secret)) {
        return reply.code(403).type('text/plain').send('wrong secret');
      }
      const { secret: _secret, ...event } = body;
      // VK sends event_id (API ≥ 5.103); without it an identical re-send still maps to the same key.
      const eventId = body.event_id ?? createHash('sha256').update(JSON.stringify(event)).digest('hex');
      // Stored before "ok": a crash after this line loses nothing; a re-sent event finds its row.
      const isNew = await storeInboundEvent(db, VK_CHANNEL, eventId, event);
      reply.type('text/plain').send('ok');
      if (isNew) {
        void this.processStored(eventId).catch((error: unknown) =>
          logger.error({ err: error, eventId }, 'vk event processing failed'),
        );
      }
      return reply;
    });
  }

  /** Processes one stored event and removes it; failures keep it for the next sweep (bounded). */
  async processStored(eventId: string): Promise<void> {
    const { db, logger } = this.options;
    const payload = await loadInboundEvent(db, VK_CHANNEL, eventId);
    if (payload === undefined) return;
    try {
      const result = await this.handleEvent(payload as VkEvent);
      // Nothing could be stored (database trouble): keep the event for the sweep rather than lose it.
      if (result?.status === 'failed' && result.contactId === undefined)
        throw new Error('event not processed');
      await deleteInboundEvent(db, VK_CHANNEL, eventId);
    } catch (error) {
      const attempts = await countInboundAttempt(db, VK_CHANNEL, eventId);
      if (attempts >= MAX_EVENT_ATTEMPTS) {
        logger.error({ eventId }, 'vk event dropped after repeated failures');
        await deleteInboundEvent(db, VK_CHANNEL, eventId);
      }
      throw error;
    }
  }

  /** Events stored but not processed before a crash or restart. */
  async sweep(): Promise<void> {
    for (const eventId of await pendingInboundEvents(this.options.db, VK_CHANNEL)) {
      await this.processStored(eventId).catch((error: unknown) =>
        this.options.logger.warn({ err: error, eventId }, 'stored vk event failed again'),
      );
    }
  }

  async start(): Promise<void> {
    await this.sweep();
    if (this.options.mode === 'longpoll') {
      await this.vk.updates.startPolling();
      this.options.logger.info({ groupId: this.options.groupId }, 'vk long poll started');
    }
  }

  async stop(): Promise<void> {
    await this.vk.updates.stop();
  }
}
