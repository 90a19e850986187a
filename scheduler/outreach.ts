import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OutreachSweepResult } from '../bot/outreach-notices.ts';
import type { CenterProfile } from '../config/center.ts';
import { JOB_OPTIONS } from './jobs.ts';
import { createRedis } from './redis.ts';

export const OUTREACH_QUEUE = 'outreach';

/** Ids of the daily job schedulers: one tick at the day-before time, one at the morning time. */
export const OUTREACH_SCHEDULERS = { dayBefore: 'outreach-day-before', morning: 'outreach-morning' } as const;

export type OutreachSchedulerOptions = {
  redisUrl: string;
  prefix: string;
  center: CenterProfile;
  logger: Logger;
  /** Sends what is due now (bot/outreach-notices.ts); bound by the composition root. */
  sweep: () => Promise<OutreachSweepResult>;
  clock?: () => Date;
  /** Cron patterns instead of the profile's times (tests: every second). */
  patterns?: Partial<Record<keyof typeof OUTREACH_SCHEDULERS, string>>;
};

/** "18:00" → "0 18 * * *" (minute, hour; every day). */
export const dailyPattern = (time: string): string => {
  const [hour = '0', minute = '0'] = time.split(':');
  return `${Number(minute)} ${Number(hour)} * * *`;
};

/**
 * Outreach reminders on BullMQ job schedulers (issue 7): two daily ticks in the center's time zone (the
 * day-before time and the morning time). A tick only asks the sweep to send what is due — the database decides
 * what that is and whether it was sent — so ticks may repeat, run in two processes, or be missed: start-up runs
 * one sweep to catch up. When a sweep falls in quiet hours, a one-off sweep is scheduled for their end.
 */
export class OutreachScheduler {
  private readonly connection: Redis;
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private workerConnection: Redis | undefined;
  private readonly clock: () => Date;

  constructor(private readonly options: OutreachSchedulerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.connection = createRedis(options.redisUrl);
    this.connection.on('error', (error) => options.logger.warn({ err: error }, 'redis connection error'));
    this.queue = new Queue(OUTREACH_QUEUE, { connection: this.connection, prefix: options.prefix });
  }

  async start(): Promise<OutreachSweepResult> {
    const { center, patterns } = this.options;
    const times = {
      dayBefore: center.outreachReminders.dayBeforeAt,
      morning: center.outreachReminders.morningAt,
    };
    for (const kind of ['dayBefore', 'morning'] as const) {
      // Upsert: every process (and every restart) declares the same two schedulers; a changed time replaces it.
      await this.queue.upsertJobScheduler(
        OUTREACH_SCHEDULERS[kind],
        { pattern: patterns?.[kind] ?? dailyPattern(times[kind]), tz: center.timeZone },
        { name: 'tick', data: { kind }, opts: JOB_OPTIONS },
      );
    }
    this.workerConnection = this.connection.duplicate();
    this.worker = new Worker(OUTREACH_QUEUE, async () => this.runNow(), {
      connection: this.workerConnection,
      prefix: this.options.prefix,
      concurrency: 1,
    });
    this.worker.on('failed', (job, error) =>
      this.options.logger.error({ err: error, jobId: job?.id, queue: OUTREACH_QUEUE }, 'job failed'),
    );
    // Catch-up: a tick missed while the service or Redis was down, if still meaningful. A failure here must
    // not stop the service; the next tick sweeps again.
    try {
      return await this.runNow();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outreach catch-up failed; the next tick will retry');
      return { sent: 0 };
    }
  }

  /** Sends what is due now; in quiet hours, schedules a sweep for their end instead. */
  async runNow(): Promise<OutreachSweepResult> {
    const result = await this.options.sweep();
    if (result.postponedUntil) await this.sweepAt(result.postponedUntil);
    return result;
  }

  /** A one-off sweep at a moment; one job per moment however often it is asked for. */
  async sweepAt(at: Date): Promise<void> {
    await this.queue.add(
      'sweep',
      {},
      {
        jobId: `sweep-${at.getTime()}`,
        delay: Math.max(0, at.getTime() - this.clock().getTime()),
        ...JOB_OPTIONS,
      },
    );
  }

  /** A tick now, through the queue and worker (tests and diagnostics). */
  async trigger(): Promise<void> {
    await this.queue.add('tick', { kind: 'manual' }, JOB_OPTIONS);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    this.workerConnection?.disconnect();
    this.connection.disconnect();
  }

  /** For tests and diagnostics. */
  get outreachQueue(): Queue {
    return this.queue;
  }
}
