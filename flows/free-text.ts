import { DateTime } from 'luxon';
import type { Purpose } from '../domain/appeal.ts';
import { relativeMomentArgs } from '../domain/moments.ts';
import { addWorkingMinutes, isWorkingTime, workingPeriodsOn } from '../domain/working-hours.ts';
import type { ConversationState } from './assistant.ts';
import type { BookingRole } from './booking.ts';
import { centerArgs, consentQuestion } from './consent.ts';
import { MENU_BUTTONS } from './menu.ts';
import type {
  Button,
  Effect,
  FlowContext,
  FlowResult,
  Msg,
  NavigatorArticle,
  OutboundMessage,
  Understanding,
} from './types.ts';
import { msg } from './types.ts';

/**
 * What the assistant does with a parent's own words at rest (the menu): the understanding layer has already
 * classified them (intent, entities, navigator articles); this table turns that into an answer or an action.
 * Below the confidence threshold nothing is guessed: the closest topics are offered as buttons, with
 * «Передать вопрос диспетчеру» — and the assistant never says «не поняла» twice in a row.
 */

type Result = FlowResult<ConversationState>;

/** Intents that are answered by a navigator article when the classifier names them. */
export const KB_PREFIX = 'kb.';

/** How sure the knowledge-base search alone must be to answer without the classifier agreeing. */
const ARTICLE_ALONE_SCORE = 0.5;

/** Actions the menu (assistant.ts) knows how to start; the free-text router hands them back to it. */
export type MenuAction =
  | { kind: 'intake'; story?: string; purpose?: Purpose; callback?: boolean }
  | { kind: 'book'; role?: BookingRole; date?: string }
  | { kind: 'bookings' }
  | { kind: 'progress' }
  | { kind: 'contacts' }
  | { kind: 'outreach'; settlement?: string; subscribe?: boolean }
  | { kind: 'delete' }
  | { kind: 'language' }
  | { kind: 'greet' };

export type FreeTextOutcome = { action: MenuAction } | { result: Result };

const reply = (state: ConversationState, messages: OutboundMessage[], effects: Effect[] = []): Result => ({
  state,
  messages,
  effects,
});

/** Buttons after an answer: the next steps an article suggests, then the menu. */
const menuRow = (): Button[] => [{ label: msg('button-menu'), payload: 'nav:menu' }];
const dispatcherButton = (): Button => ({ label: msg('button-ask-dispatcher'), payload: 'ask:dispatcher' });

/** The purpose of an appeal suggested by what the family wrote (confirmed or changed at the purpose step). */
export function purposeFromUnderstanding(understanding: Understanding | undefined): Purpose | undefined {
  if (!understanding) return undefined;
  const { role } = understanding.entities;
  if (role === 'lawyer') return 'lawyer';
  if (role === 'psychologist') return 'psychologist';
  if (role === 'other') return 'other_specialist';
  const intent = understanding.intent ?? '';
  if (intent === 'kb.lawyer') return 'lawyer';
  if (intent === 'kb.psychologist' || intent === 'kb.anonymous') return 'psychologist';
  if (['kb.social_contract', 'kb.low_income', 'kb.benefits', 'kb.large_family'].includes(intent))
    return 'social_services';
  if (intent === 'kb.svo') return 'social_support';
  return undefined;
}

/**
 * The route for a text at the menu. `text` is the family's words (kept in the state only as the pending story
 * of an appeal or the question for a dispatcher; it reaches storage only after consent).
 */
export function routeFreeText(
  state: ConversationState,
  text: string,
  understanding: Understanding,
  ctx: FlowContext,
): FreeTextOutcome {
  const calm = { ...state, misses: undefined };
  const { intent, entities } = understanding;
  switch (intent) {
    case 'greeting':
      return { action: { kind: 'greet' } };
    case 'thanks':
    case 'goodbye':
      return {
        result: reply(calm, [withMenu([msg(intent === 'thanks' ? 'reply-thanks' : 'reply-goodbye')])]),
      };
    case 'presence':
      return { result: reply(calm, [withMenu([msg('reply-presence', presenceArgs(ctx))])]) };
    case 'appeal.new':
      return {
        action: { kind: 'intake', story: text, purpose: purposeFromUnderstanding(understanding) },
      };
    case 'callback.request':
      return { action: { kind: 'intake', story: text, callback: true } };
    case 'book':
      return { action: { kind: 'book', role: entities.role, date: entities.date } };
    case 'bookings.mine':
    case 'booking.cancel':
    case 'booking.move':
      return { action: { kind: 'bookings' } };
    case 'progress.report':
      return { action: { kind: 'progress' } };
    case 'hours':
      if (entities.date) return { result: reply(calm, [hoursOnDay(entities.date, ctx)]) };
      return { action: { kind: 'contacts' } };
    case 'contacts':
      return { action: { kind: 'contacts' } };
    case 'outreach.schedule':
      return { action: { kind: 'outreach', settlement: entities.settlement } };
    case 'outreach.subscribe':
      return { action: { kind: 'outreach', settlement: entities.settlement, subscribe: true } };
    case 'data.delete':
      return { action: { kind: 'delete' } };
    case 'language':
      return { action: { kind: 'language' } };
    case 'appeal.status':
      return { result: appealStatus(calm, text, ctx) };
    case 'dispatcher.human':
      return { result: toDispatcher(calm, text, ctx) };
    default:
      break;
  }
  const article = articleFor(understanding, ctx);
  if (article) {
    // The words are kept (in the state only) for the buttons under the answer: «Оставить обращение» takes them
    // as the appeal's description after consent, «Передать вопрос диспетчеру» as the question.
    const kept: ConversationState = {
      ...calm,
      pendingText: text,
      pendingFor: 'appeal',
      suggestedPurpose: purposeFromUnderstanding(understanding),
    };
    return { result: reply(kept, [articleMessage(article)]) };
  }
  return { result: notUnderstood(state, text, understanding, ctx) };
}

