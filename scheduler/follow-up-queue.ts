import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CenterProfile } from '../config/center.ts';
import { SURVEY_REMINDER_TOO_LATE_MS, surveyReminderMoment } from '../domain/follow-up.ts';
import type { Db } from '../storage/db.ts';
import { followUpsOwed } from '../storage/follow-ups.ts';
import { surveysAwaitingReminder } from '../storage/surveys.ts';
import {
  FOLLOW_UP_JOB_NAMES,
  FOLLOW_UP_KINDS,
  FollowUpJob,
  type FollowUpKind,
  JOB_OPTIONS,
  jobIds,
  QUEUES,
} from './jobs.ts';

/**
 * What a follow-up or survey-reminder job did. `postponeUntil`: not now (quiet hours, or the time was moved
 * later) — the same job waits until then, so its id stays the one and only job for that appeal or survey.
 */
export type FollowUpOutcome = { postponeUntil?: Date } | undefined;
export type FollowUpHandler = (kind: FollowUpKind, id: number) => Promise<FollowUpOutcome>;

export type FollowUpQueueOptions = {
  connection: Redis;
  prefix: string;
  db: Db;
  logger: Logger;
  clock: () => Date;
  center?: CenterProfile;
};

/**
 * The 'follow-ups' queue: the question after a visit (job `follow-up-<appealId>`) and the one survey reminder
 * (job `survey-reminder-<surveyId>`). Both are owed according to the database (ledger columns
 * appeals.follow_up_sent_at and surveys.reminded_at), which start-up reconciliation reads back.
 */
export class FollowUpQueue {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private workerConnection: Redis | undefined;
  private handler: FollowUpHandler | undefined;
  private started = false;

  constructor(private readonly options: FollowUpQueueOptions) {
    this.queue = new Queue(QUEUES.followUps, { connection: options.connection, prefix: options.prefix });
  }

  /** Jobs are processed only once a handler is bound (it needs the runtime, built after the scheduler). */
  onJob(handler: FollowUpHandler): void {
    this.handler = handler;
    if (this.started && !this.worker) this.startWorker();
  }

  start(): void {
    this.started = true;
    if (this.handler) this.startWorker();
  }

  private startWorker(): void {
    this.workerConnection = this.options.connection.duplicate();
    this.worker = new Worker(QUEUES.followUps, (job, token) => this.process(job, token), {
      connection: this.workerConnection,
      prefix: this.options.prefix,
      concurrency: 4,
    });
    this.worker.on('failed', (job, error) =>
      this.options.logger.error({ err: error, jobId: job?.id, queue: QUEUES.followUps }, 'job failed'),
    );
  }

  private delayUntil(at: Date): number {
    return Math.max(0, at.getTime() - this.options.clock().getTime());
  }

  /**
   * (Re)schedules an appeal's follow-up at `at`. A job waiting for another time is replaced; one that is
   * running right now cannot be, and finds the new time in the database and waits for it.
   */
  async scheduleFollowUp(appealId: number, at: Date): Promise<void> {
    const jobId = jobIds.followUp(appealId);
    // remove() leaves a locked (running) job alone and says so with 0; that is fine, see above.
    await this.queue.remove(jobId);
    await this.add('followUp', appealId, at);
  }

  async scheduleSurveyReminder(surveyId: number, at: Date): Promise<void> {
    await this.add('surveyReminder', surveyId, at);
  }

  private async add(kind: FollowUpKind, id: number, at: Date): Promise<void> {
    const data: FollowUpJob = { id };
    await this.queue.add(FOLLOW_UP_JOB_NAMES[kind], data, {
      jobId: kind === 'followUp' ? jobIds.followUp(id) : jobIds.surveyReminder(id),
      delay: this.delayUntil(at),
      ...JOB_OPTIONS,
    });
  }

  /** Re-creates every job the database says is owed; adding an existing id is a no-op. */
  async reconcile(): Promise<number> {
    const { db, center, logger } = this.options;
    const owed = await followUpsOwed(db);
    for (const appeal of owed) await this.add('followUp', appeal.id, appeal.followUpAt);
    let reminders = 0;
    if (center) {
      const now = this.options.clock().getTime();
      for (const survey of await surveysAwaitingReminder(db)) {
        const at = surveyReminderMoment(survey.sent_at, center);
        if (now - at.getTime() > SURVEY_REMINDER_TOO_LATE_MS) continue;
        await this.add('surveyReminder', survey.id, at);
        reminders++;
      }
    }
    if (owed.length + reminders > 0) {
      logger.info({ followUps: owed.length, surveyReminders: reminders }, 'reconciled follow-up jobs');
    }
    return owed.length + reminders;
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    const kind = FOLLOW_UP_KINDS.find((candidate) => FOLLOW_UP_JOB_NAMES[candidate] === job.name);
    if (!kind) throw new Error(`unknown job "${job.name}"`);
    const { id } = FollowUpJob.parse(job.data);
    if (!this.handler) throw new Error('no follow-up handler bound');
    const outcome = await this.handler(kind, id);
    if (outcome?.postponeUntil) {
      // The same job waits (DelayedError tells BullMQ it was moved, not failed): its id stays unique.
      await job.moveToDelayed(Date.now() + this.delayUntil(outcome.postponeUntil), token);
      throw new DelayedError();
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    this.workerConnection?.disconnect();
  }

  /** For tests and diagnostics. */
  get jobs(): Queue {
    return this.queue;
  }
}
