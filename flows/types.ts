import type { CenterProfile, Locale } from '../config/center.ts';
import type { AppealDraft } from '../domain/appeal.ts';
import type { CrisisSignal } from '../domain/crisis.ts';
import type { OutreachChange } from '../domain/outreach.ts';

/** A localisable piece of text: a Fluent message id and its arguments. Flows never hold rendered strings. */
export type Msg = { key: string; args?: Record<string, string | number> };

export type Button = { label: Msg; payload: string };

/**
 * A channel-neutral message. `parts` are paragraphs; a paragraph given as an array is a list of lines.
 * Adapters decide how buttons look (inline keyboard, VK keyboard, HTML buttons).
 */
export type OutboundMessage = {
  parts: Array<Msg | Msg[]>;
  buttons?: Button[][];
  /** Ask the channel to offer a "share my phone number" control where it has one. */
  requestPhone?: boolean;
};

/** Specialist roles a family can name in free text («к юристу», «психолог»). */
export type RoleEntity = 'lawyer' | 'psychologist' | 'other';

/**
 * What the understanding layer read in a free text. The runtime computes it (classifier, entity extraction,
 * knowledge-base search are async and need the database) and hands it to the flow with the text, so flows stay
 * pure and never import the NLU library. Absent in flow tests that do not need it and for commands.
 */
export type Understanding = {
  /** The best intent (see `nlu/README.md` for the catalogue), or undefined below the confidence threshold. */
  intent?: string;
  /** The classifier's score of the best intent, 0–1. */
  score: number;
  /** The closest intents, best first (at most three), above a floor: the "did you mean" buttons. */
  alternatives: Array<{ intent: string; score: number }>;
  entities: {
    role?: RoleEntity;
    /** Canonical name of a settlement of the center's outreach schedule, from any word form. */
    settlement?: string;
    /** A local calendar date (YYYY-MM-DD, the center's zone) named in the text: «завтра», «в четверг». */
    date?: string;
    /** A local time (HH:MM) or part of the day named in the text. */
    time?: string;
    dayPart?: 'morning' | 'afternoon' | 'evening';
    /** services[].id of the center profile. */
    service?: string;
    /** Family situation codes: large_family, single_parent, disability, svo, low_income, foster, expecting. */
    situations?: string[];
  };
  /** Navigator articles matching the text, best first (PostgreSQL full-text search combined with the classifier). */
  articles: Array<{ id: string; score: number }>;
};

/** What a person did, after the adapter translated the platform update. */
export type UserEvent =
  | { type: 'start' }
  | { type: 'text'; text: string; understanding?: Understanding }
  | { type: 'button'; payload: string }
  | { type: 'contact'; phone: string }
  /** A photo, sticker, voice message…: answered politely, never stored. */
  | { type: 'unsupported' };

/** Results of effects, fed back into the flow by the runtime so the flow stays pure. */
export type SystemEvent =
  | { type: 'appealSubmitted'; number: string; appealId?: number }
  /** Not stored: this contact already sent `count` appeals today (the daily cap against floods). */
  | { type: 'appealRefused'; count: number }
  | { type: 'dataDeleted'; appeals: number }
  /** What «Удалить мои данные» would cancel: upcoming bookings (ISO), subscribed settlements, open appeal numbers. */
  | { type: 'deletionPreview'; bookings: string[]; subscriptions: string[]; openAppeals: string[] }
  | { type: 'slotsFound'; slots: SlotInfo[] }
  | { type: 'slotHeld'; bookingId: number; slot: SlotInfo }
  | { type: 'slotTaken'; alternatives: SlotInfo[] }
  | { type: 'bookingConfirmed'; bookingId: number }
  | { type: 'holdExpired' }
  | {
      type: 'bookingsListed';
      bookings: Array<{
        id: number;
        startsAt: string;
        role?: 'lawyer' | 'psychologist' | 'other';
        specialistId?: string;
      }>;
    }
  | { type: 'bookingCancelled'; ok: boolean }
  | { type: 'attendanceRecorded'; ok: boolean }
  /** What to show after a survey answer (the next question, or thanks), built by the runtime. */
  | { type: 'surveyProgress'; messages: OutboundMessage[] }
  /** After an outreach effect: the family's subscriptions and the staff changes of the schedule ahead. */
  | {
      type: 'outreachData';
      action: OutreachAction;
      settlement?: string;
      subscriptions: string[];
      changes: OutreachChange[];
    }
  /** The family's open appeals it can report progress on (newest first). */
  | { type: 'openAppealsListed'; appeals: Array<{ id: number; number: string }> }
  /** A progress answer was stored — or not: a stale button, or the appeal is closed meanwhile. */
  | {
      type: 'progressRecorded';
      ok: boolean;
      reason?: 'closed' | 'stale';
      appealId: number;
      number?: string;
      answer: 'yes' | 'partly' | 'no' | 'help';
    }
  | { type: 'progressCommentSaved'; ok: boolean }
  /** What the center already knows about a returning family (their latest appeal), for «Всё ещё верно?». */
  | { type: 'knownData'; draft?: Partial<AppealDraft> }
  /**
   * The family's words reached a dispatcher: added to an open appeal (`number` of it, `forwarded`), or
   * registered as a new question in the inbox with the time the answer is promised by.
   */
  | { type: 'questionAsked'; number: string; forwarded: boolean; dueAt?: string };

