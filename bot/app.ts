import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { TelegramChannel } from '../adapters/telegram/channel.ts';
import { VkChannel } from '../adapters/vk/channel.ts';
import { type CenterProfile, loadCenterProfile } from '../config/center.ts';
import { type DispatcherDirectory, loadDispatchers } from '../config/dispatchers.ts';
import type { Env } from '../config/env.ts';
import { Broadcaster } from '../scheduler/broadcasts.ts';
import { OutreachScheduler } from '../scheduler/outreach.ts';
import { type JobScheduler, noScheduler, Scheduler } from '../scheduler/scheduler.ts';
import { type Db, databaseOptions, migrateToLatest, openDatabase } from '../storage/db.ts';
import { pruneProcessedUpdates } from '../storage/updates.ts';
import { warnIfTransfersMissing } from './calendar-check.ts';
import { type ChannelSender, Delivery } from './delivery.ts';
import { Desk } from './desk.ts';
import { createFollowUpHandler } from './follow-ups.ts';
import { Translator } from './i18n.ts';
import { OutreachNotices } from './outreach-notices.ts';
import { createReminderHandler } from './reminders.ts';
import { Runtime } from './runtime.ts';
import { buildServer } from './server.ts';

export type Service = {
  app: FastifyInstance;
  db: Db;
  runtime: Runtime;
  center: CenterProfile;
  scheduler?: Scheduler;
  /** Outreach reminders (issue 7); only with Redis. */
  outreach?: OutreachScheduler;
  outreachNotices: OutreachNotices;
  broadcaster?: Broadcaster;
  telegram?: TelegramChannel;
  vk?: VkChannel;
  delivery: Delivery;
  directory: DispatcherDirectory;
  desk: Desk;
  /** The password of the "dispatcher" web account when no DISPATCHERS_FILE is used (printed at start). */
  dispatcherPassword?: string;
  close(): Promise<void>;
};

const DAY_MS = 24 * 3600 * 1000;

/** Knobs tests turn to keep runs short; production uses the defaults. */
export type ServiceTuning = {
  staffMinIntervalMs?: number;
  /** The runtime's and the outreach reminders' clock (tests move it to the day before a visit). */
  clock?: () => Date;
};

