import type { Logger } from 'pino';
import { type CenterProfile, isLocale, type Locale, toLocale } from '../config/center.ts';
import type { DispatcherDirectory } from '../config/dispatchers.ts';
import type { AppealDraft } from '../domain/appeal.ts';
import { detectCrisis } from '../domain/crisis.ts';
import type { ProgressAnswer } from '../domain/follow-up.ts';
import { addWorkingMinutes } from '../domain/working-hours.ts';
import {
  type ConversationState,
  ConversationStateSchema,
  handleEvent,
  initialState,
  isFreeMessage,
} from '../flows/assistant.ts';
import { MENU_BUTTONS } from '../flows/menu.ts';
import type {
  Effect,
  FlowEvent,
  Navigator,
  OpenAppealInfo,
  OutboundMessage,
  Understanding,
  UserEvent,
} from '../flows/types.ts';
import type { JobScheduler } from '../scheduler/scheduler.ts';
import {
  appealsSince,
  createAppeal,
  createQuestion,
  latestKnownCard,
  latestOpenAppeal,
  markAppealUnread,
} from '../storage/appeals.ts';
import { currentConsent, recordConsent } from '../storage/consents.ts';
import { getContact, setContactLocale, upsertContact } from '../storage/contacts.ts';
import { loadConversationState, saveConversationState } from '../storage/conversations.ts';
import type { Db } from '../storage/db.ts';
import { claimHoldNotice, heldAppeal, markOpenAppealsUrgent, raiseUrgentAlert } from '../storage/dispatch.ts';
import {
  compactAfterErasure,
  eraseContactData,
  previewDeletion,
  replaceErasedContact,
} from '../storage/erasure.ts';
import { appendMessages, recentOutbound } from '../storage/messages.ts';
import type { Appeal } from '../storage/schema.ts';
import { claimUpdate } from '../storage/updates.ts';
import {
  applyBookingEffect,
  type BookingEffectContext,
  isBookingEffect,
  releaseBookingsOfContact,
} from './booking-effects.ts';
import type { RenderedMessage, Translator } from './i18n.ts';
import { KeyedLock } from './keyed-lock.ts';
import { applyOutreachEffect, isOutreachEffect } from './outreach-effects.ts';
import { applyProgressEffect, isProgressEffect } from './progress-effects.ts';
import { answerSurvey } from './survey-answers.ts';

/** An update from any channel, already translated by its adapter. */
export type InboundUpdate = {
  channel: string;
  externalId: string;
  /** Platform id of the update (Telegram update_id, VK event_id, web client message id) for de-duplication. */
  updateId?: string;
  /** The receiving bot (Telegram getMe id, VK group id): update ids are unique per bot only. */
  bot?: string;
  event: UserEvent | { type: 'setLocale'; locale: Locale };
};

export type HandleResult =
  | { status: 'processed'; contactId: number; replies: RenderedMessage[] }
  | { status: 'duplicate' }
  | { status: 'failed'; contactId?: number; replies: RenderedMessage[] };

/** Told after commit that a contact has new outbound messages, so its channel can deliver them. */
export type OutboundListener = (channel: string, externalId: string, contactId: number) => void;

export type RuntimeDeps = {
  db: Db;
  center: CenterProfile;
  translator: Translator;
  scheduler: JobScheduler;
  logger: Logger;
  clock?: () => Date;
  /** Names of dispatchers, for "your message went to Анна"; without it a generic name is used. */
  directory?: DispatcherDirectory;
  /**
   * The understanding layer (intent classifier, entities, navigator search) for free text at rest. Without it
   * the flow falls back to its keyword menu.
   */
  understand?: UnderstandFn;
  /** The center's navigator articles, for answers and "did you mean" buttons. */
  navigator?: Navigator;
};

export type UnderstandFn = (db: Db, text: string, locale: Locale, now: Date) => Promise<Understanding>;