export type OutreachAction = 'show' | 'subscribe' | 'unsubscribe' | 'mine';

/** A slot as flows see it: ISO instants, so it can live in the persisted state. */
export type SlotInfo = { specialistId: string; startsAt: string; endsAt: string };

export type FlowEvent = UserEvent | SystemEvent;

/** Side effects a flow asks the runtime to perform (in the same transaction as the state change). */
export type Effect =
  | { type: 'recordConsent'; granted: boolean }
  | { type: 'submitAppeal'; draft: AppealDraft }
  | { type: 'deleteMyData' }
  /** Looks up what a deletion would cancel (answered with `deletionPreview`). */
  | { type: 'previewDeletion' }
  | { type: 'findSlots'; role: 'lawyer' | 'psychologist' | 'other' }
  | { type: 'holdSlot'; specialistId: string; startsAt: string }
  | { type: 'confirmBooking'; bookingId: number; rescheduleOf?: number; appealId?: number }
  | { type: 'listBookings' }
  | { type: 'cancelBooking'; bookingId: number }
  | { type: 'markAttendance'; bookingId: number; attended: boolean }
  /** A tap on a satisfaction-survey button ("sv:<survey>:<question>:<answer>"). */
  | { type: 'surveyAnswer'; payload: string }
  /** «Сообщить о результате»: which appeals can the family report on. */
  | { type: 'listOpenAppeals' }
  /** The family's answer to «Решился ли ваш вопрос?» (from the follow-up or the menu). */
  | { type: 'progressAnswer'; appealId: number; answer: 'yes' | 'partly' | 'no' | 'help' }
  /** The family's own words about progress (only after consent; never logged). */
  | { type: 'progressComment'; appealId: number; text: string }
  /** A crisis signal in the person's message: dispatchers are alerted out of turn (never with the text). */
  | { type: 'raiseUrgent'; signal: CrisisSignal }
  /** Outreach schedule: show a settlement's dates, (un)subscribe, list subscriptions (settlement by name). */
  | { type: 'outreach'; action: OutreachAction; settlement?: string }
  /** The family's latest personal data, to confirm instead of retyping (only with consent). */
  | { type: 'loadKnownData' }
  /**
   * The family's words for a person: to the open appeal `appealId` (marked unread in the inbox), or as a new
   * question in the inbox when there is none (only with consent: the words may hold personal data).
   */
  | { type: 'askDispatcher'; text: string; appealId?: number };

/** A navigator (knowledge-base) article as a flow shows it, already in the family's language. */
export type NavigatorArticle = {
  id: string;
  title: string;
  answer: string;
  /** What to bring, one item per line. */
  documents: string[];
  /** Suggested next steps: appeal, book, book:lawyer, book:psychologist, book:other, outreach, contacts, dispatcher. */
  next: string[];
};

/** The center's navigator, read-only for flows (the runtime loads it from `knowledge/`). */
export type Navigator = {
  article(id: string, locale: Locale): NavigatorArticle | undefined;
  /** The article answering a classifier intent such as `kb.free`. */
  forIntent(intent: string, locale: Locale): NavigatorArticle | undefined;
};

/** The family's newest appeal still open, as context for «когда перезвонят?» and messages to a person. */
export type OpenAppealInfo = {
  id: number;
  number: string;
  status: string;
  /** When the center promised to get in touch (ISO), if it still waits for that. */
  dueAt?: string;
  /** The dispatcher who has it. */
  holder?: string;
};

export type FlowContext = {
  now: Date;
  center: CenterProfile;
  locale: Locale;
  /** The contact has a current, granted consent to personal-data processing. */
  hasConsent: boolean;
  navigator?: Navigator;
  openAppeal?: OpenAppealInfo;
};

export type FlowResult<State> = { state: State; messages: OutboundMessage[]; effects: Effect[] };

export const msg = (key: string, args?: Msg['args']): Msg => (args ? { key, args } : { key });
