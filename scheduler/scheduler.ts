import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CenterProfile } from '../config/center.ts';
import { reminderTimes } from '../domain/slots.ts';
import { appealsAwaitingContact, getAppeal, markOverdueIfStillWaiting } from '../storage/appeals.ts';
import { bookingsNeedingReminders } from '../storage/bookings.ts';
import type { Db } from '../storage/db.ts';
import { type FollowUpHandler, FollowUpQueue } from './follow-up-queue.ts';
import {
  BOOKING_REMINDER_KINDS,
  BookingReminderJob,
  type BookingReminderKind,
  CallbackDeadlineJob,
  JOB_OPTIONS,
  jobIds,
  QUEUES,
  REMINDER_JOB_NAMES,
  reminderKindOfJob,
} from './jobs.ts';
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
  /** Needed for booking reminders (their local times); without it no reminder is scheduled. */
  center?: CenterProfile;
};

/** The booking fields reminder times are computed from. */
/** Tells dispatchers about a callback promise: due in 30 minutes, or missed (escalation). */
export type SlaHandler = (kind: 'dueSoon' | 'overdue', appealId: number) => Promise<void>;
const DUE_SOON_MS = 30 * 60_000;

export type ReminderBooking = { id: number; startsAt: Date; endsAt: Date; createdAt: Date };

/** Sends one reminder of a booking; bound late by the composition root (it needs the runtime). */
export type BookingReminderHandler = (kind: BookingReminderKind, bookingId: number) => Promise<void>;

/** What the runtime needs from the scheduler; a no-op twin exists for running without Redis. */
export type JobScheduler = {
  scheduleCallbackDeadline(appealId: number, dueAt: Date): Promise<void>;
  /** Day-before and 2-hour reminders and the attendance question; idempotent per booking. */
  scheduleBookingReminders(booking: ReminderBooking): Promise<void>;
  /** Removes a booking's pending reminder jobs (cancelled or rescheduled). */
  cancelBookingReminders(bookingId: number): Promise<void>;
  /** The question after a visit (job follow-up-<appealId>); a new time replaces a waiting job. */
  scheduleFollowUp?(appealId: number, at: Date): Promise<void>;
  /** The one reminder of an unfinished survey (job survey-reminder-<surveyId>). */
  scheduleSurveyReminder?(surveyId: number, at: Date): Promise<void>;
};

const DAY_MS = 24 * 3600 * 1000;

/** Ledger columns of the bookings table, per reminder kind. */
const LEDGER = {
  dayBefore: 'reminded_day_before_at',
  twoHours: 'reminded_two_hours_at',
  attendance: 'attendance_asked_at',
} as const satisfies Record<BookingReminderKind, string>;