/** What a family wrote while a dispatcher holds its appeal: for that dispatcher's eyes (never logged). */
export type FamilyMessage = { appealId: number; number: string; contactId: number; text: string };

/** The "your message went to the dispatcher" notice is repeated only after this much silence. */
const HOLD_NOTICE_PAUSE_MS = 30 * 60_000;
const DEFAULT_HOLDER_NAME = 'Дежурный диспетчер';
/** A family's answer about progress on an appeal (no text: the family's words stay in the history only). */
export type ProgressListener = (appealId: number, answer: ProgressAnswer) => void;

/** A crisis signal for the dispatchers: who and where only — never the person's text. */
export type UrgentAlert = { id: number; contactId: number; channel: string; signal: string };

/** Told after commit that a family's data was erased: the staff chat deletes its posts about these appeals. */
export type ErasureListener = (erasure: { appealIds: number[]; staffPosts: number }) => void;

/** Flow events are fed back after effects; a flow that keeps asking for more is a bug, not a loop to follow. */
const MAX_FOLLOW_UPS = 4;

/**
 * At most this many appeals from one contact in 24 hours: each one posts a card to the staff chat, so a flood
 * from one chat would bury everyone else's. A family with more to say is told politely and given the phone.
 */
export const APPEALS_PER_DAY = 3;

/**
 * The channel-neutral runtime: one update in → one database transaction (de-duplicate, load state, run the
 * flow, apply its effects, save state and outbound messages) → after commit, schedule jobs and tell the
 * channel that messages are waiting. Nothing of an update is half-applied: on failure the transaction rolls
 * back, the update stays unclaimed so a redelivery is processed, and the person gets a polite apology.
 */
export class Runtime {
  private readonly locks = new KeyedLock();
  private readonly clock: () => Date;
  private readonly outboundListeners = new Set<OutboundListener>();
  private readonly appealListeners = new Set<(appealId: number) => void>();
  private readonly urgentListeners = new Set<(alert: UrgentAlert) => void>();
  private readonly familyListeners = new Set<(message: FamilyMessage) => void>();
  private readonly progressListeners = new Set<ProgressListener>();
  private readonly erasureListeners = new Set<ErasureListener>();

  constructor(private readonly deps: RuntimeDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Adapters subscribe to learn that a contact on their channel has new outbound messages. */
  onOutbound(listener: OutboundListener): () => void {
    this.outboundListeners.add(listener);
    return () => this.outboundListeners.delete(listener);
  }

  /** Told after commit that an appeal was registered (staff notifications subscribe here). */
  onAppealRegistered(listener: (appealId: number) => void): () => void {
    this.appealListeners.add(listener);
    return () => this.appealListeners.delete(listener);
  }

  private announceAppeal(appealId: number): void {
    for (const listener of this.appealListeners) {
      try {
        listener(appealId);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'appeal listener failed');
      }
    }
  }

