import type { Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { DeskChange } from '../../bot/desk.ts';
import type { Translator } from '../../bot/i18n.ts';
import { KeyedLock } from '../../bot/keyed-lock.ts';
import type { FamilyMessage, UrgentAlert } from '../../bot/runtime.ts';
import { staffCard } from '../../bot/staff-card.ts';
import { splitText } from '../../bot/text.ts';
import type { CenterProfile } from '../../config/center.ts';
import { relativeMomentArgs } from '../../domain/moments.ts';
import type { Db } from '../../storage/db.ts';
import {
  countUrgentAttempt,
  getUrgentAlert,
  markUrgentPost,
  markUrgentPosted,
  openUrgentAppealsOf,
  recordStaffPost,
  unpostedUrgentAlerts,
} from '../../storage/dispatch.ts';
import type { Appeal } from '../../storage/schema.ts';
import { MAX_TEXT } from './render.ts';
import { classifyTelegramError } from './sender.ts';
import { cardKeyboard, resultKeyboard } from './staff-keyboard.ts';

export type StaffNotifierOptions = {
  db: Db;
  api: Api;
  chatId: string;
  center: CenterProfile;
  translator: Translator;
  logger: Logger;
  /** Telegram allows ~20 messages a minute in a group: posts are spaced at least this far apart. */
  minIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** During a flood of crisis alerts (this many own posts within the window) the rest go into one summary. */
  urgentFloodCap?: number;
  urgentFloodWindowMs?: number;
};

type UrgentRow = NonNullable<Awaited<ReturnType<typeof getUrgentAlert>>>;
type UrgentAppeal = Awaited<ReturnType<typeof openUrgentAppealsOf>>[number];

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts each new appeal's card to the dispatchers' Telegram chat, once. In a forum supergroup each appeal gets
 * its own topic, so the conversation about one family stays in one place. The appeal row is the ledger: the
 * topic id is stored as soon as the topic exists and the card's message id once it is posted, so a retry
 * (after 429, a crash, a restart) neither loses the card nor posts it twice.
 */
export class StaffNotifier {
  private readonly queue = new KeyedLock();
  private readonly urgentQueue = new KeyedLock();
  private isForum: boolean | undefined;
  private lastPostAt = 0;
  /** The flood summary post of the current window, edited as more alerts arrive. */
  private urgentSummary: { messageId: number; count: number; since: number } | undefined;
  /** When the recent crisis posts of their own went out (in memory: the flood cap is per process). */
  private ownUrgentPosts: number[] = [];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: StaffNotifierOptions) {
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Queued behind other posts (one staff chat, one rate limit); failures are logged and left to the sweep. */
  notify(appealId: number): Promise<void> {
    return this.queue.run('staff-chat', () =>
      this.post(appealId).catch((error: unknown) =>
        this.options.logger.warn({ err: error, appealId }, 'staff card not posted yet; will retry'),
      ),
    );
  }

  /**
   * A crisis signal: posted at once, not queued behind cards and not spaced (a 429 is still waited out as
   * Telegram asks). Only the signal, the channel and the contact number — never the message, never a name: the
   * family may not have consented to anything yet. Into the chat itself, not into an appeal's topic. The alert
   * row is an outbox: marked when posted; a failed post is retried by the sweep (every minute).
   * One alert per contact: a repeat edits the alert's post (its count) instead of posting again. A flood (more
   * than `urgentFloodCap` own posts within a minute) goes into one summary post pointing to the inbox, edited
   * as it grows — every alert still reaches the chat, none is dropped, and real alerts do not drown.
   * All crisis posts share one queue, so the flood count is exact and edits of one alert coalesce.
   */
  notifyUrgent(alert: UrgentAlert): Promise<void> {
    return this.urgentQueue.run('urgent', async () => {
      // Together: one round trip before the post, so the alert is not held up behind the family's replies.
      const [row, appeals] = await Promise.all([
        getUrgentAlert(this.options.db, alert.id),
        openUrgentAppealsOf(this.options.db, alert.contactId),
      ]);
      if (!row) return;
      if (!row.posted_at) return this.postUrgent(row, appeals);
      if (row.summarized || !row.staff_message_id || row.repeat_count <= row.posted_repeat_count) return;
      await this.editUrgent(row, appeals);
    });
  }

  private urgentText(row: UrgentRow, appeals: UrgentAppeal[]): string {
    const { translator, center } = this.options;
    const alert = translator.t('ru', {
      key: 'staff-urgent',
      args: { signal: row.signal, channel: row.channel, contact: String(row.contact_id ?? '—') },
    });
    // The family's open appeals, now urgent: by number only (never a name or the text).
    const text =
      appeals.length === 0
        ? alert
        : `${alert}\n${translator.t('ru', {
            key: 'staff-urgent-appeals',
            args: { numbers: appeals.map((appeal) => appeal.number ?? String(appeal.id)).join(', ') },
          })}`;
    if (row.repeat_count === 0) return text;
    const time = DateTime.fromJSDate(row.last_seen_at ?? row.created_at)
      .setZone(center.timeZone)
      .toFormat('HH:mm');
    const repeats = translator.t('ru', {
      key: 'staff-urgent-repeats',
      args: { count: row.repeat_count, time },
    });
    return `${text}\n${repeats}`;
  }

  private async postUrgent(row: UrgentRow, appeals: UrgentAppeal[]): Promise<void> {
    const { db, api, chatId, logger } = this.options;
    const now = new Date();
    await countUrgentAttempt(db, row.id);
    try {
      const windowMs = this.options.urgentFloodWindowMs ?? 60_000;
      this.ownUrgentPosts = this.ownUrgentPosts.filter((at) => now.getTime() - at < windowMs);
      if (this.ownUrgentPosts.length >= (this.options.urgentFloodCap ?? 5)) {
        await this.summariseUrgent(row, now, windowMs);
        return;
      }
      const sent = await this.call(() => api.sendMessage(chatId, this.urgentText(row, appeals)), {
        spaced: false,
      });
      this.ownUrgentPosts.push(now.getTime());
      await markUrgentPosted(db, row.id, now);
      await markUrgentPost(db, row.id, { messageId: sent.message_id, repeatCount: row.repeat_count });
      logger.info({ contactId: row.contact_id, signal: row.signal }, 'urgent alert posted to the staff chat');
      for (const appeal of appeals) await this.showUrgentOnCard(appeal.id);
    } catch (error) {
      logger.error(
        { err: error, contactId: row.contact_id, signal: row.signal, attempts: row.attempts + 1 },
        'urgent alert NOT posted to the staff chat yet; the sweep retries it',
      );
    }
  }

  /** «Ещё N срочных сигналов…»: one post per flood window, its count edited; the alert is marked only after. */
  private async summariseUrgent(row: UrgentRow, now: Date, windowMs: number): Promise<void> {
    const { db, api, chatId, translator, logger } = this.options;
    const current =
      this.urgentSummary && now.getTime() - this.urgentSummary.since < windowMs
        ? this.urgentSummary
        : undefined;
    const count = (current?.count ?? 0) + 1;
    const text = translator.t('ru', { key: 'staff-urgent-summary', args: { count } });
    if (current) {
      await this.call(() => api.editMessageText(chatId, current.messageId, text), { spaced: false });
      current.count = count;
    } else {
      const sent = await this.call(() => api.sendMessage(chatId, text), { spaced: false });
      this.urgentSummary = { messageId: sent.message_id, count, since: now.getTime() };
    }
    await markUrgentPosted(db, row.id, now);
    await markUrgentPost(db, row.id, { repeatCount: row.repeat_count, summarized: true });
    logger.warn({ contactId: row.contact_id, signal: row.signal, count }, 'urgent alert summarised (flood)');
  }

  private async editUrgent(row: UrgentRow, appeals: UrgentAppeal[]): Promise<void> {
    const { db, api, chatId, logger } = this.options;
    try {
      const text = this.urgentText(row, appeals);
      await this.call(() => api.editMessageText(chatId, Number(row.staff_message_id), text), {
        spaced: false,
      });
      await markUrgentPost(db, row.id, { repeatCount: row.repeat_count });
      // An appeal sent since the first signal became urgent with this repeat: its card says so too.
      for (const appeal of appeals) await this.showUrgentOnCard(appeal.id);
    } catch (error) {
      if (String((error as Error).message ?? error).includes('not modified')) return;
      // The banner in the inbox shows the count anyway; the next repeat tries the edit again.
      logger.warn(
        { err: error, contactId: row.contact_id },
        'urgent alert post not updated with its repeats',
      );
    }
  }

  /**
   * "Callback due in 30 minutes" / "promise missed" about one appeal, in its forum topic when it has one.
   * Queued behind other staff posts; an appeal taken or called back meanwhile gets no nudge.
   */
  notifySla(kind: 'dueSoon' | 'overdue', appealId: number): Promise<void> {
    return this.queue.run('staff-chat', async () => {
      const { db, api, chatId, translator, center, logger } = this.options;
      const appeal = await db.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirst();
      if (!appeal || appeal.status !== 'new' || appeal.callback_done_at) return;
      const due = appeal.callback_due_at
        ? relativeMomentArgs(appeal.callback_due_at, new Date(), center.timeZone)
        : {};
      const text = translator.t('ru', {
        key: kind === 'dueSoon' ? 'staff-sla-due-soon' : 'staff-sla-overdue',
        args: { number: appeal.number ?? String(appeal.id), ...due },
      });
      const thread = appeal.staff_topic_id ? { message_thread_id: Number(appeal.staff_topic_id) } : {};
      await this.call(() => api.sendMessage(chatId, text, thread)).catch((error: unknown) =>
        logger.error({ err: error, appealId, kind }, 'SLA post NOT sent to the staff chat'),
      );
    });
  }

  /**
   * What the family wrote while a dispatcher holds its appeal: into the appeal's topic (or as a reply to its
   * card), remembered so that a dispatcher's reply to it goes back to the family. Staff chat only — never logged.
   */
  postFamilyMessage(message: FamilyMessage): Promise<void> {
    return this.queue.run('staff-chat', async () => {
      const { translator, logger } = this.options;
      const text = [
        translator.t('ru', {
          key: 'staff-family-message',
          args: { number: message.number, text: message.text },
        }),
        translator.t('ru', { key: 'staff-family-hint' }),
      ].join('\n\n');
      await this.postAbout(message.appealId, text).catch((error: unknown) =>
        logger.error(
          { err: error, appealId: message.appealId },
          'family message NOT posted to the staff chat',
        ),
      );
    });
  }

  /**
   * The family's answer to "was your question solved?" (follow-up or reported any time), next to the appeal;
   * «нет» and «нужна помощь» ask a dispatcher to get in touch.
   */
  notifyProgress(appealId: number, answer: string): Promise<void> {
    return this.queue.run('staff-chat', async () => {
      const { db, translator, logger } = this.options;
      const appeal = await db
        .selectFrom('appeals')
        .select('number')
        .where('id', '=', appealId)
        .executeTakeFirst();
      if (!appeal) return;
      const text = translator.t('ru', {
        key: 'staff-progress',
        args: { number: appeal.number ?? String(appealId), answer },
      });
      await this.postAbout(appealId, text).catch((error: unknown) =>
        logger.warn({ err: error, appealId }, 'progress answer not posted to the staff chat'),
      );
    });
  }

  /**
   * A dispatcher's action, seen by everyone in the staff chat: a status line next to the card and the card's
   * buttons brought up to date. A reply written in the staff chat itself is already there; one written in the
   * web inbox is copied in, so the chat shows the whole conversation.
   */
  mirror(change: DeskChange): Promise<void> {
    if (change.kind === 'reply' && change.actor.via === 'telegram') return Promise.resolve();
    return this.queue.run('staff-chat', async () => {
      const { translator, logger } = this.options;
      const { appeal, actor } = change;
      const number = appeal.number ?? String(appeal.id);
      const name = actor.dispatcher.name;
      const via = actor.via === 'web' ? translator.t('ru', { key: 'staff-via-web' }) : '';
      let text: string;
      if (change.kind === 'reply') {
        text = translator.t('ru', { key: 'staff-web-reply', args: { name, number, text: change.text } });
      } else if (change.kind === 'route') {
        const { booking } = change;
        const when = DateTime.fromJSDate(booking.starts_at).setZone(this.options.center.timeZone);
        text = translator.t('ru', {
          key: 'staff-route-added',
          args: {
            number,
            name,
            via,
            org: booking.partner_org ?? '',
            when: when.toFormat('dd.MM.yyyy HH:mm'),
          },
        });
      } else {
        text = translator.t('ru', {
          key: 'staff-change',
          args: {
            action: change.action,
            number,
            name,
            via,
            result: appeal.result ? translator.t('ru', { key: `staff-result-${appeal.result}` }) : '',
          },
        });
      }
      try {
        await this.postAbout(appeal.id, text);
        if (change.kind === 'action') await this.refreshCard(appeal.id);
      } catch (error) {
        logger.warn({ err: error, appealId: appeal.id }, 'staff chat not updated about an appeal change');
      }
    });
  }

  /** The card's buttons for the appeal's current status (after an action, or "← back" from the results). */
  async refreshCard(appealId: number): Promise<void> {
    const { db, translator } = this.options;
    const appeal = await db.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirst();
    if (!appeal?.staff_message_id) return;
    await this.editKeyboard(
      Number(appeal.staff_message_id),
      cardKeyboard(appeal.status, appeal.id, translator),
    );
  }

  /**
   * An appeal became urgent after its card was posted: the card's text is rendered again (its header says
   * «СРОЧНО»), buttons kept. Best effort — the alert itself is already in the chat and names the appeal.
   */
  private async showUrgentOnCard(appealId: number): Promise<void> {
    const { db, api, chatId, translator, logger } = this.options;
    const appeal = await db.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirst();
    if (!appeal?.staff_message_id) return;
    const text = this.cardText(appeal);
    // A card split over several messages keeps its first part as is: only a one-message card is edited.
    if (text.length > MAX_TEXT) return;
    await this.call(
      () =>
        api.editMessageText(chatId, Number(appeal.staff_message_id), text, {
          reply_markup: cardKeyboard(appeal.status, appeal.id, translator),
        }),
      { spaced: false },
    ).catch((error: unknown) => {
      if (String((error as Error).message ?? error).includes('not modified')) return;
      logger.warn({ err: error, appealId }, 'staff card not marked urgent');
    });
  }

  private cardText(appeal: Appeal): string {
    const { center, translator } = this.options;
    const card = translator.render('ru', staffCard(appeal, center, new Date())).text;
    return `${card}\n\n${translator.t('ru', { key: 'staff-card-hint' })}`;
  }

  /** "Close…" tapped: the card's buttons become the four results (and back). */
  async showResults(appealId: number, messageId: number): Promise<void> {
    await this.editKeyboard(messageId, resultKeyboard(appealId, this.options.translator));
  }

  private async editKeyboard(messageId: number, markup: InlineKeyboardMarkup): Promise<void> {
    const { api, chatId } = this.options;
    await this.call(() => api.editMessageReplyMarkup(chatId, messageId, { reply_markup: markup }), {
      spaced: false,
    }).catch((error: unknown) => {
      // Tapping twice, or two dispatchers at once: the keyboard is already what it should be.
      if (String((error as Error).message ?? error).includes('not modified')) return;
      throw error;
    });
  }

  /** A post about one appeal: in its topic, or as a reply to its card; remembered for replies to it. */
  private async postAbout(appealId: number, text: string): Promise<void> {
    const { db, api, chatId } = this.options;
    const appeal = await db.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirst();
    if (!appeal) return;
    const place = appeal.staff_topic_id
      ? { message_thread_id: Number(appeal.staff_topic_id) }
      : appeal.staff_message_id
        ? {
            reply_parameters: {
              message_id: Number(appeal.staff_message_id),
              allow_sending_without_reply: true,
            },
          }
        : {};
    for (const chunk of splitText(text, MAX_TEXT)) {
      const sent = await this.call(() => api.sendMessage(chatId, chunk, place));
      await recordStaffPost(db, chatId, sent.message_id, appealId);
    }
  }

  /** Crisis alerts and appeal cards of the last days that never reached the chat (Telegram down, a restart). */
  async sweep(): Promise<void> {
    const since = new Date(Date.now() - 3 * 24 * 3600_000);
    const rows = await this.options.db
      .selectFrom('appeals')
      .select('id')
      .where('staff_message_id', 'is', null)
      .where('anonymized_at', 'is', null)
      .where('created_at', '>', since)
      .orderBy('id')
      .execute();
    for (const alert of await unpostedUrgentAlerts(this.options.db, since)) {
      await this.notifyUrgent({
        id: alert.id,
        contactId: alert.contact_id ?? 0,
        channel: alert.channel,
        signal: alert.signal,
      });
    }
    for (const row of rows) await this.notify(row.id);
  }

  private async forum(): Promise<boolean> {
    if (this.isForum === undefined) {
      try {
        const chat = await this.options.api.getChat(this.options.chatId);
        this.isForum = 'is_forum' in chat && chat.is_forum === true;
      } catch (error) {
        // Not knowing is not fatal: the card goes to the chat itself.
        this.options.logger.warn({ err: error }, 'could not read the staff chat; posting without topics');
        return false;
      }
    }
    return this.isForum;
  }

  private async post(appealId: number): Promise<void> {
    const { db, api, chatId, translator } = this.options;
    const appeal = await db.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirst();
    if (!appeal || appeal.staff_message_id || appeal.anonymized_at) return;

    let topicId = appeal.staff_topic_id ? Number(appeal.staff_topic_id) : undefined;
    if (topicId === undefined && (await this.forum())) {
      const name = `№ ${appeal.number} · ${translator.t('ru', { key: `purpose-${appeal.purpose}` })}`.slice(
        0,
        128,
      );
      const topic = await this.call(() => api.createForumTopic(chatId, name));
      topicId = topic.message_thread_id;
      await db
        .updateTable('appeals')
        .set({ staff_topic_id: String(topicId) })
        .where('id', '=', appealId)
        .execute();
    }

    const text = this.cardText(appeal);
    let firstMessageId: number | undefined;
    for (const chunk of splitText(text, MAX_TEXT)) {
      // The buttons go under the first part: its id is the card's id, the one the keyboard is refreshed on.
      const keyboard =
        firstMessageId === undefined
          ? { reply_markup: cardKeyboard(appeal.status, appeal.id, translator) }
          : {};
      const sent = await this.call(() =>
        api.sendMessage(chatId, chunk, { ...(topicId ? { message_thread_id: topicId } : {}), ...keyboard }),
      );
      firstMessageId ??= sent.message_id;
      await recordStaffPost(db, chatId, sent.message_id, appealId);
    }
    await db
      .updateTable('appeals')
      .set({ staff_message_id: String(firstMessageId), staff_notified_at: new Date() })
      .where('id', '=', appealId)
      .execute();
    this.options.logger.info(
      { appealId, topic: topicId !== undefined },
      'appeal card posted to the staff chat',
    );
  }

  /**
   * One API call, spaced for the group limit (unless urgent: `spaced: false` jumps the gap, and the next
   * ordinary post keeps its distance from it), waiting out 429s (a few times) as Telegram asks.
   */
  private async call<T>(request: () => Promise<T>, { spaced = true } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const gap = (this.options.minIntervalMs ?? 3_000) - (Date.now() - this.lastPostAt);
      if (spaced && gap > 0) await this.sleep(gap);
      this.lastPostAt = Date.now();
      try {
        return await request();
      } catch (error) {
        const failure = classifyTelegramError(error);
        if (failure.failure.kind === 'retry-after' && attempt < 3) {
          await this.sleep(failure.failure.ms);
          continue;
        }
        throw failure;
      }
    }
  }
}
