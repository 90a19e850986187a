import { DateTime } from 'luxon';
import { type CenterProfile, type Locale, localized } from '../config/center.ts';
import { formatOutreachLines } from '../domain/center-info.ts';
import {
  type DueReminder,
  nextVisits,
  type OutreachChange,
  type Settlement,
  settlementByKey,
  settlementInText,
  settlementsOf,
  type Visit,
  visitsBetween,
} from '../domain/outreach.ts';
import type { ConversationState } from './assistant.ts';
import type {
  Button,
  Effect,
  FlowContext,
  FlowResult,
  Msg,
  OutboundMessage,
  OutreachAction,
  SystemEvent,
} from './types.ts';
import { msg } from './types.ts';

/**
 * "When do you come to my village?" (issue 7): the schedule by settlement, the next dates with place and
 * hours, subscriptions to reminders. Stateless: every button carries what it is about (`out:<verb>:<key>`,
 * an ASCII settlement key, well under Telegram's 64 bytes), so a button in an old reminder still works.
 * What lives in the database (staff changes, subscriptions) comes back as an `outreachData` event.
 */

type Result = FlowResult<ConversationState>;
type OutreachData = Extract<SystemEvent, { type: 'outreachData' }>;

const reply = (state: ConversationState, messages: OutboundMessage[], effects: Effect[] = []): Result => ({
  state,
  messages,
  effects,
});
const ask = (state: ConversationState, action: OutreachAction, settlement?: Settlement): Result =>
  reply({ ...state, step: 'menu' }, [], [{ type: 'outreach', action, settlement: settlement?.name }]);

const MENU_ROW: Button[] = [{ label: msg('outreach-menu-button'), payload: 'nav:menu' }];

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}

/** The menu's «График выездов»: the weekly overview, then a button per settlement. */
export function outreachMenu(state: ConversationState, ctx: FlowContext): Result {
  const settlements = settlementsOf(ctx.center);
  const overview: Array<Msg | Msg[]> = [msg('outreach-title'), formatOutreachLines(ctx.center, ctx.locale)];
  if (settlements.length === 0) return reply(state, [{ parts: overview, buttons: [MENU_ROW] }]);
  // One settlement (a one-window partner schedule): its dates at once, no choice to make.
  const only = settlements.length === 1 ? settlements[0] : undefined;
  if (only) {
    const shown = ask(state, 'show', only);
    return { ...shown, messages: [{ parts: overview }] };
  }
  return reply({ ...state, step: 'menu' }, [
    {
      parts: [...overview, msg('outreach-choose')],
      buttons: [
        ...settlementButtons(settlements),
        [{ label: msg('outreach-my-button'), payload: 'out:my' }],
        MENU_ROW,
      ],
    },
  ]);
}

const settlementButtons = (settlements: Settlement[]): Button[][] =>
  chunk(
    settlements.map((s) => ({
      label: msg('outreach-settlement-button', { settlement: s.name }),
      payload: `out:s:${s.key}`,
    })),
    2,
  );

/** Outreach buttons (`out:…`); undefined when the payload is not one. Stale keys get a polite answer. */
export function onOutreachButton(
  state: ConversationState,
  payload: string,
  ctx: FlowContext,
): Result | undefined {
  if (!payload.startsWith('out:')) return undefined;
  const [, verb = '', key = ''] = payload.split(':');
  if (verb === 'my') return ask(state, 'mine');
  if (verb === 'list') return outreachMenu(state, ctx);
  const settlement = settlementByKey(ctx.center, key);
  const action = ({ s: 'show', sub: 'subscribe', uns: 'unsubscribe' } as const)[verb as 's' | 'sub' | 'uns'];
  if (!action || !settlement) return reply({ ...state, step: 'menu' }, [unknownSettlement()]);
  return ask(state, action, settlement);
}

/** A stale button or a settlement removed from the profile since. */
const unknownSettlement = (): OutboundMessage => ({
  parts: [msg('outreach-unknown-settlement')],
  buttons: [[{ label: msg('outreach-list-button'), payload: 'out:list' }], MENU_ROW],
});

const STRONG = /график|выезд|приед|приезж|расписан|schedule|visit|\bcome/i;
const WEAK = /когда|when/i;
const SUBSCRIPTIONS = /подписк|отпис|subscription|unsubscribe/i;