  /**
   * Told after commit that a family answered «Решился ли ваш вопрос?» (follow-up or menu). «no» and «help»
   * mean a dispatcher should get in touch (see needsDispatcher); the staff chat subscribes here.
   */
  onProgress(listener: ProgressListener): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  private announceProgress(appealId: number, answer: ProgressAnswer): void {
    for (const listener of this.progressListeners) {
      try {
        listener(appealId, answer);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'progress listener failed');
      }
    }
  }

  /** Told after commit (and after storage was compacted) that a family's personal data was erased. */
  onDataErased(listener: ErasureListener): () => void {
    this.erasureListeners.add(listener);
    return () => this.erasureListeners.delete(listener);
  }

  private announceErasure(erasure: { appealIds: number[]; staffPosts: number }): void {
    for (const listener of this.erasureListeners) {
      try {
        listener(erasure);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'erasure listener failed');
      }
    }
  }

  /** Told after commit that a message carried a crisis signal (the staff chat is alerted out of turn). */
  onUrgent(listener: (alert: UrgentAlert) => void): () => void {
    this.urgentListeners.add(listener);
    return () => this.urgentListeners.delete(listener);
  }

  private announceUrgent(alert: UrgentAlert): void {
    for (const listener of this.urgentListeners) {
      try {
        listener(alert);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'urgent listener failed');
      }
    }
  }

  /**
   * A message the system starts (reminder, dispatcher's note, cancellation by staff): rendered in the
   * contact's language, stored in the transcript/ledger, and handed to the channel like any reply. Runs in
   * the conversation's queue so it never interleaves with an update being processed.
   */
  async sendSystemMessage(contactId: number, messages: OutboundMessage[]): Promise<boolean> {
    const contact = await getContact(this.deps.db, contactId);
    if (!contact) return false;
    return this.locks.run(`${contact.channel}\u0000${contact.external_id}`, async () => {
      const rendered = messages.map((message) =>
        this.deps.translator.render(toLocale(contact.locale), message),
      );
      await appendMessages(this.deps.db, contact.id, 'out', rendered, this.clock());
      this.notify(
        { channel: contact.channel, externalId: contact.external_id, event: { type: 'start' } },
        contact.id,
      );
      return true;
    });
  }

  handle(update: InboundUpdate): Promise<HandleResult> {
    return this.locks.run(`${update.channel}\u0000${update.externalId}`, () => this.process(update));
  }

  private async process(update: InboundUpdate): Promise<HandleResult> {
    const { db, logger } = this.deps;
    const now = this.clock();
    const afterCommit: Array<() => Promise<void>> = [];
    try {
      const result = await db.transaction().execute(async (tx) => {
        if (update.updateId && !(await claimUpdate(tx, update.channel, update.updateId, update.bot))) {
          return { status: 'duplicate' } as const;
        }
        let contact = await upsertContact(tx, update.channel, update.externalId, now);
        if (contact.erased_at) contact = await replaceErasedContact(tx, contact, now);
        let locale = toLocale(contact.locale);
        const userEvent = update.event.type === 'setLocale' ? undefined : update.event;
        const setLocale = asLocaleChoice(update.event);
        if (setLocale) {
          locale = setLocale;
          await setContactLocale(tx, contact.id, locale);
        }
        // After a language change: re-greet (or offer to resume) in the new language.
        const event: FlowEvent = setLocale || !userEvent ? { type: 'start' } : userEvent;

        const session = new Session(
          this.deps,
          tx,
          contact.id,
          update.channel,
          now,
          afterCommit,
          (id) => this.announceAppeal(id),
          (alert) => this.announceUrgent(alert),
          (appealId, answer) => this.announceProgress(appealId, answer),
          (message) => this.announceFamilyMessage(message),
          (erasure) => this.announceErasure(erasure),
        );
        await session.load(userEvent);
        const held =
          userEvent && session.hasConsent && isFreeMessage(session.state, userEvent)
            ? await heldAppeal(tx, contact.id)
            : undefined;
        const outbound = held
          ? await this.passToDispatcher(tx, held, contact.id, userEvent as UserEvent, now, afterCommit, () =>
              session.run(event, locale),
            )
          : await session.run(await this.understood(tx, session, event, locale, now), locale);
        const rendered = outbound.map((message) => this.deps.translator.render(locale, message));

        // Before consent nothing the person typed is stored (it may be personal data); after it, the
        // transcript keeps both sides so the web chat can show the history after a reload.
        if (session.hasConsent && !setLocale && userEvent) {
          const inbound = await describeInbound(tx, contact.id, userEvent);
          await appendMessages(
            tx,
            contact.id,
            'in',
            [{ ...inbound, ...(update.updateId ? { ref: update.updateId } : {}) }],
            now,
          );
        }
        await appendMessages(tx, contact.id, 'out', rendered, now);
        await saveConversationState(tx, contact.id, session.state, now);
        return { status: 'processed', contactId: contact.id, replies: rendered } as const;
      });
      if (result.status === 'processed') {
        for (const task of afterCommit) {
          await task().catch((error: unknown) =>
            logger.warn(
              { err: error },
              'could not schedule a job now; it will be reconciled from the database',
            ),
          );
        }
        this.notify(update, result.contactId);
      }
      return result;
    } catch (error) {
      logger.error(
        { err: error, channel: update.channel, event: update.event.type },
        'update processing failed',
      );
      return this.apologise(update, now);
    }
  }

  /**
   * The family writes while a dispatcher holds its appeal: the message is kept in the transcript (by the
   * caller), passed to the dispatcher after commit, and the bot stays quiet — except a short notice now and
   * then, so the family knows a person has it. A crisis text still gets the emergency answer from the flow.
   */
  private async passToDispatcher(
    tx: Db,
    appeal: Appeal,
    contactId: number,
    event: UserEvent,
    now: Date,
    afterCommit: Array<() => Promise<void>>,
    runFlow: () => Promise<OutboundMessage[]>,
  ): Promise<OutboundMessage[]> {
    const message: FamilyMessage = {
      appealId: appeal.id,
      number: appeal.number ?? String(appeal.id),
      contactId,
      text: event.type === 'text' ? event.text : event.type === 'contact' ? event.phone : '📎',
    };
    afterCommit.push(async () => this.announceFamilyMessage(message));
    await markAppealUnread(tx, appeal.id, now);
    if (event.type === 'text' && detectCrisis(event.text)) return runFlow();
    if (!(await claimHoldNotice(tx, appeal.id, now, HOLD_NOTICE_PAUSE_MS))) return [];
    const holder = appeal.taken_by?.split(':')[1];
    const name = (holder && this.deps.directory?.byId(holder)?.name) || DEFAULT_HOLDER_NAME;
    // With the menu: the family is never left without a way to book, check or leave.
    return [{ parts: [{ key: 'desk-hold-notice', args: { name } }], buttons: MENU_BUTTONS }];
  }

  /**
   * Free text at rest is read by the understanding layer before the flow sees it (flows stay pure). A failure
   * there must not cost the family its answer: the flow then uses its keyword menu.
   */
  private async understood(
    tx: Db,
    session: Session,
    event: FlowEvent,
    locale: Locale,
    now: Date,
  ): Promise<FlowEvent> {
    const understand = this.deps.understand;
    if (!understand || event.type !== 'text') return event;
    if (!['menu', 'story'].includes(session.state.step)) return event;
    try {
      return { ...event, understanding: await understand(tx, event.text, locale, now) };
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'understanding failed; keyword menu used');
      return event;
    }
  }

  /** Told after commit what a family wrote to the dispatcher holding its appeal (the staff chat shows it). */
  onFamilyMessage(listener: (message: FamilyMessage) => void): () => void {
    this.familyListeners.add(listener);
    return () => this.familyListeners.delete(listener);
  }

  private announceFamilyMessage(message: FamilyMessage): void {
    for (const listener of this.familyListeners) {
      try {
        listener(message);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'family message listener failed');
      }
    }
  }

  /** Best effort: the apology itself must not throw, whatever broke. */
  private async apologise(update: InboundUpdate, now: Date): Promise<HandleResult> {
    const message: OutboundMessage = {
      parts: [{ key: 'error-internal', args: { phone: this.deps.center.phone } }],
    };
    try {
      const contact = await upsertContact(this.deps.db, update.channel, update.externalId, now);
      const rendered = this.deps.translator.render(toLocale(contact.locale), message);
      await appendMessages(this.deps.db, contact.id, 'out', [rendered], now);
      this.notify(update, contact.id);
      return { status: 'failed', contactId: contact.id, replies: [rendered] };
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not even store the apology');
      return { status: 'failed', replies: [this.deps.translator.render('ru', message)] };
    }
  }

  private notify(update: InboundUpdate, contactId: number): void {
    for (const listener of this.outboundListeners) {
      try {
        listener(update.channel, update.externalId, contactId);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'outbound listener failed');
      }
    }
  }
}