export class Scheduler implements JobScheduler {
  private readonly connection: Redis;
  private readonly sla: Queue;
  private readonly reminders: Queue;
  private worker: Worker | undefined;
  private reminderWorker: Worker | undefined;
  private workerConnection: Redis | undefined;
  private reminderConnection: Redis | undefined;
  private started = false;
  private readonly clock: () => Date;
  private slaHandler: SlaHandler | undefined;
  private reminderHandler: BookingReminderHandler | undefined;
  private readonly followUps: FollowUpQueue;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.connection = createRedis(options.redisUrl);
    this.connection.on('error', (error) => options.logger.warn({ err: error }, 'redis connection error'));
    this.sla = new Queue(QUEUES.sla, { connection: this.connection, prefix: options.prefix });
    this.reminders = new Queue(QUEUES.reminders, { connection: this.connection, prefix: options.prefix });
    this.followUps = new FollowUpQueue({ ...options, connection: this.connection, clock: this.clock });
  }

  /** Binds what sends a follow-up question or a survey reminder (late: it needs the runtime). */
  onFollowUp(handler: FollowUpHandler): void {
    this.followUps.onJob(handler);
  }

  scheduleFollowUp(appealId: number, at: Date): Promise<void> {
    return this.followUps.scheduleFollowUp(appealId, at);
  }

  scheduleSurveyReminder(surveyId: number, at: Date): Promise<void> {
    return this.followUps.scheduleSurveyReminder(surveyId, at);
  }

  /**
   * Binds what sends a booking reminder. Reminder jobs are processed only once a handler is bound, so a job
   * due while the service is still starting waits in Redis instead of failing.
   */
  /** Binds what tells dispatchers that a callback is due soon or was missed (the staff chat). */
  onSla(handler: SlaHandler): void {
    this.slaHandler = handler;
  }

  onBookingReminder(handler: BookingReminderHandler): void {
    this.reminderHandler = handler;
    if (this.started && !this.reminderWorker) this.startReminderWorker();
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
    this.started = true;
    if (this.reminderHandler) this.startReminderWorker();
    this.followUps.start();
    return { reconciled };
  }

  private startReminderWorker(): void {
    this.reminderConnection = this.connection.duplicate();
    this.reminderWorker = new Worker(QUEUES.reminders, (job) => this.processReminder(job.name, job.data), {
      connection: this.reminderConnection,
      prefix: this.options.prefix,
      concurrency: 4,
    });
    this.reminderWorker.on('failed', (job, error) =>
      this.options.logger.error({ err: error, jobId: job?.id, queue: QUEUES.reminders }, 'job failed'),
    );
  }

  async scheduleCallbackDeadline(appealId: number, dueAt: Date): Promise<void> {
    const data: CallbackDeadlineJob = { appealId };
    await this.sla.add('callback-deadline', data, {
      jobId: jobIds.callbackDeadline(appealId),
      delay: Math.max(0, dueAt.getTime() - this.clock().getTime()),
      ...JOB_OPTIONS,
    });
    // A nudge to dispatchers before the promise runs out; not worth sending once the moment has passed.
    const soon = dueAt.getTime() - DUE_SOON_MS - this.clock().getTime();
    if (soon > 0) {
      await this.sla.add('callback-due-soon', data, {
        jobId: jobIds.callbackDueSoon(appealId),
        delay: soon,
        ...JOB_OPTIONS,
      });
    }
  }

  async scheduleBookingReminders(booking: ReminderBooking): Promise<void> {
    await this.addReminderJobs(booking, BOOKING_REMINDER_KINDS);
  }

  async cancelBookingReminders(bookingId: number): Promise<void> {
    // A job already running is not removed (it is locked); the handler finds the booking no longer confirmed.
    for (const kind of BOOKING_REMINDER_KINDS)
      await this.reminders.remove(jobIds.bookingReminder(kind, bookingId));
  }

  /**
   * Reminder times come from the center profile (local hours, never at night), relative to when the booking
   * was made. A reminder whose time has passed is dropped — except the attendance question, still worth
   * asking within a day. Returns how many jobs were added (or already existed).
   */
  private async addReminderJobs(
    booking: ReminderBooking,
    kinds: readonly BookingReminderKind[],
  ): Promise<number> {
    const center = this.options.center;
    if (!center) {
      this.options.logger.warn(
        { bookingId: booking.id },
        'no center profile: booking reminders not scheduled',
      );
      return 0;
    }
    const times = reminderTimes(center, booking, booking.createdAt);
    const at: Record<BookingReminderKind, Date | undefined> = {
      dayBefore: times.dayBefore,
      twoHours: times.twoHoursBefore,
      attendance: times.attendanceCheck,
    };
    const now = this.clock().getTime();
    let added = 0;
    for (const kind of kinds) {
      const time = at[kind]?.getTime();
      if (time === undefined) continue;
      const delay = time - now;
      if (delay < 0 && (kind !== 'attendance' || -delay >= DAY_MS)) continue;
      const data: BookingReminderJob = { bookingId: booking.id };
      await this.reminders.add(REMINDER_JOB_NAMES[kind], data, {
        jobId: jobIds.bookingReminder(kind, booking.id),
        delay: Math.max(0, delay),
        ...JOB_OPTIONS,
      });
      added++;
    }
    return added;
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
    return waiting.length + (await this.reconcileReminders()) + (await this.followUps.reconcile());
  }

  /** Confirmed bookings get back every reminder job whose ledger column says it was not sent yet. */
  private async reconcileReminders(): Promise<number> {
    if (!this.options.center) return 0;
    let jobs = 0;
    for (const booking of await bookingsNeedingReminders(this.options.db, this.clock())) {
      if (booking.contact_id === null) continue;
      const pending = BOOKING_REMINDER_KINDS.filter((kind) => booking[LEDGER[kind]] === null);
      jobs += await this.addReminderJobs(
        {
          id: booking.id,
          startsAt: booking.starts_at,
          endsAt: booking.ends_at,
          createdAt: booking.created_at,
        },
        pending,
      );
    }
    if (jobs > 0)
      this.options.logger.info({ count: jobs }, 'reconciled booking reminder jobs from the database');
    return jobs;
  }

  private async process(name: string, raw: unknown): Promise<void> {
    const { appealId } = CallbackDeadlineJob.parse(raw);
    if (name === 'callback-due-soon') {
      const appeal = await getAppeal(this.options.db, appealId);
      if (appeal?.status === 'new' && !appeal.callback_done_at) await this.slaHandler?.('dueSoon', appealId);
      return;
    }
    if (name !== 'callback-deadline') throw new Error(`unknown job "${name}"`);
    const flagged = await markOverdueIfStillWaiting(this.options.db, appealId, this.clock());
    if (!flagged) return;
    this.options.logger.warn({ appealId }, 'callback promise missed: appeal flagged overdue');
    await this.options.onOverdue?.(appealId);
    await this.slaHandler?.('overdue', appealId);
  }

  private async processReminder(name: string, raw: unknown): Promise<void> {
    const kind = reminderKindOfJob(name);
    if (!kind) throw new Error(`unknown job "${name}"`);
    const { bookingId } = BookingReminderJob.parse(raw);
    if (!this.reminderHandler) throw new Error('no booking reminder handler bound');
    await this.reminderHandler(kind, bookingId);
  }

  /** Graceful shutdown: lets running jobs finish, then closes connections. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.reminderWorker?.close();
    await this.followUps.close();
    await this.sla.close();
    await this.reminders.close();
    this.workerConnection?.disconnect();
    this.reminderConnection?.disconnect();
    this.connection.disconnect();
  }

  /** For tests and diagnostics. */
  get queue(): Queue {
    return this.sla;
  }

  /** For tests and diagnostics. */
  get reminderQueue(): Queue {
    return this.reminders;
  }

  /** For tests and diagnostics. */
  get followUpQueue(): Queue {
    return this.followUps.jobs;
  }
}

/** Used when no Redis is available: the database still holds every deadline, reconciled on the next start. */
export const noScheduler: JobScheduler = {
  async scheduleCallbackDeadline() {},
  async scheduleBookingReminders() {},
  async cancelBookingReminders() {},
};
