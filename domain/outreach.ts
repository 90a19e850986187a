import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import {
  type CenterProfile,
  isQuietClock,
  type LocalizedText,
  type OutreachEntry,
  outreachQuietHours,
  WEEKDAYS,
} from '../config/center.ts';
import { isHoliday } from './holidays.ts';

/**
 * The outreach schedule (outreach.md): when the center's specialists come to a settlement, or a partner
 * organisation receives in the one window. Recurring rules come from the center profile, staff changes
 * (cancellations, moved dates/hours/places, extra dates) from the database; both meet here, in pure functions
 * over local dates (YYYY-MM-DD) in the center's zone.
 */

export type Hours = { from: string; to: string };

/** A staff change of the schedule, as stored. */
export type OutreachChange = {
  id: number;
  settlement: string;
  kind: 'cancel' | 'change' | 'extra';
  /** The visit day it concerns (cancel, change), or the extra day. */
  date: string;
  /** Which visit of that day; every visit of the settlement that day when omitted. */
  entryId?: string;
  newDate?: string;
  hours?: Hours;
  place?: LocalizedText;
  /** Staff's words for the families ("в связи с карантином"); never personal data. */
  reason?: string;
  /** ISO instant: subscribers at that moment are told. */
  createdAt: string;
};

export type VisitStatus = 'scheduled' | 'changed' | 'extra' | 'cancelled';

export type Visit = {
  settlement: string;
  entryId: string;
  date: string;
  hours: Hours;
  place: LocalizedText;
  status: VisitStatus;
  rule: OutreachEntry['rule']['type'] | 'extra';
  /** When and where it was before a change. */
  was?: { date: string; hours: Hours; place: LocalizedText };
  reason?: string;
};

export type Settlement = { name: string; key: string };

// ---------------------------------------------------------------------------------------------------------
// Settlements and ids

