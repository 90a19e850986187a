import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { TelegramChannel } from '../adapters/telegram/channel.ts';
import { VkChannel } from '../adapters/vk/channel.ts';
import { type CenterProfile, loadCenterProfile } from '../config/center.ts';
import { type DispatcherDirectory, demoPassword, loadDispatchers } from '../config/dispatchers.ts';
import { type Env, staffAccessSettings } from '../config/env.ts';
import { centerIdOf, knowledgeDirOf, loadKnowledge } from '../config/knowledge.ts';
import { Understander } from '../domain/understanding/understand.ts';
import { Broadcaster } from '../scheduler/broadcasts.ts';
import { OutreachScheduler } from '../scheduler/outreach.ts';
import { RetentionJob } from '../scheduler/retention.ts';
import { type JobScheduler, noScheduler, Scheduler } from '../scheduler/scheduler.ts';
import { type Db, databaseOptions, migrateToLatest, openDatabase } from '../storage/db.ts';
import { searchKnowledge, syncKnowledge } from '../storage/knowledge.ts';
import { pruneProcessedUpdates } from '../storage/updates.ts';
import { pruneIdleWebContacts } from '../storage/web-sessions.ts';
import { warnIfTransfersMissing } from './calendar-check.ts';
import { type ChannelSender, Delivery } from './delivery.ts';
import { Desk } from './desk.ts';
import { createFollowUpHandler } from './follow-ups.ts';
import { Translator } from './i18n.ts';
import { navigatorOf } from './navigator.ts';
import { OutreachNotices } from './outreach-notices.ts';
import { createReminderHandler } from './reminders.ts';
import { Runtime } from './runtime.ts';
import { buildServer } from './server.ts';
import { auditStaffChat } from './staff-audit.ts';
import { understandingLayer } from './understanding.ts';

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
  /** The password of the "dispatcher" web account when no DISPATCHERS_FILE is used. */
  dispatcherPassword?: string;
  /** Where the generated demo password is kept (0600), when it was generated. */
  dispatcherPasswordFile?: string;
  close(): Promise<void>;
};

const DAY_MS = 24 * 3600 * 1000;

/** Knobs tests turn to keep runs short; production uses the defaults. */
export type ServiceTuning = {
  staffMinIntervalMs?: number;
  /** The runtime's and the outreach reminders' clock (tests move it to the day before a visit). */
  clock?: () => Date;
};

const training = new Map<string, Promise<Understander>>();
/** The classifier's data are files: trained once per process and set of files, shared by its services. */
const trainedUnderstander = (extraFiles: string[]): Promise<Understander> => {
  const key = extraFiles.join('\n');
  let trained = training.get(key);
  if (!trained) {
    trained = Understander.create({ extraFiles });
    training.set(key, trained);
  }
  return trained;
};

/** The composition root: everything is built here and nowhere else. */
export async function createService(env: Env, logger: Logger, tuning: ServiceTuning = {}): Promise<Service> {
  const center = await loadCenterProfile(env.CENTER_CONFIG);
  // Before anything is opened: production without configured dispatchers stops here, with a clear message.
  // Only a first run / the demo gets a generated password (production refuses to start without accounts).
  const generated =
    env.DISPATCHERS_FILE || env.DISPATCHER_PASSWORD || env.NODE_ENV === 'production'
      ? undefined
      : await demoPassword(env.DATA_DIR);
  const { directory, webPassword } = await loadDispatchers(
    env,
    generated?.password ?? randomBytes(12).toString('base64url'),
  );
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

  // Trained at start from nlu/*.yaml (well under two seconds, no network); the navigator from knowledge/.
  const understander = await trainedUnderstander(center.nluExtraFiles);
  const centerId = centerIdOf(env.CENTER_CONFIG);
  const knowledge = await loadKnowledge(knowledgeDirOf(center), { center });
  await syncKnowledge(db, knowledge);
  const runtime = new Runtime({
    db,
    center,
    translator,
    scheduler: jobs,
    logger,
    directory,
    clock: tuning.clock,
    understand: understandingLayer(understander, center, (tx, text, locale) =>
      searchKnowledge(tx, text, locale, { centerId }),
    ),
    navigator: navigatorOf(knowledge, centerId),
  });
  const desk = new Desk({ db, runtime, logger, center, scheduler: jobs, clock: tuning.clock });
  auditStaffChat(desk, db, logger, tuning.clock);
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
  // «Удалить мои данные»: the staff chat deletes its posts about the family at once (the sweep retries).
  const eraser = telegram?.staffEraser;
  if (eraser) {
    runtime.onDataErased(
      () =>
        void eraser.run().catch((error: unknown) => logger.warn({ err: error }, 'staff-chat erasure failed')),
    );
  }

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

  // Web chat rate limits shared by every process of the center (and kept across restarts).
  const rateLimitRedis = env.REDIS_URL
    ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;
  rateLimitRedis?.on('error', (error) => logger.warn({ err: error }, 'rate-limit Redis connection problem'));
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
    staffAccess: staffAccessSettings(env),
    trustProxy: env.TRUST_PROXY,
    redis: rateLimitRedis,
    redisPrefix: env.QUEUE_PREFIX,
    webLimits: {
      sessionsPerIp: env.WEB_SESSIONS_PER_IP,
      messagesPerSession: env.WEB_MESSAGES_PER_SESSION,
      messagesPerIp: env.WEB_MESSAGES_PER_IP,
      readsPerIp: env.WEB_READS_PER_IP,
      streamsPerSession: env.WEB_STREAMS_PER_SESSION,
      sessionIdleDays: env.WEB_SESSION_IDLE_DAYS,
    },
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
    // Idle anonymous web visitors: their sessions end, those who never consented are deleted.
    pruneIdleWebContacts(db, new Date(Date.now() - env.WEB_SESSION_IDLE_DAYS * DAY_MS))
      .then((pruned) => {
        if (pruned.deleted || pruned.ended) logger.info(pruned, 'idle web chat sessions ended');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'pruning idle web sessions failed'));
  }, 3600_000);
  pruning.unref();
  // Retention periods of the center profile (issue 12): a timer in every process, one run per day in the database.
  const retention = new RetentionJob({ db, center, logger, clock: tuning.clock });
  retention.start();

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
    dispatcherPasswordFile: generated?.file,
    async close() {
      clearInterval(pruning);
      await retention.stop();
      await telegram?.stop();
      await vk?.stop();
      await app.close();
      await delivery.stop();
      await outreach?.close();
      await broadcaster?.close();
      rateLimitRedis?.disconnect();
      await scheduler?.close();
      await db.destroy();
    },
  };
}