/** A navigator article: the one the classifier named, or a confident full-text match. */
function articleFor(understanding: Understanding, ctx: FlowContext): NavigatorArticle | undefined {
  const navigator = ctx.navigator;
  if (!navigator) return undefined;
  const { intent } = understanding;
  if (intent?.startsWith(KB_PREFIX)) {
    const named = navigator.forIntent(intent, ctx.locale);
    if (named) return named;
  }
  // A weaker search hit is not answered: it is offered as a "did you mean" button (topicButtons).
  const best = understanding.articles[0];
  return best && best.score >= ARTICLE_ALONE_SCORE ? navigator.article(best.id, ctx.locale) : undefined;
}

const NEXT_BUTTONS: Record<string, () => Button> = {
  appeal: () => ({ label: msg('menu-intake'), payload: 'menu:intake' }),
  book: () => ({ label: msg('menu-book'), payload: 'menu:book' }),
  'book:lawyer': () => ({ label: msg('next-book-lawyer'), payload: 'menu:book:lawyer' }),
  'book:psychologist': () => ({ label: msg('next-book-psychologist'), payload: 'menu:book:psychologist' }),
  'book:other': () => ({ label: msg('next-book-other'), payload: 'menu:book:other' }),
  outreach: () => ({ label: msg('menu-outreach'), payload: 'menu:outreach' }),
  contacts: () => ({ label: msg('menu-contacts'), payload: 'menu:contacts' }),
  dispatcher: dispatcherButton,
};

/** The article's answer, what to bring, and buttons for the next step (always with a way to a person). */
export function articleMessage(article: NavigatorArticle): OutboundMessage {
  const parts: Array<Msg | Msg[]> = [msg('kb-answer', { title: article.title, answer: article.answer })];
  if (article.documents.length > 0) {
    parts.push([msg('kb-documents'), ...article.documents.map((item) => msg('kb-document', { item }))]);
  }
  // Every answer leaves the three ways on: an appeal, what the article suggests, a person.
  const steps = article.next.includes('appeal') ? article.next : ['appeal', ...article.next];
  const next = steps
    .map((key) => NEXT_BUTTONS[key]?.())
    .filter((button): button is Button => button !== undefined);
  if (!article.next.includes('dispatcher')) next.push(dispatcherButton());
  return { parts, buttons: [...next.map((button) => [button]), menuRow()] };
}

/** «Вы работаете в субботу?»: that day's hours (holidays included), then the contacts card. */
function hoursOnDay(date: string, ctx: FlowContext): OutboundMessage {
  const day = DateTime.fromISO(date, { zone: ctx.center.timeZone });
  const periods = workingPeriodsOn(day, ctx.center)
    .map((period) => `${period.start?.toFormat('HH:mm')}–${period.end?.toFormat('HH:mm')}`)
    .join(', ');
  return withMenu([
    msg('hours-on-day', {
      day: day.setLocale(ctx.locale).toFormat('cccc, dd.MM'),
      open: periods ? 'yes' : 'no',
      periods,
    }),
    msg('contacts', centerArgs(ctx)),
  ]);
}

function withMenu(parts: Array<Msg | Msg[]>): OutboundMessage {
  return { parts, buttons: MENU_BUTTONS };
}

function presenceArgs(ctx: FlowContext) {
  return { open: isWorkingTime(ctx.now, ctx.center) ? 'yes' : 'no', phone: ctx.center.phone };
}

