import type { Logger } from 'pino';
import { type CenterProfile, toLocale } from '../config/center.ts';
import type { Dispatcher } from '../config/dispatchers.ts';
import type { JobScheduler } from '../scheduler/scheduler.ts';
import {
  type AppealAction,
  type AppealResult,
  noteAppealEvent,
  type TransitionResult,
  transitionAppeal,
} from '../storage/appeal-lifecycle.ts';
import { getAppeal } from '../storage/appeals.ts';
import { createPartnerBooking } from '../storage/bookings.ts';
import { getContact } from '../storage/contacts.ts';
import type { Db } from '../storage/db.ts';
import type { Appeal, Booking } from '../storage/schema.ts';
import { createSurvey, nextUnanswered } from '../storage/surveys.ts';
import { routeItemConfirmation } from './booking-messages.ts';
import { planFollowUpAfterVisit } from './follow-ups.ts';
import type { Runtime } from './runtime.ts';
import { surveyIntro, surveyQuestion } from './survey-messages.ts';
import { scheduleSurveyReminder } from './survey-reminders.ts';

/** A dispatcher acting from one of the two desks: the Telegram staff chat or the web inbox. */
export type DeskActor = { dispatcher: Dispatcher; via: 'web' | 'telegram' };

/** How the actor is written into the appeal's history and `taken_by`: "telegram:anna", "web:anna". */
export const actorKey = (actor: DeskActor) => `${actor.via}:${actor.dispatcher.id}`;

/** Something a dispatcher did, announced so the other desk can show it (the staff chat mirrors web actions). */
export type DeskChange =
  | { kind: 'action'; appeal: Appeal; action: AppealAction; actor: DeskActor }
  | { kind: 'reply'; appeal: Appeal; actor: DeskActor; text: string }
  | { kind: 'route'; appeal: Appeal; actor: DeskActor; booking: Booking };

export type ReplyResult =
  | { ok: true; took: boolean }
  | { ok: false; reason: 'not_found' | 'no_contact' | 'anonymised' | 'closed' };

export type SurveySendResult = { surveyId: number; question: number } | 'completed' | 'no_contact';

export type DeskDeps = {
  db: Db;
  runtime: Pick<Runtime, 'sendSystemMessage'>;
  logger: Logger;
  clock?: () => Date;
  /** For route-sheet items (their confirmation text and reminders). */
  center?: CenterProfile;
  scheduler?: JobScheduler;
};

/** An appointment at a partner organisation a dispatcher booked by phone for the family. */
export type RouteItem = {
  org: string;
  address?: string;
  person?: string;
  phone?: string;
  startsAt: Date;
  endsAt?: Date;
};

export type RouteItemResult =
  | { ok: true; booking: Booking }
  | { ok: false; reason: 'not_found' | 'no_contact' | 'anonymised' | 'in_the_past' };

const HOUR_MS = 3600_000;

const number = (appeal: Appeal) => appeal.number ?? String(appeal.id);

/**
 * The dispatcher's operations on an appeal, shared by the Telegram staff chat and the web inbox so both desks
 * behave the same: status changes go through the lifecycle table (history appended), the family is told what
 * concerns it (taken by whom, closed), closing sends the survey, and replies reach the family's own channel.
 */
export class Desk {
  private readonly listeners = new Set<(change: DeskChange) => void>();
  private readonly clock: () => Date;

  constructor(private readonly deps: DeskDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  onChange(listener: (change: DeskChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private announce(change: DeskChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'desk listener failed');
      }
    }
  }

  async act(
    appealId: number,
    action: AppealAction,
    actor: DeskActor,
    input: { note?: string; result?: AppealResult } = {},
  ): Promise<TransitionResult> {
    const result = await transitionAppeal(this.deps.db, appealId, action, {
      actor: actorKey(actor),
      note: input.note,
      result: input.result,
      now: this.clock(),
    });
    if (!result.ok) return result;
    const appeal = result.appeal;
    this.deps.logger.info({ appealId, action, status: appeal.status, via: actor.via }, 'appeal updated');
    await this.tellFamily(appeal, action, actor).catch((error: unknown) =>
      this.deps.logger.warn({ err: error, appealId, action }, 'family not told about the appeal change'),
    );
    this.announce({ kind: 'action', appeal, action, actor });
    return result;
  }

  /** What the family hears when its appeal changes hands or closes; waiting and reopening are internal. */
  private async tellFamily(appeal: Appeal, action: AppealAction, actor: DeskActor): Promise<void> {
    if (appeal.contact_id === null || appeal.anonymized_at) return;
    if (action === 'take') {
      await this.deps.runtime.sendSystemMessage(appeal.contact_id, [
        { parts: [{ key: 'desk-taken', args: { number: number(appeal), name: actor.dispatcher.name } }] },
      ]);
    } else if (action === 'close') {
      await this.deps.runtime.sendSystemMessage(appeal.contact_id, [
        { parts: [{ key: 'desk-closed', args: { number: number(appeal) } }] },
      ]);
      // The center's rule: every family gets the survey once its appeal is closed (not when it withdrew).
      if (appeal.result !== 'withdrawn') await this.sendSurvey(appeal);
    }
  }

