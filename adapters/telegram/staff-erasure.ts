import { type Api, GrammyError } from 'grammy';
import type { Logger } from 'pino';
import type { Translator } from '../../bot/i18n.ts';
import type { Db } from '../../storage/db.ts';
import {
  dueStaffErasures,
  finishStaffErasure,
  finishTopicPosts,
  postponeStaffErasure,
  type StaffErasure,
} from '../../storage/erasure.ts';

export type StaffEraserOptions = {
  db: Db;
  api: Api;
  /** The configured staff chat: used for a topic whose posts never reached the chat. */
  chatId: string;
  translator: Translator;
  logger: Logger;
  clock?: () => Date;
};

/** Bots may delete their messages for 48 hours; older ones can only be edited. A margin for clock skew. */
const DELETABLE_MS = 47 * 3600_000;
const MAX_BACKOFF_MS = 3600_000;

type Outcome = { done: string } | { retry: string; afterMs?: number };

/**
 * After «Удалить мои данные»: the staff chat forgets the family. A forum topic is deleted whole (with the
 * dispatchers' own messages in it); other posts (card, family messages, status lines) are deleted, or — older
 * than 48 hours, which bots cannot delete — edited to «Данные удалены по просьбе семьи». The `staff_erasures`
 * rows are the outbox: a failure (429, Telegram down, missing rights) is retried by the sweep with backoff.
 */
export class StaffEraser {
  private running: Promise<number> | undefined;
  private readonly clock: () => Date;

  constructor(private readonly options: StaffEraserOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Processes what is due; concurrent calls share one run. Returns how many rows were finished. */
  run(): Promise<number> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(): Promise<number> {
    const { db, logger } = this.options;
    let finished = 0;
    // Topics first: a deleted topic finishes its posts, so the second batch no longer lists them.
    for (const topicsOnly of [true, false]) {
      const due = await dueStaffErasures(db, this.clock());
      for (const row of due.filter((item) => (item.messageId === null) === topicsOnly)) {
        const outcome = await this.erase(row);
        const now = this.clock();
        if ('done' in outcome) {
          await finishStaffErasure(db, row.id, outcome.done, now);
          if (row.messageId === null && outcome.done === 'deleted' && row.topicId !== null)
            finished += await finishTopicPosts(db, row.chatId || this.options.chatId, row.topicId, now);
          if (outcome.done === 'impossible')
            logger.error({ erasureId: row.id }, 'a staff-chat post about erased data cannot be removed');
          finished++;
        } else {
          const backoff = Math.min(MAX_BACKOFF_MS, outcome.afterMs ?? 60_000 * 2 ** row.attempts);
          await postponeStaffErasure(db, row.id, outcome.retry, new Date(now.getTime() + backoff));
          logger.warn({ erasureId: row.id, attempts: row.attempts + 1 }, 'staff-chat erasure postponed');
        }
      }
    }
    return finished;
  }

  private async erase(row: StaffErasure): Promise<Outcome> {
    const { api } = this.options;
    const chatId = row.chatId || this.options.chatId;
    if (row.messageId === null) {
      if (row.topicId === null) return { done: 'gone' };
      const topicId = row.topicId;
      return this.attempt(
        async () => {
          await api.deleteForumTopic(chatId, topicId);
          return 'deleted';
        },
        (description) =>
          // No such topic: gone already. No rights to manage topics: its posts are erased one by one instead.
          /TOPIC_ID_INVALID|thread not found|not found/i.test(description)
            ? 'gone'
            : /rights|CHAT_ADMIN_REQUIRED|not a forum/i.test(description)
              ? 'impossible-topic'
              : undefined,
      );
    }
    const messageId = row.messageId;
    const tooOld = row.postedAt !== null && this.clock().getTime() - row.postedAt.getTime() >= DELETABLE_MS;
    if (!tooOld) {
      const deleted = await this.attempt(
        async () => {
          await api.deleteMessage(chatId, messageId);
          return 'deleted';
        },
        (description) =>
          /message to delete not found/i.test(description)
            ? 'gone'
            : /can't be deleted|can not be deleted|cannot be deleted/i.test(description)
              ? 'edit'
              : undefined,
      );
      if (!('done' in deleted) || deleted.done !== 'edit') return deleted;
    }
    const text = this.options.translator.t('ru', { key: 'staff-erased' });
    return this.attempt(
      async () => {
        // No reply_markup: the card's buttons go too.
        await api.editMessageText(chatId, messageId, text);
        return 'edited';
      },
      (description) =>
        /not modified/i.test(description)
          ? 'edited'
          : /message to edit not found/i.test(description)
            ? 'gone'
            : /can't be edited|can not be edited/i.test(description)
              ? 'impossible'
              : undefined,
    );
  }

  /** Runs one Bot API call; a 400 the caller recognises is an outcome, anything else is retried later. */
  private async attempt(
    call: () => Promise<string>,
    recognise: (description: string) => string | undefined,
  ): Promise<Outcome> {
    try {
      return { done: await call() };
    } catch (error) {
      if (error instanceof GrammyError) {
        const description = `${error.error_code}: ${error.description}`;
        if (error.error_code === 429)
          return { retry: description, afterMs: (error.parameters.retry_after ?? 1) * 1000 };
        const known = error.error_code === 400 ? recognise(error.description) : undefined;
        if (known) return { done: known };
        return { retry: description };
      }
      return { retry: error instanceof Error ? error.message : String(error) };
    }
  }
}
