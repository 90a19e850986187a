import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import type { Desk } from '../../bot/desk.ts';
import type { Translator } from '../../bot/i18n.ts';
import type { HandleResult, Runtime } from '../../bot/runtime.ts';
import type { CenterProfile } from '../../config/center.ts';
import type { DispatcherDirectory } from '../../config/dispatchers.ts';
import type { Db } from '../../storage/db.ts';
import { fromTelegramUpdate, isIgnored, TelegramUpdateShape } from './inbound.ts';
import { TelegramSender } from './sender.ts';
import { StaffNotifier } from './staff.ts';
import { StaffDesk } from './staff-desk.ts';
import { StaffEraser } from './staff-erasure.ts';

export type TelegramChannelOptions = {
  token: string;
  apiRoot: string;
  mode: 'polling' | 'webhook';
  webhookUrl?: string;
  webhookSecret?: string;
  staffChatId?: string;
  runtime: Runtime;
  db: Db;
  center: CenterProfile;
  translator: Translator;
  logger: Logger;
  /** Dispatchers' operations and who may use them from the staff chat (buttons, replies). */
  desk?: Desk;
  directory?: DispatcherDirectory;
  /** Spacing of staff-chat posts (Telegram: ~20 per minute in a group); tests shorten it. */
  staffMinIntervalMs?: number;
};

export const WEBHOOK_PATH = '/telegram/webhook';
const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
const COMMANDS = ['start', 'menu', 'cancel', 'help', 'lang'] as const;

/**
 * The Telegram channel: receives updates by long polling or webhook, hands them to the runtime as neutral
 * updates, and supplies the sender used by the delivery loop and the staff-chat notifier. grammY is used for
 * the Bot API client and the polling loop only; everything it receives goes through `handleUpdate`.
 */
export class TelegramChannel {
  readonly bot: Bot;
  readonly sender: TelegramSender;
  readonly staff: StaffNotifier | undefined;
  readonly staffDesk: StaffDesk | undefined;
  /** Deletes the staff-chat posts about families who deleted their data (issue 12). */
  readonly staffEraser: StaffEraser | undefined;
  private polling: Promise<void> | undefined;
  private staffSweep: NodeJS.Timeout | undefined;

  constructor(private readonly options: TelegramChannelOptions) {
    const { token, apiRoot, translator, logger } = options;
    this.bot = new Bot(token, { client: { apiRoot } });
    this.bot.use(async (ctx) => {
      await this.handleUpdate(ctx.update);
    });
    this.bot.catch((error) => logger.error({ err: error.error }, 'telegram update handling failed'));
    // Sends get a short timeout of their own; the polling client keeps grammY's long one for getUpdates.
    const sendApi = new Api(token, { apiRoot, timeoutSeconds: 20 });
    this.sender = new TelegramSender(sendApi, translator);
    this.staff = options.staffChatId
      ? new StaffNotifier({
          db: options.db,
          api: sendApi,
          chatId: options.staffChatId,
          center: options.center,
          translator,
          logger,
          minIntervalMs: options.staffMinIntervalMs,
        })
      : undefined;
    this.staffEraser = options.staffChatId
      ? new StaffEraser({ db: options.db, api: sendApi, chatId: options.staffChatId, translator, logger })
      : undefined;
    this.staffDesk =
      this.staff && options.desk && options.directory && options.staffChatId
        ? new StaffDesk({
            db: options.db,
            api: sendApi,
            chatId: options.staffChatId,
            desk: options.desk,
            directory: options.directory,
            notifier: this.staff,
            translator,
            logger,
            timeZone: options.center.timeZone,
          })
        : undefined;
  }