/**
 * Free text at the menu about the schedule: «когда приедете в Инской?», «к нам в Бачатский когда?», a bare
 * «Грамотеино», «мои подписки». `otherIntent` is what the menu would otherwise make of the text: «когда можно
 * записаться к юристу в Белово» is about booking, not about visits.
 */
export function onOutreachText(
  state: ConversationState,
  text: string,
  ctx: FlowContext,
  otherIntent: string | undefined,
): Result | undefined {
  if (SUBSCRIPTIONS.test(text) && (otherIntent === undefined || otherIntent === 'outreach'))
    return ask(state, 'mine');
  const settlement = settlementInText(ctx.center, text);
  if (!settlement) return undefined;
  const short = text.trim().split(/\s+/).length <= 3;
  const free = otherIntent === undefined || otherIntent === 'outreach';
  if (STRONG.test(text) || (free && (WEAK.test(text) || short))) return ask(state, 'show', settlement);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Answers built from the database's view

export function onOutreachData(state: ConversationState, event: OutreachData, ctx: FlowContext): Result {
  const settlement = settlementsOf(ctx.center).find((s) => s.name === event.settlement);
  if (event.action === 'mine') return reply(state, [mySubscriptions(event.subscriptions, ctx)]);
  if (!settlement) return reply(state, [unknownSettlement()]);
  const subscribed = event.subscriptions.includes(settlement.name);
  const dates = settlementDates(settlement, event.changes, subscribed, ctx);
  if (event.action === 'subscribe') {
    return reply(state, [
      {
        ...dates,
        parts: [msg('outreach-subscribed', { settlement: settlement.name }), ...dates.parts.slice(1)],
      },
    ]);
  }
  if (event.action === 'unsubscribe') {
    return reply(state, [
      {
        parts: [msg('outreach-unsubscribed', { settlement: settlement.name })],
        buttons: [
          [{ label: msg('outreach-subscribe-button'), payload: `out:sub:${settlement.key}` }],
          MENU_ROW,
        ],
      },
    ]);
  }
  return reply(state, [dates]);
}

const dayLabel = (date: string, locale: Locale) =>
  DateTime.fromISO(date).setLocale(locale).toFormat('ccc, dd.MM');

/** One line per visit: date, place, hours; a cancelled one says so (with the staff's reason, if any). */
export function visitLine(visit: Visit, locale: Locale): Msg {
  const date = dayLabel(visit.date, locale);
  if (visit.status === 'cancelled') {
    return visit.reason
      ? msg('outreach-visit-cancelled-reason', { date, reason: visit.reason })
      : msg('outreach-visit-cancelled', { date });
  }
  return msg('outreach-visit-line', {
    date,
    place: localized(visit.place, locale),
    from: visit.hours.from,
    to: visit.hours.to,
    status: visit.status,
  });
}

const byArrangement = (center: CenterProfile, settlement: string) =>
  center.outreach.some((entry) => entry.settlement === settlement && entry.rule.type === 'by_arrangement');

/** The settlement's next dates, with Subscribe or Unsubscribe. */
export function settlementDates(
  settlement: Settlement,
  changes: OutreachChange[],
  subscribed: boolean,
  ctx: FlowContext,
): OutboundMessage {
  const visits = nextVisits(ctx.center, changes, settlement.name, ctx.now);
  const parts: Array<Msg | Msg[]> = [msg('outreach-next-title', { settlement: settlement.name })];
  if (visits.length > 0) parts.push(visits.map((visit) => visitLine(visit, ctx.locale)));
  if (byArrangement(ctx.center, settlement.name))
    parts.push(msg('outreach-arranged', { phone: ctx.center.phone }));
  else if (visits.length === 0) parts.push(msg('outreach-none-ahead', { phone: ctx.center.phone }));
  parts.push(subscribed ? msg('outreach-subscribed-note') : msg('outreach-subscribe-offer'));
  const toggle: Button = subscribed
    ? { label: msg('outreach-unsubscribe-button'), payload: `out:uns:${settlement.key}` }
    : { label: msg('outreach-subscribe-button'), payload: `out:sub:${settlement.key}` };
  const more: Button[] = [{ label: msg('outreach-my-button'), payload: 'out:my' }];
  if (settlementsOf(ctx.center).length > 1)
    more.unshift({ label: msg('outreach-other-button'), payload: 'out:list' });
  return { parts, buttons: [[toggle], more, MENU_ROW] };
}

function mySubscriptions(subscriptions: string[], ctx: FlowContext): OutboundMessage {
  const known = settlementsOf(ctx.center).filter((s) => subscriptions.includes(s.name));
  if (known.length === 0) {
    return {
      parts: [msg('outreach-my-none')],
      buttons: [[{ label: msg('outreach-list-button'), payload: 'out:list' }], MENU_ROW],
    };
  }
  return {
    parts: [msg('outreach-my-title'), known.map((s) => msg('outreach-my-line', { settlement: s.name }))],
    buttons: [
      ...known.map((s) => [
        { label: msg('outreach-unsubscribe-from', { settlement: s.name }), payload: `out:uns:${s.key}` },
      ]),
      [{ label: msg('outreach-list-button'), payload: 'out:list' }],
      MENU_ROW,
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// System-initiated: reminders and change notices (sent by bot/outreach-notices.ts)

const noticeButtons = (settlement: Settlement): Button[][] => [
  [
    {
      label: msg('outreach-unsubscribe-from', { settlement: settlement.name }),
      payload: `out:uns:${settlement.key}`,
    },
  ],
  [{ label: msg('outreach-all-dates-button'), payload: `out:s:${settlement.key}` }],
];

/** «Завтра, пт, 27.11 — приём специалистов (Бачатский)»: place, address, hours, the center's phone. */
export function reminderMessage(
  reminder: DueReminder,
  center: CenterProfile,
  locale: Locale,
): OutboundMessage {
  const settlement = settlementsOf(center).find((s) => s.name === reminder.settlement) ?? {
    name: reminder.settlement,
    key: '',
  };
  const key = reminder.kind === 'dayBefore' ? 'outreach-reminder-day-before' : 'outreach-reminder-morning';
  return {
    parts: [
      msg(key, { date: dayLabel(reminder.date, locale), settlement: settlement.name }),
      reminder.visits.map((visit) =>
        msg('outreach-reminder-line', {
          place: localized(visit.place, locale),
          from: visit.hours.from,
          to: visit.hours.to,
        }),
      ),
      msg('outreach-reminder-phone', { phone: center.phone }),
    ],
    buttons: settlement.key ? noticeButtons(settlement) : undefined,
  };
}

/**
 * A staff change, told to the settlement's subscribers: what was cancelled, moved or added, the reason, and
 * the next visit as it stands now.
 */
export function changeNotice(
  change: OutreachChange,
  changes: OutreachChange[],
  center: CenterProfile,
  now: Date,
  locale: Locale,
): OutboundMessage {
  const settlement = settlementsOf(center).find((s) => s.name === change.settlement) ?? {
    name: change.settlement,
    key: '',
  };
  const name = settlement.name;
  const parts: Array<Msg | Msg[]> = [];
  const upToThis = changes.filter((other) => other.id <= change.id);
  if (change.kind === 'cancel') {
    parts.push(msg('outreach-change-cancelled', { settlement: name, date: dayLabel(change.date, locale) }));
  } else {
    const day = change.newDate ?? change.date;
    const after = visitsBetween(center, upToThis, day, day).filter(
      (visit) =>
        visit.settlement === name &&
        visit.status !== 'cancelled' &&
        (change.kind === 'extra' ? visit.entryId === `x${change.id}` : visit.was !== undefined),
    );
    const lines = after.map((visit) => visitLine(visit, locale));
    parts.push(
      change.kind === 'extra'
        ? msg('outreach-change-extra', { settlement: name })
        : msg('outreach-change-moved', { settlement: name, date: dayLabel(change.date, locale) }),
    );
    if (lines.length > 0) parts.push(lines);
  }
  if (change.reason) parts.push(msg('outreach-change-reason', { reason: change.reason }));
  const next = nextVisits(center, changes, name, now, 1).filter((visit) => visit.status !== 'cancelled');
  if (change.kind === 'cancel') {
    parts.push(
      next.length > 0
        ? [msg('outreach-change-next'), ...next.map((visit) => visitLine(visit, locale))]
        : msg('outreach-none-ahead', { phone: center.phone }),
    );
  }
  parts.push(msg('outreach-reminder-phone', { phone: center.phone }));
  return { parts, buttons: settlement.key ? noticeButtons(settlement) : undefined };
}