/** «Когда мне перезвонят?»: the open appeal's status and promise; the family's words reach the dispatcher. */
function appealStatus(state: ConversationState, text: string, ctx: FlowContext): Result {
  const open = ctx.openAppeal;
  if (!open) {
    return reply(state, [
      {
        parts: [msg('status-none')],
        buttons: [[{ label: msg('menu-intake'), payload: 'menu:intake' }], [dispatcherButton()], menuRow()],
      },
    ]);
  }
  const due = open.dueAt ? new Date(open.dueAt) : undefined;
  const late = due !== undefined && due.getTime() < ctx.now.getTime();
  const args = {
    number: open.number,
    status: open.status,
    holder: open.holder ?? '',
    ...(due ? relativeMomentArgs(due, ctx.now, ctx.center.timeZone) : { dueDay: 'none' }),
  };
  // Waiting families are impatient for good reason: their words go to the dispatcher as a nudge.
  return reply(
    state,
    [withMenu([msg(late ? 'status-late' : 'status-open', args), msg('status-forwarded')])],
    [{ type: 'askDispatcher', text, appealId: open.id }],
  );
}

/** «Хочу поговорить с человеком» or «Передать вопрос диспетчеру». */
export function toDispatcher(state: ConversationState, text: string, ctx: FlowContext): Result {
  const open = ctx.openAppeal;
  if (open) {
    return reply(
      { ...state, misses: undefined, pendingText: undefined },
      [withMenu([msg('forwarded-to-appeal', { number: open.number })])],
      [{ type: 'askDispatcher', text, appealId: open.id }],
    );
  }
  return askQuestion({ ...state, misses: undefined }, text, ctx);
}

/**
 * A question for a dispatcher without an appeal: it needs the (short) consent first, since the words may hold
 * personal data; then it becomes a question in the inbox and the family is told when to expect the answer.
 */
export function askQuestion(state: ConversationState, text: string, ctx: FlowContext): Result {
  const next: ConversationState = { ...state, pendingText: text, pendingFor: 'question' };
  if (!ctx.hasConsent) return reply({ ...next, step: 'consent' }, [consentQuestion(ctx, 'question')]);
  return reply(
    { ...next, pendingText: undefined, pendingFor: undefined },
    [],
    [{ type: 'askDispatcher', text }],
  );
}

/** When a dispatcher will answer a question: within the promise, in working hours. */
export function answerExpectedArgs(ctx: FlowContext) {
  const due = addWorkingMinutes(ctx.now, ctx.center.callbackPromiseMinutes, ctx.center);
  return {
    ...relativeMomentArgs(due, ctx.now, ctx.center.timeZone),
    open: isWorkingTime(ctx.now, ctx.center) ? 'yes' : 'no',
  };
}

/**
 * Below the threshold. With an open appeal the words go to its dispatcher (marked unread) instead of a menu.
 * Otherwise: the closest topics as buttons and a way to a person; a second miss in a row does not repeat
 * «не поняла» but offers the dispatcher plainly.
 */
function notUnderstood(
  state: ConversationState,
  text: string,
  understanding: Understanding,
  ctx: FlowContext,
): Result {
  if (ctx.openAppeal) return toDispatcher(state, text, ctx);
  const misses = (state.misses ?? 0) + 1;
  const kept: ConversationState = { ...state, misses, pendingText: text, pendingFor: 'question' };
  const topics = topicButtons(understanding, ctx);
  if (misses >= 2) {
    return reply(kept, [
      {
        parts: [msg('fallback-offer-dispatcher')],
        buttons: [[dispatcherButton()], ...topics.map((b) => [b]), menuRow()],
      },
    ]);
  }
  return reply(kept, [
    {
      parts: [msg(topics.length > 0 ? 'fallback-topics' : 'fallback-no-topics')],
      buttons: [...topics.map((button) => [button]), [dispatcherButton()], menuRow()],
    },
  ]);
}

/** The two or three closest topics: classifier alternatives and navigator hits, without repeats. */
function topicButtons(understanding: Understanding, ctx: FlowContext): Button[] {
  const buttons: Button[] = [];
  const seen = new Set<string>();
  const add = (payload: string, label: Msg) => {
    if (seen.has(payload) || buttons.length >= 3) return;
    seen.add(payload);
    buttons.push({ label, payload });
  };
  for (const alternative of understanding.alternatives) {
    if (alternative.intent.startsWith(KB_PREFIX)) {
      const article = ctx.navigator?.forIntent(alternative.intent, ctx.locale);
      if (article) add(`kb:${article.id}`, msg('topic-article', { title: article.title }));
    } else if (TOPIC_LABELS[alternative.intent]) {
      add(`topic:${alternative.intent}`, msg(TOPIC_LABELS[alternative.intent] as string));
    }
  }
  for (const hit of understanding.articles) {
    const article = ctx.navigator?.article(hit.id, ctx.locale);
    if (article) add(`kb:${article.id}`, msg('topic-article', { title: article.title }));
  }
  return buttons;
}

/** Intents a "did you mean" button can stand for, and their labels. */
export const TOPIC_LABELS: Record<string, string> = {
  'appeal.new': 'menu-intake',
  book: 'menu-book',
  'bookings.mine': 'menu-bookings',
  'appeal.status': 'topic-status',
  'callback.request': 'topic-callback',
  contacts: 'menu-contacts',
  hours: 'menu-contacts',
  'outreach.schedule': 'menu-outreach',
  'progress.report': 'menu-progress',
};
