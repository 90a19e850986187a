import type { Api } from 'grammy';
import type { CallbackQuery, Message, Update } from 'grammy/types';
import type { Logger } from 'pino';
import type { Desk, DeskActor } from '../../bot/desk.ts';
import type { Translator } from '../../bot/i18n.ts';
import type { DispatcherDirectory } from '../../config/dispatchers.ts';
import type { Db } from '../../storage/db.ts';
import { appealOfStaffPost } from '../../storage/dispatch.ts';
import { claimUpdate } from '../../storage/updates.ts';
import { parseRouteCommand } from './route-command.ts';
import type { StaffNotifier } from './staff.ts';
import { parseStaffPayload } from './staff-keyboard.ts';

export type StaffDeskOptions = {
  db: Db;
  api: Api;
  chatId: string;
  desk: Desk;
  directory: DispatcherDirectory;
  notifier: StaffNotifier;
  translator: Translator;
  logger: Logger;
  /** The center's zone: "/route 26.11 14:30" is local time. */
  timeZone: string;
};

/**
 * The dispatchers' side of the Telegram staff chat: card buttons (take, called back, waiting, close with a
 * result, reopen) and replies. A dispatcher answers a family by *replying* to one of the bot's posts about
 * its appeal (the card, a family message, a status line); "/route …" in such a reply adds a route-sheet item.
 * Anything else said in the chat stays among staff.
 * Only configured dispatchers (by Telegram id) can act; everyone else is told so.
 */
export class StaffDesk {
  constructor(private readonly options: StaffDeskOptions) {}

  /** An update from the staff chat (not from a family's private chat). */
  owns(update: Update): boolean {
    const chat = update.callback_query?.message?.chat ?? update.message?.chat;
    return chat !== undefined && String(chat.id) === this.options.chatId;
  }

  /** `bot`: the receiving bot's getMe id (update ids are numbered per bot). */
  async handle(update: Update, bot?: string): Promise<void> {
    const { db, logger } = this.options;
    try {
      if (!(await claimUpdate(db, 'telegram', String(update.update_id), bot))) return;
      if (update.callback_query) await this.onTap(update.callback_query);
      else if (update.message) await this.onMessage(update.message);
    } catch (error) {
      logger.error({ err: error, updateId: update.update_id }, 'staff chat update failed');
    }
  }

  private actorOf(telegramId: number | undefined): DeskActor | undefined {
    const dispatcher = this.options.directory.byTelegramId(telegramId);
    return dispatcher ? { dispatcher, via: 'telegram' } : undefined;
  }

  private t(key: string): string {
    return this.options.translator.t('ru', { key });
  }

  private async answer(query: CallbackQuery, key: string, alert = false): Promise<void> {
    await this.options.api
      .answerCallbackQuery(query.id, { text: this.t(key), show_alert: alert })
      .catch((error: unknown) => this.options.logger.debug({ err: error }, 'answerCallbackQuery failed'));
  }

  private async onTap(query: CallbackQuery): Promise<void> {
    const { desk, notifier } = this.options;
    const tap = parseStaffPayload(query.data);
    if (!tap) return this.answer(query, 'staff-refused-not_found');
    const actor = this.actorOf(query.from.id);
    if (!actor) return this.answer(query, 'staff-not-dispatcher', true);
    const messageId = query.message?.message_id;
    switch (tap.verb) {
      case 'close':
        if (messageId !== undefined) await notifier.showResults(tap.appealId, messageId);
        return this.answer(query, 'staff-refused-result_required');
      case 'back':
        await notifier.refreshCard(tap.appealId);
        return this.answer(query, 'staff-done');
      case 'act':
      case 'result': {
        const result =
          tap.verb === 'act'
            ? await desk.act(tap.appealId, tap.action, actor)
            : await desk.act(tap.appealId, 'close', actor, { result: tap.result });
        if (result.ok) return this.answer(query, 'staff-done');
        // Someone else was quicker, or the tap was on an old keyboard: show the real state again.
        await notifier.refreshCard(tap.appealId).catch(() => undefined);
        return this.answer(query, `staff-refused-${result.reason}`, true);
      }
    }
  }

  private async onMessage(message: Message): Promise<void> {
    const { db, api, chatId, desk, logger } = this.options;
    const repliedTo = message.reply_to_message;
    if (!repliedTo || message.from?.is_bot) return;
    const appealId = await appealOfStaffPost(db, chatId, repliedTo.message_id);
    if (appealId === undefined) return; // staff talking among themselves
    const respond = (key: string) =>
      api
        .sendMessage(chatId, this.t(key), {
          reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
          ...(message.message_thread_id ? { message_thread_id: message.message_thread_id } : {}),
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'staff chat answer not sent'));
    const actor = this.actorOf(message.from?.id);
    if (!actor) return void (await respond('staff-not-dispatcher'));
    const text = message.text?.trim();
    if (!text) return void (await respond('staff-reply-text-only'));
    const route = parseRouteCommand(text, new Date(), this.options.timeZone);
    if (route) {
      if (!route.ok) return void (await respond('staff-route-usage'));
      const added = await desk.addRouteItem(appealId, actor, route.item);
      // Success shows as the mirrored "route item" line; a refusal is answered here.
      if (!added.ok) await respond(`staff-refused-${added.reason}`);
      return;
    }
    const result = await desk.reply(appealId, actor, text);
    if (!result.ok) return void (await respond(`staff-refused-${result.reason}`));
    // A quiet "sent" mark instead of another post (the group allows ~20 posts a minute).
    await api
      .setMessageReaction(chatId, message.message_id, [{ type: 'emoji', emoji: '👌' }])
      .catch((error: unknown) => logger.debug({ err: error }, 'reaction not set'));
  }
}
