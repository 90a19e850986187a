import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { appealsAwaitingContact, markOverdueIfStillWaiting } from '../storage/appeals.ts';
import type { Db } from '../storage/db.ts';
import { CallbackDeadlineJob, jobIds, QUEUES } from './jobs.ts';
import { checkEvictionPolicy, createRedis } from './redis.ts';

export type SchedulerOptions = {
  redisUrl: string;
  /** Key prefix; tests use a unique one per test so queues never collide. */
  prefix: string;
  db: Db;
  logger: Logger;
  clock?: () => Date;
  /** Called when an appeal's callback promise was missed (issue 6 notifies dispatchers from here). */
  onOverdue?: (appealId: number) => Promise<void> | void;
};

/** What the runtime needs from the scheduler; a no-op twin exists for running without Redis. */
export type JobScheduler = {
  scheduleCallbackDeadline(appealId: number, dueAt: Date): Promise<void>;
};

export class Scheduler implements JobScheduler {
  private readonly connection: Redis;
  private readonly sla: Queue;
  private worker: Worker | undefined;
  private workerConnection: Redis | undefined;
  private readonly clock: () => Date;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.connection = createRedis(options.redisUrl);
    this.connection.on('error', (error) => options.logger.warn({ err: error }, 'redis connection error'));
    this.sla = new Queue(QUEUES.sla, { connection: this.connection, prefix: options.prefix });
  }

  /** Checks Redis, re-creates any job the database says must exist, then starts processing. */
  async start(): Promise<{ reconciled: number }> {
    await checkEvictionPolicy(this.connection, this.options.logger);
    const reconciled = await this.reconcile();
    this.workerConnection = this.connection.duplicate();
    this.worker = new Worker(QUEUES.sla, (job) => this.process(job.name, job.data), {
      connection: this.workerConnection,
      prefix: this.options.prefix,
      concurrency: 4,
    });
    this.worker.on('failed', (job, error) =>
      this.options.logger.error({ err: error, jobId: job?.id, queue: QUEUES.sla }, 'job failed'),
    );
    return { reconciled };
  }

  async scheduleCallbackDeadline(appealId: number, dueAt: Date): Promise<void> {
    const data: CallbackDeadlineJob = { appealId };
    await this.sla.add('callback-deadline', data, {
      jobId: jobIds.callbackDeadline(appealId),
      delay: Math.max(0, dueAt.getTime() - this.clock().getTime()),
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  /**
   * The database is the source of truth: after Redis lost its data (restart without persistence, flush),
   * every appeal still waiting for a callback gets its deadline job back. Adding an existing id is a no-op.
   */
  async reconcile(): Promise<number> {
    const waiting = await appealsAwaitingContact(this.options.db);
    for (const appeal of waiting) await this.scheduleCallbackDeadline(appeal.id, appeal.callbackDueAt);
    if (waiting.length > 0)
      this.options.logger.info({ count: waiting.length }, 'reconciled SLA jobs from the database');
    return waiting.length;
  }

  private async process(name: string, raw: unknown): Promise<void> {
    if (name !== 'callback-deadline') throw new Error(`unknown job "${name}"`);
    const { appealId } = CallbackDeadlineJob.parse(raw);
    const flagged = await markOverdueIfStillWaiting(this.options.db, appealId, this.clock());
    if (!flagged) return;
    this.options.logger.warn({ appealId }, 'callback promise missed: appeal flagged overdue');
    await this.options.onOverdue?.(appealId);
  }

  /** Graceful shutdown: lets running jobs finish, then closes connections. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.sla.close();
    this.workerConnection?.disconnect();
    this.connection.disconnect();
  }

  /** For tests and diagnostics. */
  get queue(): Queue {
    return this.sla;
  }
}

/** Used when no Redis is available: the database still holds every deadline, reconciled on the next start. */
export const noScheduler: JobScheduler = {
  async scheduleCallbackDeadline() {},
};