  /** One update from either transport. A tapped button is acknowledged first so its spinner stops at once. */
  async handleUpdate(update: Update): Promise<HandleResult | undefined> {
    // Checked by shape before anything reads it (the staff desk too): a malformed update is ignored, not a 500.
    if (!TelegramUpdateShape.safeParse(update).success) {
      this.options.logger.debug('telegram update ignored: malformed');
      return undefined;
    }
    // The dispatchers' group: their buttons and replies, never the family conversation runtime.
    if (this.staffDesk?.owns(update)) {
      await this.staffDesk.handle(update, this.botId());
      return undefined;
    }
    if (update.callback_query) {
      // Not awaited: the acknowledgement must not add a Bot API round trip to every button press.
      void this.bot.api
        .answerCallbackQuery(update.callback_query.id)
        .catch((error: unknown) => this.options.logger.debug({ err: error }, 'answerCallbackQuery failed'));
    }
    const inbound = fromTelegramUpdate(update);
    if (isIgnored(inbound)) {
      this.options.logger.debug(
        { updateId: update.update_id, reason: inbound.ignored },
        'telegram update ignored',
      );
      return undefined;
    }
    return this.options.runtime.handle({ ...inbound, bot: this.botId() });
  }

  /** Update ids are numbered per bot: a re-created bot (new token, same database) must not look like a redelivery. */
  private botId(): string | undefined {
    return this.bot.isInited() ? String(this.bot.botInfo.id) : undefined;
  }

  /** The webhook route: the secret header is checked before anything else runs. */
  registerWebhook(app: FastifyInstance): void {
    const secret = Buffer.from(this.options.webhookSecret ?? '');
    app.post(WEBHOOK_PATH, async (request, reply) => {
      const header = request.headers['x-telegram-bot-api-secret-token'];
      const given = Buffer.from(typeof header === 'string' ? header : '');
      if (secret.length === 0 || given.length !== secret.length || !timingSafeEqual(given, secret)) {
        return reply.code(401).send({ error: 'unauthorized', message: 'wrong secret token' });
      }
      const body = request.body as Partial<Update> | undefined;
      if (!body || typeof body !== 'object' || !Number.isInteger(body.update_id)) {
        return reply.code(400).send({ error: 'bad_request', message: 'not a Telegram update' });
      }
      const result = await this.handleUpdate(body as Update);
      // Nothing stored at all (database down): ask Telegram to redeliver later. Otherwise the person already
      // has an answer (or an apology), and a redelivery would only repeat it.
      if (result?.status === 'failed' && result.contactId === undefined) return reply.code(500).send('');
      return reply.code(200).send('');
    });
  }

  /** getMe and, in webhook mode, setWebhook must work; the command list is a nicety that may fail. */
  async start(): Promise<void> {
    const { logger, mode } = this.options;
    await this.bot.init();
    await this.setCommands().catch((error: unknown) =>
      logger.warn({ err: error }, 'setMyCommands failed; the bot works without the command menu'),
    );
    if (mode === 'webhook') {
      await this.bot.api.setWebhook(this.options.webhookUrl ?? '', {
        secret_token: this.options.webhookSecret,
        allowed_updates: [...ALLOWED_UPDATES],
      });
      logger.info({ bot: this.bot.botInfo.username }, 'telegram webhook registered');
    } else {
      this.polling = this.bot
        .start({
          allowed_updates: [...ALLOWED_UPDATES],
          onStart: (me) => logger.info({ bot: me.username }, 'telegram polling started'),
        })
        .catch((error: unknown) => logger.error({ err: error }, 'telegram polling stopped with an error'));
    }
    if (this.staff) {
      const sweep = () => {
        void this.staff?.sweep().catch((error: unknown) => logger.warn({ err: error }, 'staff sweep failed'));
        void this.staffEraser
          ?.run()
          .catch((error: unknown) => logger.warn({ err: error }, 'staff-chat erasure sweep failed'));
      };
      sweep();
      this.staffSweep = setInterval(sweep, 60_000);
      this.staffSweep.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.staffSweep);
    if (this.polling) {
      await this.bot.stop();
      await this.polling;
    }
  }

  private async setCommands(): Promise<void> {
    const { translator } = this.options;
    for (const locale of ['ru', 'en'] as const) {
      const commands = COMMANDS.map((command) => ({
        command,
        description: translator.t(locale, { key: `command-${command}` }),
      }));
      await this.bot.api.setMyCommands(commands, locale === 'ru' ? {} : { language_code: locale });
    }
  }
}
