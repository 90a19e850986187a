import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type ChannelSender, DeliveryError } from '../bot/delivery.ts';
import type { Runtime } from '../bot/runtime.ts';
import {
  cancelBroadcast,
  claimRecipient,
  createBroadcast,
  finishRecipient,
  getBroadcast,
  type Outcome,
  openRecipients,
  type Recipient,
  recordPartsSent,
  releaseRecipient,
  runningBroadcasts,
} from '../storage/broadcasts.ts';
import { setContactActive } from '../storage/contacts.ts';
import type { Db } from '../storage/db.ts';
import type { Broadcast, BroadcastSegment, Contact } from '../storage/schema.ts';
import { createRedis } from './redis.ts';
import { SendGate, type SendLimit } from './send-gate.ts';

/**
 * A channel's limits. `jobsPerInterval`/`intervalMs` is BullMQ's global rate limiter (kept in Redis, so shared
 * by every worker process on the queue): it paces how fast jobs start, in small groups so that the worker's
 * per-wake-up overhead does not eat into the rate. The send gate (Redis too) then spaces the actual platform
 * calls and enforces the exact cap in any sliding second.
 */
export type ChannelLimit = SendLimit & { jobsPerInterval: number; intervalMs: number };

export const CHANNEL_LIMITS: Record<string, ChannelLimit> = {
  // Telegram: 30 messages a second per bot, about 1 a second per chat. 30 per 1040 ms = 28.8/s, 96 % of the cap.
  telegram: {
    jobsPerInterval: 10,
    intervalMs: 340,
    windowMax: 30,
    windowMs: 1040,
    minGapMs: 30,
    perChatMs: 1100,
  },
  // VK: 20 API requests a second per community token.
  vk: { jobsPerInterval: 10, intervalMs: 510, windowMax: 20, windowMs: 1040, minGapMs: 45, perChatMs: 1100 },
};

const WEB = 'web';
const JOB_NAME = 'broadcast';
/** Waits up to this long are sat through inside the job; longer ones (a 429 pause) hand the job back. */
const MAX_INLINE_WAIT_MS = 1500;
const ADD_CHUNK = 500;

const BroadcastJob = z.object({
  broadcastId: z.number().int().positive(),
  contactId: z.number().int().positive(),
});
type BroadcastJob = z.infer<typeof BroadcastJob>;

/** Deterministic, so re-enqueueing (a retried request, start-up resume) keeps one job. No ":" (BullMQ). */
export const broadcastJobId = (broadcastId: number, contactId: number) => `bc-${broadcastId}-${contactId}`;
export const broadcastQueueName = (channel: string) => `broadcast-${channel}`;

export type BroadcastProgress = {
  id: number;
  status: Broadcast['status'];
  createdBy: string;
  segment: BroadcastSegment;
  total: number;
  sent: number;
  blocked: number;
  failed: number;
  pending: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Sent messages per second since the start (until the end, once finished). */
  messagesPerSecond: number;
};

/** What the staff API needs; the composition root binds a Broadcaster when Redis is configured. */
export type BroadcastService = {
  create(input: {
    createdBy: string;
    segment: BroadcastSegment;
    text: string;
  }): Promise<BroadcastProgress | undefined>;
  progress(id: number): Promise<BroadcastProgress | undefined>;
  cancel(id: number): Promise<BroadcastProgress | undefined>;
};

export type BroadcasterOptions = {
  redisUrl: string;
  prefix: string;
  db: Db;
  logger: Logger;
  /** Push channels' senders (Telegram, VK); a broadcast reaches only channels that have one. */
  senders: ChannelSender[];
  /** Web chat recipients get the message in their transcript through the runtime; left out when omitted. */
  runtime?: Pick<Runtime, 'sendSystemMessage'>;
  limits?: Record<string, ChannelLimit>;
  concurrency?: number;
  /** A claim older than this is taken to belong to a dead worker, and the recipient is sent to again. */
  claimLeaseMs?: number;
  attempts?: number;
  backoffMs?: number;
  /** BullMQ stalled-job detection (a worker that died mid-job); tests make it short. */
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  clock?: () => Date;
};