/** One update's worth of conversation: the flow's state and consent, and the effects it asks for. */
class Session {
  state: ConversationState = initialState();
  private consentId: number | undefined;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly tx: Db,
    private readonly contactId: number,
    private readonly channel: string,
    private readonly now: Date,
    private readonly afterCommit: Array<() => Promise<void>>,
    private readonly announceAppeal: (appealId: number) => void,
    private readonly announceUrgent: (alert: UrgentAlert) => void,
    private readonly announceProgress: ProgressListener,
    private readonly announceFamily: (message: FamilyMessage) => void,
    private readonly announceErasure: ErasureListener,
  ) {}

  private openAppeal: OpenAppealInfo | undefined;

  private bookingContext(): BookingEffectContext {
    return {
      tx: this.tx,
      contactId: this.contactId,
      now: this.now,
      center: this.deps.center,
      scheduler: this.deps.scheduler,
      afterCommit: this.afterCommit,
      logger: this.deps.logger,
    };
  }

  get hasConsent(): boolean {
    return this.consentId !== undefined;
  }

  async load(event?: UserEvent): Promise<void> {
    const stored = await loadConversationState(this.tx, this.contactId);
    const parsed = ConversationStateSchema.safeParse(stored);
    if (stored !== undefined && !parsed.success) {
      this.deps.logger.warn(
        { contactId: this.contactId },
        'unreadable conversation state; starting from the menu',
      );
    }
    this.state = parsed.success ? parsed.data : initialState();
    this.consentId = (await currentConsent(this.tx, this.contactId, this.deps.center.consent.version))?.id;
    // The open appeal is context only for what the family types or taps at rest.
    if (event && (event.type === 'text' || event.type === 'button') && this.state.step === 'menu') {
      const open = await latestOpenAppeal(this.tx, this.contactId);
      if (open) this.openAppeal = openAppealInfo(open, this.deps.directory);
    }
  }

  async run(first: FlowEvent, locale: Locale): Promise<OutboundMessage[]> {
    const outbound: OutboundMessage[] = [];
    const queue: FlowEvent[] = [first];
    for (let step = 0; queue.length > 0; step++) {
      if (step > MAX_FOLLOW_UPS) throw new Error('flow produced too many follow-up events');
      const event = queue.shift() as FlowEvent;
      const result = handleEvent(this.state, event, {
        now: this.now,
        center: this.deps.center,
        locale,
        hasConsent: this.hasConsent,
        ...(this.deps.navigator ? { navigator: this.deps.navigator } : {}),
        ...(this.openAppeal ? { openAppeal: this.openAppeal } : {}),
      });
      this.state = result.state;
      outbound.push(...result.messages);
      for (const effect of result.effects) {
        const followUp = await this.apply(effect);
        if (followUp) queue.push(followUp);
      }
    }
    return outbound;
  }

  /**
   * The family's words for a person: onto the open appeal (unread in the inbox, mirrored to the staff chat
   * after commit), or a new question in the inbox with the center's promise counted in working hours.
   */
  private async askDispatcher(text: string, appealId?: number): Promise<FlowEvent | undefined> {
    const { tx, contactId, now } = this;
    if (this.consentId === undefined) throw new Error('refusing to pass words to staff without consent');
    const words = text.trim();
    // The open appeal was read when the session loaded (it is what the flow named): no second query.
    const open = this.openAppeal;
    if (appealId !== undefined && open?.id === appealId) {
      await markAppealUnread(tx, open.id, now);
      const message: FamilyMessage = {
        appealId: open.id,
        number: open.number,
        contactId,
        text: words || '—',
      };
      this.afterCommit.push(async () => this.announceFamily(message));
      return { type: 'questionAsked', number: message.number, forwarded: true };
    }
    const dueAt = addWorkingMinutes(now, this.deps.center.callbackPromiseMinutes, this.deps.center);
    const created = await createQuestion(tx, {
      contactId,
      consentId: this.consentId,
      channel: this.channel,
      text: words.slice(0, 2000) || '—',
      dueAt,
      now,
    });
    const due = created.callbackDueAt;
    if (due) this.afterCommit.push(() => this.deps.scheduler.scheduleCallbackDeadline(created.id, due));
    this.afterCommit.push(async () => this.announceAppeal(created.id));
    this.deps.logger.info({ appealId: created.id, channel: this.channel }, 'question passed to a dispatcher');
    return { type: 'questionAsked', number: created.number, forwarded: false, dueAt: dueAt.toISOString() };
  }

  private async apply(effect: Effect): Promise<FlowEvent | undefined> {
    const { tx, contactId, now } = this;
    if (isBookingEffect(effect)) return applyBookingEffect(effect, this.bookingContext());
    if (isOutreachEffect(effect)) {
      return applyOutreachEffect(effect, { tx, contactId, now, center: this.deps.center });
    }
    if (isProgressEffect(effect)) {
      return applyProgressEffect(effect, {
        tx,
        contactId,
        now,
        hasConsent: this.hasConsent,
        afterCommit: this.afterCommit,
        announce: this.announceProgress,
        logger: this.deps.logger,
      });
    }
    switch (effect.type) {
      case 'recordConsent': {
        const id = await recordConsent(tx, {
          contactId,
          channel: this.channel,
          version: this.deps.center.consent.version,
          granted: effect.granted,
          at: now,
        });
        this.consentId = effect.granted ? id : undefined;
        return undefined;
      }
      case 'submitAppeal': {
        // The flow only reaches submission after consent; this guard makes it impossible regardless.
        if (this.consentId === undefined) throw new Error('refusing to store an appeal without consent');
        const today = await appealsSince(tx, contactId, new Date(now.getTime() - 24 * 3600_000));
        if (today >= APPEALS_PER_DAY) {
          this.deps.logger.warn({ contactId, channel: this.channel }, 'appeal refused: daily cap reached');
          return { type: 'appealRefused', count: today };
        }
        const created = await createAppeal(tx, {
          contactId,
          consentId: this.consentId,
          channel: this.channel,
          draft: effect.draft,
          now,
        });
        const due = created.callbackDueAt;
        if (due) this.afterCommit.push(() => this.deps.scheduler.scheduleCallbackDeadline(created.id, due));
        this.afterCommit.push(async () => this.announceAppeal(created.id));
        this.deps.logger.info({ appealId: created.id, channel: this.channel }, 'appeal registered');
        return { type: 'appealSubmitted', number: created.number, appealId: created.id };
      }
      case 'loadKnownData': {
        if (this.consentId === undefined) return { type: 'knownData' };
        const card = await latestKnownCard(tx, contactId);
        return { type: 'knownData', draft: card ? knownDraft(card) : undefined };
      }
      case 'askDispatcher':
        return this.askDispatcher(effect.text, effect.appealId);
      case 'surveyAnswer':
        return { type: 'surveyProgress', messages: await answerSurvey(tx, contactId, effect.payload, now) };
      case 'raiseUrgent': {
        // Who and which signal only: the text may be the most sensitive thing the person ever wrote.
        // Stored with the update (an outbox): if the staff chat cannot take it now, the sweep posts it later.
        // One open alert per contact: a repeat raises its count (the staff post is edited, not re-posted).
        const raised = await raiseUrgentAlert(tx, {
          contactId,
          channel: this.channel,
          signal: effect.signal,
          now,
        });
        // The family's open appeals become urgent: first in the inbox, marked on their cards.
        const appeals = await markOpenAppealsUrgent(tx, contactId, now);
        const alert: UrgentAlert = { id: raised.id, contactId, channel: this.channel, signal: effect.signal };
        this.deps.logger.warn(
          { contactId, signal: effect.signal, repeat: raised.repeatCount, urgentAppeals: appeals },
          raised.isNew ? 'crisis signal: urgent hand-off raised' : 'crisis signal repeated on an open alert',
        );
        this.afterCommit.push(async () => this.announceUrgent(alert));
        return undefined;
      }
      case 'previewDeletion':
        return { type: 'deletionPreview', ...(await previewDeletion(tx, contactId, now)) };
      case 'deleteMyData': {
        const erased = await eraseContactData(tx, { id: contactId, channel: this.channel }, now);
        await releaseBookingsOfContact(this.bookingContext());
        this.consentId = undefined;
        const { appealIds, staffPosts } = erased;
        // After commit: deleted rows are squeezed out of the files, then the staff chat forgets its posts.
        this.afterCommit.push(async () => {
          await compactAfterErasure(this.deps.db).catch((error: unknown) =>
            this.deps.logger.warn(
              { err: error },
              'storage not compacted after an erasure; retention retries',
            ),
          );
          this.announceErasure({ appealIds, staffPosts });
        });
        this.deps.logger.info(
          { contactId, appeals: erased.appeals, staffPosts },
          'personal data deleted on request',
        );
        return { type: 'dataDeleted', appeals: erased.appeals };
      }
    }
  }
}

