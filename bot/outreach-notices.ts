import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { type CenterProfile, toLocale } from '../config/center.ts';
import { dueReminders, pendingChangeNotices, quietUntil } from '../domain/outreach.ts';
import { changeNotice, reminderMessage } from '../flows/outreach.ts';
import type { OutboundMessage } from '../flows/types.ts';
import { getContact } from '../storage/contacts.ts';
import type { Db } from '../storage/db.ts';
import {
  changesFrom,
  claimNotice,
  type NoticeKey,
  releaseNotice,
  subscribersOf,
} from '../storage/outreach.ts';
import type { Runtime } from './runtime.ts';

export type OutreachSweepResult = { sent: number; postponedUntil?: Date };

export type OutreachNoticesDeps = {
  db: Db;
  center: CenterProfile;
  runtime: Pick<Runtime, 'sendSystemMessage'>;
  logger: Logger;
  clock?: () => Date;
};

/**
 * Sends whatever outreach messages are due now — change notices first, then day-before and morning
 * reminders — each to the families subscribed when it became due, and each exactly once: a ledger row
 * (family, settlement, day, kind) is inserted before the message is stored, so a second run or a second
 * process finds it taken. Idempotent, so it runs on every scheduler tick, at start-up (catch-up) and right
 * after a staff change. Nothing goes out in quiet hours: the caller is told when they end.
 */
export class OutreachNotices {
  private readonly clock: () => Date;

  constructor(private readonly deps: OutreachNoticesDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async sweep(): Promise<OutreachSweepResult> {
    const { db, center } = this.deps;
    const now = this.clock();
    const postponedUntil = quietUntil(center, now);
    if (postponedUntil) return { sent: 0, postponedUntil };
    const today = DateTime.fromJSDate(now).setZone(center.timeZone).toISODate() ?? '';
    const changes = await changesFrom(db, today);
    let sent = 0;
    for (const change of pendingChangeNotices(changes, now, center.timeZone)) {
      const key = { settlement: change.settlement, date: change.date, kind: `change-${change.id}` };
      for (const contactId of await subscribersOf(db, change.settlement, new Date(change.createdAt))) {
        sent += await this.sendOnce({ ...key, contactId }, now, (locale) =>
          changeNotice(change, changes, center, now, locale),
        );
      }
    }
    for (const reminder of dueReminders(center, changes, now)) {
      const key = { settlement: reminder.settlement, date: reminder.date, kind: reminder.kind };
      for (const contactId of await subscribersOf(db, reminder.settlement, reminder.dueAt)) {
        sent += await this.sendOnce({ ...key, contactId }, now, (locale) =>
          reminderMessage(reminder, center, locale),
        );
      }
    }
    if (sent > 0) this.deps.logger.info({ sent }, 'outreach reminders and notices sent');
    return { sent };
  }

  private async sendOnce(
    key: NoticeKey,
    now: Date,
    build: (locale: 'ru' | 'en') => OutboundMessage,
  ): Promise<number> {
    const contact = await getContact(this.deps.db, key.contactId);
    if (!contact) return 0;
    if (!(await claimNotice(this.deps.db, key, now))) return 0;
    try {
      await this.deps.runtime.sendSystemMessage(contact.id, [build(toLocale(contact.locale))]);
    } catch (error) {
      await releaseNotice(this.deps.db, key);
      throw error;
    }
    return 1;
  }
}