/** Thrown inside a job when the channel must wait longer than is worth holding the job. */
class MustWait extends Error {
  constructor(readonly ms: number) {
    super(`must wait ${ms} ms`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Staff broadcasts: one BullMQ queue per channel, one job per recipient. The database ledger
 * (broadcast_recipients) is the source of truth: a job claims its row before the platform call and finishes
 * it right after, so a redelivered or retried job never sends again, and at start-up every broadcast still
 * running gets its open recipients back into the queues (same job ids, so nothing is doubled).
 *
 * Exactly once holds except in one unavoidable case: a process dying after Telegram accepted a message but
 * before the row was written. After `claimLeaseMs` that recipient is sent to again (at least once, rather
 * than maybe never); VK de-duplicates even that one by random_id.
 */
export class Broadcaster implements BroadcastService {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];
  private readonly senders = new Map<string, ChannelSender>();
  private readonly limits: Record<string, ChannelLimit>;
  private readonly gate: SendGate;
  private readonly clock: () => Date;

  constructor(private readonly options: BroadcasterOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.limits = options.limits ?? CHANNEL_LIMITS;
    this.connection = createRedis(options.redisUrl);
    this.connection.on('error', (error) => options.logger.warn({ err: error }, 'redis connection error'));
    this.gate = new SendGate(this.connection, options.prefix);
    for (const sender of options.senders) {
      if (!this.limits[sender.channel]) throw new Error(`no broadcast limits for channel ${sender.channel}`);
      this.senders.set(sender.channel, sender);
    }
    const channels = [...this.senders.keys(), ...(options.runtime ? [WEB] : [])];
    for (const channel of channels) {
      const queue = new Queue(broadcastQueueName(channel), {
        connection: this.connection,
        prefix: options.prefix,
      });
      this.queues.set(channel, queue);
    }
  }

  /** Sets the shared rate limits, puts every unfinished recipient back in the queues, starts the workers. */
  async start(): Promise<{ resumed: number }> {
    for (const [channel, queue] of this.queues) {
      const limit = this.limits[channel];
      if (limit) await queue.setGlobalRateLimit(limit.jobsPerInterval, limit.intervalMs);
    }
    const resumed = await this.resume();
    for (const channel of this.queues.keys()) this.startWorker(channel);
    return { resumed };
  }

  private startWorker(channel: string): void {
    const connection = this.connection.duplicate();
    this.workerConnections.push(connection);
    const worker = new Worker(broadcastQueueName(channel), (job) => this.process(channel, job), {
      connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency ?? 4,
      ...(this.options.stalledIntervalMs && { stalledInterval: this.options.stalledIntervalMs }),
      ...(this.options.lockDurationMs && { lockDuration: this.options.lockDurationMs }),
    });
    worker.on('failed', (job, error) =>
      this.options.logger.warn(
        { err: error, jobId: job?.id, queue: broadcastQueueName(channel) },
        'broadcast job failed',
      ),
    );
    worker.on('error', (error) => this.options.logger.warn({ err: error }, 'broadcast worker error'));
    this.workers.push(worker);
  }

  /** Every broadcast still running gets its open recipients enqueued again (existing job ids are kept). */
  async resume(): Promise<number> {
    let count = 0;
    for (const broadcastId of await runningBroadcasts(this.options.db)) {
      const open = await openRecipients(this.options.db, broadcastId);
      await this.enqueue(broadcastId, open);
      count += open.length;
    }
    if (count > 0) this.options.logger.info({ count }, 'broadcast recipients resumed from the database');
    return count;
  }

  async create(input: {
    createdBy: string;
    segment: BroadcastSegment;
    text: string;
  }): Promise<BroadcastProgress | undefined> {
    const created = await createBroadcast(this.options.db, {
      ...input,
      channels: [...this.queues.keys()],
      now: this.clock(),
    });
    if (!created) return undefined;
    const { broadcast, recipients } = created;
    this.options.logger.info({ broadcastId: broadcast.id, total: broadcast.total }, 'broadcast started');
    try {
      await this.enqueue(broadcast.id, recipients);
    } catch (error) {
      // The ledger has every recipient: the next start-up resumes them.
      this.options.logger.error({ err: error, broadcastId: broadcast.id }, 'could not enqueue a broadcast');
    }
    return this.toProgress(broadcast);
  }

  async progress(id: number): Promise<BroadcastProgress | undefined> {
    const broadcast = await getBroadcast(this.options.db, id);
    return broadcast && this.toProgress(broadcast);
  }

  /** Stops a running broadcast: queued jobs are removed; one already running finds it cancelled. */
  async cancel(id: number): Promise<BroadcastProgress | undefined> {
    if (await cancelBroadcast(this.options.db, id, this.clock())) {
      this.options.logger.info({ broadcastId: id }, 'broadcast cancelled');
      const open = await openRecipients(this.options.db, id);
      void this.removeJobs(id, open).catch((error: unknown) =>
        this.options.logger.warn({ err: error, broadcastId: id }, 'could not remove cancelled jobs'),
      );
    }
    return this.progress(id);
  }

  private async removeJobs(broadcastId: number, recipients: Recipient[]): Promise<void> {
    for (const recipient of recipients) {
      await this.queues.get(recipient.channel)?.remove(broadcastJobId(broadcastId, recipient.contactId));
    }
  }

  private toProgress(broadcast: Broadcast): BroadcastProgress {
    const started = broadcast.started_at ?? broadcast.created_at;
    const until = broadcast.finished_at ?? this.clock();
    const seconds = Math.max(0.001, (until.getTime() - started.getTime()) / 1000);
    return {
      id: broadcast.id,
      status: broadcast.status,
      createdBy: broadcast.created_by,
      segment: broadcast.segment,
      total: broadcast.total,
      sent: broadcast.sent,
      blocked: broadcast.blocked,
      failed: broadcast.failed,
      pending: broadcast.total - broadcast.sent - broadcast.blocked - broadcast.failed,
      startedAt: broadcast.started_at?.toISOString() ?? null,
      finishedAt: broadcast.finished_at?.toISOString() ?? null,
      messagesPerSecond: Number((broadcast.sent / seconds).toFixed(1)),
    };
  }

  private async enqueue(broadcastId: number, recipients: Recipient[]): Promise<void> {
    const attempts = this.options.attempts ?? 8;
    const backoff = { type: 'exponential', delay: this.options.backoffMs ?? 2_000 };
    for (const [channel, queue] of this.queues) {
      const jobs = recipients
        .filter((recipient) => recipient.channel === channel)
        .map((recipient) => ({
          name: JOB_NAME,
          data: { broadcastId, contactId: recipient.contactId } satisfies BroadcastJob,
          opts: {
            jobId: broadcastJobId(broadcastId, recipient.contactId),
            attempts,
            backoff,
            removeOnComplete: true,
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        }));
      for (let start = 0; start < jobs.length; start += ADD_CHUNK) {
        await queue.addBulk(jobs.slice(start, start + ADD_CHUNK));
      }
    }
  }

  private async process(channel: string, job: Job): Promise<void> {
    const { db } = this.options;
    const { broadcastId, contactId } = BroadcastJob.parse(job.data);
    const now = this.clock();
    const staleBefore = new Date(now.getTime() - (this.options.claimLeaseMs ?? 120_000));
    const claim = await claimRecipient(db, broadcastId, contactId, now, staleBefore);
    if (claim.kind === 'done') return;
    // Another worker is sending to this person right now; look again later (its row will be final by then).
    if (claim.kind === 'busy') throw new Error('recipient claimed by another worker');
    const base = { broadcastId, contactId };
    const { contact } = claim;
    if (!contact.active) {
      await this.finish({ ...base, status: 'blocked', at: this.clock(), error: 'inactive' });
      return;
    }
    if (channel === WEB) {
      await this.options.runtime?.sendSystemMessage(contactId, [
        { parts: [{ key: 'broadcast-message', args: { text: claim.text } }] },
      ]);
      await this.finish({ ...base, status: 'sent', at: this.clock() });
      return;
    }
    try {
      const partsSent = await this.sendParts(channel, contact, broadcastId, claim.text, claim.partsSent);
      await this.finish({ ...base, status: 'sent', at: this.clock(), partsSent, transcript: claim.text });
    } catch (error) {
      await this.onFailure(channel, job, base, contact, error);
    }
  }

  /** Sends the parts not sent yet; each part passes the shared gate, and each confirmed part is recorded. */
  private async sendParts(
    channel: string,
    contact: Contact,
    broadcastId: number,
    text: string,
    from: number,
  ): Promise<number> {
    const sender = this.senders.get(channel);
    const limit = this.limits[channel];
    if (!sender || !limit) throw new Error(`no sender for channel ${channel}`);
    const parts = sender.parts({ text }, contact);
    for (let index = from; index < parts.length; index++) {
      await this.passGate(channel, contact.id, limit);
      await sender.send(contact, parts[index], `bc${broadcastId}-${contact.id}-${index}`);
      if (index + 1 < parts.length)
        await recordPartsSent(this.options.db, broadcastId, contact.id, index + 1);
    }
    return parts.length;
  }

  private async passGate(channel: string, contactId: number, limit: SendLimit): Promise<void> {
    for (;;) {
      const wait = await this.gate.acquire(channel, contactId, limit);
      if (wait === 0) return;
      if (wait > MAX_INLINE_WAIT_MS) throw new MustWait(wait);
      await sleep(wait);
    }
  }

  private async onFailure(
    channel: string,
    job: Job,
    base: { broadcastId: number; contactId: number },
    contact: Contact,
    error: unknown,
  ): Promise<void> {
    const { db, logger } = this.options;
    const { broadcastId, contactId } = base;
    const failure = error instanceof DeliveryError ? error.failure : undefined;
    if (error instanceof MustWait || failure?.kind === 'retry-after') {
      const ms = error instanceof MustWait ? error.ms : failure?.kind === 'retry-after' ? failure.ms : 1000;
      // The platform said "slow down": every process holds back, not just this job — and at once, before
      // anything else, so that no other job passes the gate in the meantime.
      if (failure) await this.gate.pause(channel, ms);
      await this.queues.get(channel)?.rateLimit(ms);
      if (failure) logger.warn({ channel, ms }, 'broadcast rate limited by the platform: queue paused');
      await releaseRecipient(db, broadcastId, contactId, 'retry-after');
      throw Worker.RateLimitError();
    }
    if (failure?.kind === 'blocked') {
      logger.info({ contactId, channel }, 'broadcast recipient blocked the bot: marked inactive');
      await setContactActive(db, contact.id, false);
      await this.finish({ ...base, status: 'blocked', at: this.clock(), error: 'blocked' });
      return;
    }
    if (failure?.kind === 'rejected') {
      logger.error(
        { broadcastId, contactId, reason: (error as Error).message },
        'broadcast message rejected',
      );
      await this.finish({ ...base, status: 'failed', at: this.clock(), error: 'rejected' });
      return;
    }
    // Transient (network, 5xx, anything unexpected): BullMQ retries with backoff, until the last attempt.
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      await this.finish({ ...base, status: 'failed', at: this.clock(), error: 'transient' });
      return;
    }
    await releaseRecipient(db, broadcastId, contactId, 'transient');
    throw error;
  }

  private async finish(outcome: Outcome): Promise<void> {
    await finishRecipient(this.options.db, outcome);
  }

  /**
   * Graceful shutdown lets running jobs finish. `force` abandons them at once, as a crash would: their locks
   * expire and another worker takes the jobs over (tests use it to stand in for a killed process).
   */
  async close(options: { force?: boolean } = {}): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close(options.force)));
    for (const queue of this.queues.values()) await queue.close();
    for (const connection of this.workerConnections) connection.disconnect();
    this.connection.disconnect();
  }

  /** For tests and diagnostics. */
  queue(channel: string): Queue | undefined {
    return this.queues.get(channel);
  }
}