/** The composition root: everything is built here and nowhere else. */
export async function createService(env: Env, logger: Logger, tuning: ServiceTuning = {}): Promise<Service> {
  const center = await loadCenterProfile(env.CENTER_CONFIG);
  warnIfTransfersMissing(center, logger, (tuning.clock ?? (() => new Date()))());
  const db = await openDatabase(databaseOptions(env), (error) =>
    logger.warn({ err: error }, 'idle database connection lost; it will be replaced'),
  );
  await migrateToLatest(db);
  const translator = new Translator((key, error) => logger.warn({ key, err: error }, 'translation problem'));

  let scheduler: Scheduler | undefined;
  let jobs: JobScheduler = noScheduler;
  if (env.REDIS_URL) {
    scheduler = new Scheduler({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX, db, logger, center });
    const { reconciled } = await scheduler.start();
    logger.info({ reconciled }, 'scheduler started');
    jobs = scheduler;
  } else {
    logger.warn(
      'REDIS_URL is not set: reminders and SLA timers are NOT running. Deadlines are kept in the database and ' +
        'will be scheduled on the next start with Redis (install it: apt-get install redis-server).',
    );
  }

  const { directory, webPassword } = await loadDispatchers(env, randomBytes(9).toString('base64url'));
  const runtime = new Runtime({
    db,
    center,
    translator,
    scheduler: jobs,
    logger,
    directory,
    clock: tuning.clock,
  });
  const desk = new Desk({ db, runtime, logger, center, scheduler: jobs, clock: tuning.clock });
  const outreachNotices = new OutreachNotices({ db, center, runtime, logger, clock: tuning.clock });
  const outreach = env.REDIS_URL
    ? new OutreachScheduler({
        redisUrl: env.REDIS_URL,
        prefix: env.QUEUE_PREFIX,
        center,
        logger,
        sweep: () => outreachNotices.sweep(),
        clock: tuning.clock,
      })
    : undefined;
  // Bound late: reminders are sent through the runtime, which itself schedules them.
  scheduler?.onBookingReminder(createReminderHandler({ db, center, runtime, logger }));
  scheduler?.onFollowUp(createFollowUpHandler({ db, center, runtime, logger }));

  const senders: ChannelSender[] = [];
  const telegram = env.TELEGRAM_BOT_TOKEN
    ? new TelegramChannel({
        token: env.TELEGRAM_BOT_TOKEN,
        apiRoot: env.TELEGRAM_API_ROOT,
        mode: env.TELEGRAM_MODE,
        webhookUrl: env.TELEGRAM_WEBHOOK_URL,
        webhookSecret: env.TELEGRAM_WEBHOOK_SECRET,
        staffChatId: env.TELEGRAM_STAFF_CHAT_ID,
        runtime,
        db,
        center,
        translator,
        logger,
        staffMinIntervalMs: tuning.staffMinIntervalMs,
        desk,
        directory,
      })
    : undefined;
  if (telegram) senders.push(telegram.sender);
  const vk =
    env.VK_GROUP_TOKEN && env.VK_GROUP_ID
      ? new VkChannel({
          token: env.VK_GROUP_TOKEN,
          groupId: env.VK_GROUP_ID,
          apiBaseUrl: env.VK_API_BASE_URL,
          mode: env.VK_MODE,
          callbackSecret: env.VK_CALLBACK_SECRET,
          confirmationCode: env.VK_CONFIRMATION_CODE,
          runtime,
          db,
          logger,
        })
      : undefined;
  if (vk) senders.push(vk.sender);
  // Push channels deliver from the database ledger; the web chat reads the same table over SSE.
  const delivery = new Delivery({ db, logger, senders });
  runtime.onOutbound((channel, _externalId, contactId) => {
    if (delivery.handles(channel)) void delivery.deliver(contactId);
  });
  const staff = telegram?.staff;
  if (staff) runtime.onAppealRegistered((appealId) => void staff.notify(appealId));
  if (staff) runtime.onUrgent((alert) => void staff.notifyUrgent(alert));
  // The two desks stay in step: web actions and replies show in the staff chat, and so do the family's words.
  if (staff) desk.onChange((change) => void staff.mirror(change));
  if (staff) runtime.onFamilyMessage((message) => void staff.postFamilyMessage(message));
  if (staff) runtime.onProgress((appealId, answer) => void staff.notifyProgress(appealId, answer));
  // Escalation: dispatchers are nudged before a callback promise runs out and told when it was missed.
  if (staff) scheduler?.onSla((kind, appealId) => staff.notifySla(kind, appealId));

  // Staff broadcasts: per-channel queues whose rate limits live in Redis, shared by every process.
  let broadcaster: Broadcaster | undefined;
  if (env.REDIS_URL) {
    broadcaster = new Broadcaster({
      redisUrl: env.REDIS_URL,
      prefix: env.QUEUE_PREFIX,
      db,
      logger,
      senders,
      runtime,
    });
    const { resumed } = await broadcaster.start();
    logger.info({ resumed }, 'broadcasts started');
  }

  const app = await buildServer({
    runtime,
    db,
    translator,
    center,
    logger,
    directory,
    desk,
    scheduler: jobs,
    outreachNotify: () => (outreach ? outreach.runNow() : outreachNotices.sweep()),
    clock: tuning.clock,
    broadcasts: broadcaster,
  });
  if (telegram && env.TELEGRAM_MODE === 'webhook') telegram.registerWebhook(app);
  if (vk && env.VK_MODE === 'callback') vk.registerCallback(app);
  await telegram?.start();
  await vk?.start();
  delivery.start();
  // After delivery: the start-up catch-up may send reminders at once.
  if (outreach) {
    const { sent } = await outreach.start();
    logger.info({ sent }, 'outreach reminders started');
  }
  const pruning = setInterval(() => {
    pruneProcessedUpdates(db, new Date(Date.now() - DAY_MS)).catch((error: unknown) =>
      logger.warn({ err: error }, 'pruning processed updates failed'),
    );
  }, 3600_000);
  pruning.unref();

  return {
    app,
    db,
    runtime,
    center,
    scheduler,
    outreach,
    outreachNotices,
    broadcaster,
    telegram,
    vk,
    delivery,
    directory,
    desk,
    dispatcherPassword: webPassword,
    async close() {
      clearInterval(pruning);
      await telegram?.stop();
      await vk?.stop();
      await app.close();
      await delivery.stop();
      await outreach?.close();
      await broadcaster?.close();
      await scheduler?.close();
      await db.destroy();
    },
  };
}