const TRANSLIT: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** "Новый Городок" → "novyy-gorodok": a short ASCII key for button payloads (≤ 64 bytes on Telegram). */
export function settlementKey(name: string): string {
  return [...name.toLocaleLowerCase('ru')]
    .map((char) => TRANSLIT[char] ?? char)
    .join('')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

/** Settlements in the order the profile names them first. */
export function settlementsOf(center: Pick<CenterProfile, 'outreach'>): Settlement[] {
  const names = [...new Set(center.outreach.map((entry) => entry.settlement))];
  return names.map((name) => ({ name, key: settlementKey(name) }));
}

export function settlementByKey(
  center: Pick<CenterProfile, 'outreach'>,
  key: string,
): Settlement | undefined {
  return settlementsOf(center).find((settlement) => settlement.key === key);
}

/** A settlement named exactly (any case) or by its key. */
export function findSettlement(
  center: Pick<CenterProfile, 'outreach'>,
  nameOrKey: string,
): Settlement | undefined {
  const wanted = nameOrKey.trim().toLocaleLowerCase('ru');
  return settlementsOf(center).find(
    (settlement) => settlement.key === wanted || settlement.name.toLocaleLowerCase('ru') === wanted,
  );
}

/** A stable id of a profile entry: staff refer to "this visit" by it; it changes only if the entry does. */
export function entryId(entry: OutreachEntry): string {
  const basis = JSON.stringify([entry.settlement, entry.place.ru, entry.rule, entry.hours ?? null]);
  return `e${createHash('sha256').update(basis).digest('hex').slice(0, 8)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Recurrence

const day = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });
const iso = (date: DateTime) => date.toISODate() ?? '';

/** Whether a profile entry's rule puts a visit on a local date (public holidays skip recurring visits). */
export function occursOn(
  entry: OutreachEntry,
  date: string,
  center: Pick<CenterProfile, 'calendar'>,
): boolean {
  const { rule } = entry;
  if (rule.type === 'once') return rule.date === date;
  if (rule.type === 'by_arrangement') return false;
  const d = day(date);
  if (WEEKDAYS[d.weekday - 1] !== rule.weekday) return false;
  if (isHoliday(date, center.calendar)) return false;
  if (rule.type === 'weekly') return true;
  if (rule.type === 'biweekly') {
    // Whole weeks (Monday to Monday) from the anchor's week, in either direction: even → a visit week.
    const weeks = Math.round(d.startOf('week').diff(day(rule.anchor).startOf('week'), 'weeks').weeks);
    return Math.abs(weeks) % 2 === 0;
  }
  // n-th weekday of the month: the 2nd Wednesday is on day 8–14, the 4th on 22–28.
  return rule.nth.includes(Math.ceil(d.day / 7));
}

function* daysBetween(from: string, to: string): Generator<string> {
  for (let d = day(from); d <= day(to); d = d.plus({ days: 1 })) yield iso(d);
}

/**
 * Every visit between two local dates (both included), with staff changes applied in the order they were
 * made: cancelled visits are kept (status "cancelled") so they can be shown struck out; a moved visit appears
 * on its new date, with where and when it was.
 */
export function visitsBetween(
  center: Pick<CenterProfile, 'outreach' | 'calendar'>,
  changes: readonly OutreachChange[],
  from: string,
  to: string,
): Visit[] {
  const ordered = [...changes].sort((a, b) => a.id - b.id);
  // A visit moved into the range from outside it must be generated from its original day.
  const sourceDays = new Set(daysBetween(from, to));
  for (const change of ordered) if (change.kind === 'change') sourceDays.add(change.date);
  let visits: Visit[] = [];
  for (const date of [...sourceDays].sort()) {
    for (const entry of center.outreach) {
      if (!occursOn(entry, date, center) || !entry.hours) continue;
      visits.push({
        settlement: entry.settlement,
        entryId: entryId(entry),
        date,
        hours: entry.hours,
        place: entry.place,
        status: 'scheduled',
        rule: entry.rule.type,
      });
    }
  }
  for (const change of ordered) visits = applyChange(visits, change);
  return visits
    .filter((visit) => visit.date >= from && visit.date <= to)
    .sort((a, b) => a.date.localeCompare(b.date) || a.hours.from.localeCompare(b.hours.from));
}

/** Whether a change concerns a visit (same settlement and day, and the same entry when one is named). */
export const changeTargets = (change: OutreachChange, visit: Visit): boolean =>
  visit.settlement === change.settlement &&
  visit.date === change.date &&
  visit.status !== 'cancelled' &&
  (change.entryId === undefined || change.entryId === visit.entryId);

function applyChange(visits: Visit[], change: OutreachChange): Visit[] {
  if (change.kind === 'extra') {
    if (!change.hours || !change.place) return visits;
    return [
      ...visits,
      {
        settlement: change.settlement,
        entryId: `x${change.id}`,
        date: change.date,
        hours: change.hours,
        place: change.place,
        status: 'extra',
        rule: 'extra',
        reason: change.reason,
      },
    ];
  }
  return visits.map((visit) => {
    if (!changeTargets(change, visit)) return visit;
    if (change.kind === 'cancel') return { ...visit, status: 'cancelled', reason: change.reason };
    return {
      ...visit,
      date: change.newDate ?? visit.date,
      hours: change.hours ?? visit.hours,
      place: change.place ?? visit.place,
      status: visit.status === 'extra' ? 'extra' : 'changed',
      was: visit.was ?? { date: visit.date, hours: visit.hours, place: visit.place },
      reason: change.reason ?? visit.reason,
    };
  });
}

const localDate = (now: Date, zone: string) => iso(DateTime.fromJSDate(now).setZone(zone));

/** A local date and "HH:MM" in the center's zone as an instant. */
export function localInstant(date: string, time: string, zone: string): Date {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toJSDate();
}

const HORIZON_DAYS = 70;

/**
 * The next visit days of a settlement: every visit (cancelled ones too, to be shown as such) on its first
 * `maxDays` days that still have a visit ahead; a visit that has already ended today is not "next".
 */
export function nextVisits(
  center: Pick<CenterProfile, 'outreach' | 'calendar' | 'timeZone'>,
  changes: readonly OutreachChange[],
  settlement: string,
  now: Date,
  maxDays = 4,
): Visit[] {
  const today = localDate(now, center.timeZone);
  const until = iso(day(today).plus({ days: HORIZON_DAYS }));
  const ahead = visitsBetween(center, changes, today, until).filter(
    (visit) =>
      visit.settlement === settlement &&
      localInstant(visit.date, visit.hours.to, center.timeZone).getTime() > now.getTime(),
  );
  const days = [...new Set(ahead.filter((visit) => visit.status !== 'cancelled').map((v) => v.date))].slice(
    0,
    maxDays,
  );
  const last = days.at(-1);
  return ahead.filter((visit) => last !== undefined && visit.date <= last);
}

// ---------------------------------------------------------------------------------------------------------
// Reminders and notices

export type ReminderKind = 'dayBefore' | 'morning';

/** A reminder due now: one message per subscriber of the settlement, listing that day's visits. */
export type DueReminder = {
  settlement: string;
  date: string;
  kind: ReminderKind;
  /** When it was due: only families subscribed by then get it. */
  dueAt: Date;
  visits: Visit[];
};

/** A morning reminder is worth sending until half an hour before the day's last visit ends. */
const MORNING_GRACE_MS = 30 * 60_000;

/**
 * Reminders due at `now` and still meaningful: the day-before one from `dayBeforeAt` until the morning one
 * takes over, the morning one until shortly before the day's visits end. So a tick missed while the service
 * was down is caught up at the next run, and a reminder that no longer helps is dropped, never sent late.
 */
export function dueReminders(
  center: Pick<CenterProfile, 'outreach' | 'calendar' | 'timeZone' | 'outreachReminders'>,
  changes: readonly OutreachChange[],
  now: Date,
): DueReminder[] {
  const zone = center.timeZone;
  const { dayBeforeAt, morningAt } = center.outreachReminders;
  const today = localDate(now, zone);
  const yesterday = iso(day(today).minus({ days: 1 }));
  const tomorrow = iso(day(today).plus({ days: 1 }));
  const active = visitsBetween(center, changes, today, tomorrow).filter((v) => v.status !== 'cancelled');
  const due: DueReminder[] = [];
  const t = now.getTime();
  for (const date of [today, tomorrow]) {
    const bySettlement = new Map<string, Visit[]>();
    for (const visit of active.filter((v) => v.date === date)) {
      bySettlement.set(visit.settlement, [...(bySettlement.get(visit.settlement) ?? []), visit]);
    }
    for (const [settlement, visits] of bySettlement) {
      const morning = localInstant(date, morningAt, zone);
      const dayBefore = localInstant(date === today ? yesterday : today, dayBeforeAt, zone);
      if (dayBefore.getTime() <= t && t < morning.getTime()) {
        due.push({ settlement, date, kind: 'dayBefore', dueAt: dayBefore, visits });
      }
      const lastEnd = Math.max(...visits.map((v) => localInstant(date, v.hours.to, zone).getTime()));
      if (date === today && morning.getTime() <= t && t < lastEnd - MORNING_GRACE_MS) {
        due.push({ settlement, date, kind: 'morning', dueAt: morning, visits });
      }
    }
  }
  return due;
}

/** The end of the quiet hours `now` falls in, or undefined when messages may go out now. */
export function quietUntil(
  center: Pick<CenterProfile, 'timeZone' | 'outreachReminders' | 'booking'>,
  now: Date,
): Date | undefined {
  const quiet = outreachQuietHours(center);
  const local = DateTime.fromJSDate(now).setZone(center.timeZone);
  if (!isQuietClock(local.toFormat('HH:mm'), quiet)) return undefined;
  const [hour = 0, minute = 0] = quiet.to.split(':').map(Number);
  let end = local.set({ hour, minute, second: 0, millisecond: 0 });
  if (end <= local) end = end.plus({ days: 1 });
  return end.toJSDate();
}

/** The last local day a change matters: after it, telling families about it is pointless. */
export const changeRelevantUntil = (change: OutreachChange): string =>
  change.newDate && change.newDate > change.date ? change.newDate : change.date;

/** Changes to tell subscribers about at `now`: made already, and about a day not yet past. */
export function pendingChangeNotices(
  changes: readonly OutreachChange[],
  now: Date,
  zone: string,
): OutreachChange[] {
  const today = localDate(now, zone);
  return changes.filter(
    (change) => Date.parse(change.createdAt) <= now.getTime() && changeRelevantUntil(change) >= today,
  );
}

// ---------------------------------------------------------------------------------------------------------
// "Когда приедете в Инской?": a settlement named in free text, in any Russian case form

const VOWELS = /[аеёиоуыэюяйьaeiouy]{1,2}$/u;

/** A crude stem: inflections of Russian place names live in the last two letters (and «-ок» drops its «о»). */
function stem(word: string): string {
  if (/^\d+$/.test(word)) return word;
  const stemmed = /(ок|ек|ok|ek)$/.test(word) ? word.slice(0, -2) : word.replace(VOWELS, '');
  return stemmed.length >= 3 ? stemmed : word;
}

const tokens = (text: string) =>
  text
    .toLocaleLowerCase('ru')
    .replaceAll('ё', 'е')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

const matchesStem = (word: string, wordStem: string) =>
  word.startsWith(wordStem) && word.length - wordStem.length <= 3;

/** How many words of a name appear, in order and adjacent, in the text's words (0 when not all do). */
function nameScore(words: string[], name: string): number {
  const stems = tokens(name).map(stem);
  if (stems.length === 0) return 0;
  for (let i = 0; i + stems.length <= words.length; i++) {
    if (stems.every((s, j) => matchesStem(words[i + j] ?? '', s))) return stems.length;
  }
  return 0;
}

/**
 * The settlement a message names («в Инском», «к нам в Бачатский», «в Новом Городке», "Gramoteino"), or
 * undefined. The longest name wins, so «Старо-Белово» is not taken for «Белово».
 */
export function settlementInText(
  center: Pick<CenterProfile, 'outreach'>,
  text: string,
): Settlement | undefined {
  const words = tokens(text);
  let best: { settlement: Settlement; score: number } | undefined;
  for (const settlement of settlementsOf(center)) {
    const score = Math.max(nameScore(words, settlement.name), nameScore(words, settlement.key));
    if (score > (best?.score ?? 0)) best = { settlement, score };
  }
  return best?.settlement;
}