/** The stored card as a draft the flow can show and reuse (only fields that are really there). */
function knownDraft(card: NonNullable<Awaited<ReturnType<typeof latestKnownCard>>>): Partial<AppealDraft> {
  const marital = card.marital_status;
  return {
    ...(card.full_name ? { fullName: card.full_name } : {}),
    ...(card.address ? { address: card.address } : {}),
    ...(marital === 'married' || marital === 'not_married' ? { maritalStatus: marital } : {}),
    ...(card.minor_children !== null ? { minorChildren: card.minor_children } : {}),
    ...(card.birth_date ? { birthDate: card.birth_date } : {}),
    ...(card.phone ? { phone: card.phone } : {}),
  };
}

function openAppealInfo(appeal: Appeal, directory: DispatcherDirectory | undefined): OpenAppealInfo {
  const holderId = appeal.taken_by?.split(':')[1];
  const holder = holderId ? directory?.byId(holderId)?.name : undefined;
  return {
    id: appeal.id,
    number: appeal.number ?? String(appeal.id),
    status: appeal.status,
    ...(appeal.status === 'new' && appeal.callback_due_at
      ? { dueAt: appeal.callback_due_at.toISOString() }
      : {}),
    ...(holder ? { holder } : {}),
  };
}

/** Language choice from any channel: the web switch, or a "lang:xx" button offered by /lang. */
function asLocaleChoice(event: InboundUpdate['event']): Locale | undefined {
  if (event.type === 'setLocale') return event.locale;
  if (event.type === 'button' && event.payload.startsWith('lang:')) {
    const locale = event.payload.slice(5);
    return isLocale(locale) ? locale : undefined;
  }
  return undefined;
}

/** The person's side of the transcript; a tapped button is shown by its label, as they saw it. */
async function describeInbound(db: Db, contactId: number, event: UserEvent): Promise<RenderedMessage> {
  switch (event.type) {
    case 'text':
      return { text: event.text };
    case 'contact':
      return { text: event.phone };
    case 'start':
      return { text: '/start' };
    case 'unsupported':
      return { text: '📎' };
    case 'button': {
      for (const message of await recentOutbound(db, contactId, 5)) {
        const label = message.buttons?.flat().find((button) => button.payload === event.payload)?.label;
        if (label) return { text: label };
      }
      return { text: event.payload };
    }
  }
}