  /**
   * A dispatcher's message to the family, on the family's own channel. An appeal nobody has taken yet is
   * taken by the person answering (the family should know who talks to it, and the bot should step back).
   */
  async reply(appealId: number, actor: DeskActor, text: string): Promise<ReplyResult> {
    let appeal = await getAppeal(this.deps.db, appealId);
    if (!appeal) return { ok: false, reason: 'not_found' };
    if (appeal.anonymized_at) return { ok: false, reason: 'anonymised' };
    if (appeal.contact_id === null) return { ok: false, reason: 'no_contact' };
    if (appeal.status === 'closed') return { ok: false, reason: 'closed' };
    let took = false;
    if (appeal.status === 'new' || !appeal.taken_by) {
      const taken = await this.act(appealId, appeal.status === 'in_work' ? 'callback-done' : 'take', actor);
      if (taken.ok) {
        appeal = taken.appeal;
        took = true;
      }
    }
    const contactId = appeal.contact_id;
    if (contactId === null) return { ok: false, reason: 'no_contact' };
    const sent = await this.deps.runtime.sendSystemMessage(contactId, [
      {
        parts: [
          { key: 'dispatcher-reply', args: { number: number(appeal), name: actor.dispatcher.name, text } },
        ],
      },
    ]);
    if (!sent) return { ok: false, reason: 'no_contact' };
    // The history records that a reply went out and who wrote it, not its words (the transcript keeps those).
    await noteAppealEvent(this.deps.db, appeal, {
      at: this.clock(),
      actor: actorKey(actor),
      action: 'reply',
    });
    this.announce({ kind: 'reply', appeal, actor, text });
    return { ok: true, took };
  }

  /**
   * A route-sheet item for an appeal (cases.md step 7): stored as a partner booking, the family told where and
   * when, the same reminders as for the center's own appointments, and a line in the appeal's history.
   */
  async addRouteItem(appealId: number, actor: DeskActor, item: RouteItem): Promise<RouteItemResult> {
    const { db, logger } = this.deps;
    const now = this.clock();
    const appeal = await getAppeal(db, appealId);
    if (!appeal) return { ok: false, reason: 'not_found' };
    if (appeal.anonymized_at) return { ok: false, reason: 'anonymised' };
    if (appeal.contact_id === null) return { ok: false, reason: 'no_contact' };
    if (item.startsAt.getTime() <= now.getTime()) return { ok: false, reason: 'in_the_past' };
    const booking = await this.bookRouteItem(appeal.contact_id, appeal.id, item);
    await noteAppealEvent(db, appeal, {
      at: now,
      actor: actorKey(actor),
      action: 'route',
      note: `booking ${booking.id}`,
    });
    logger.info({ appealId, bookingId: booking.id, via: actor.via }, 'route-sheet item added');
    this.announce({ kind: 'route', appeal, actor, booking });
    return { ok: true, booking };
  }

  /** The booking, its reminders and the family's confirmation; also used for a contact without an appeal. */
  async bookRouteItem(contactId: number, appealId: number | null, item: RouteItem): Promise<Booking> {
    const { db, logger, center, scheduler } = this.deps;
    if (!center) throw new Error('the desk needs the center profile for route-sheet items');
    const now = this.clock();
    const booking = await createPartnerBooking(db, {
      contactId,
      appealId,
      org: item.org,
      address: item.address,
      person: item.person,
      phone: item.phone,
      startsAt: item.startsAt,
      endsAt: item.endsAt ?? new Date(item.startsAt.getTime() + HOUR_MS),
      now,
    });
    await scheduler
      ?.scheduleBookingReminders({
        id: booking.id,
        startsAt: booking.starts_at,
        endsAt: booking.ends_at,
        createdAt: booking.created_at,
      })
      .catch((error: unknown) =>
        logger.warn(
          { err: error, bookingId: booking.id },
          'could not schedule reminders now; reconciled at start',
        ),
      );
    const contact = await getContact(db, contactId);
    await this.deps.runtime.sendSystemMessage(contactId, [
      routeItemConfirmation(booking, center, now, toLocale(contact?.locale)),
    ]);
    // The partner visit is the visit of cases.md step 8: the "was it solved?" follow-up is planned from it.
    if (scheduler) {
      await planFollowUpAfterVisit({ db, center, scheduler }, booking).catch((error: unknown) =>
        logger.warn(
          { err: error, bookingId: booking.id },
          'could not plan the follow-up of a route-sheet item',
        ),
      );
    }
    return booking;
  }

  /** Creates the survey once and sends the intro with the first unanswered question. */
  async sendSurvey(appeal: Appeal): Promise<SurveySendResult> {
    if (appeal.contact_id === null) return 'no_contact';
    const survey = await createSurvey(this.deps.db, appeal.id, appeal.contact_id, this.clock());
    const question = await nextUnanswered(this.deps.db, survey.id);
    if (survey.completed_at || question === undefined) return 'completed';
    const sent = await this.deps.runtime.sendSystemMessage(appeal.contact_id, [
      surveyIntro(number(appeal)),
      surveyQuestion(survey.id, question),
    ]);
    if (!sent) return 'no_contact';
    const { center, scheduler, logger } = this.deps;
    if (center && scheduler) await scheduleSurveyReminder({ center, scheduler, logger }, survey);
    logger.info({ appealId: appeal.id, surveyId: survey.id }, 'survey sent');
    return { surveyId: survey.id, question };
  }
}
