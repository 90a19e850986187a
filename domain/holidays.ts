import { DateTime } from 'luxon';

/**
 * Russian non-working public holidays, computed for any year (Labour Code art. 112), so a profile only has to
 * carry what changes every year: the Government decree's transfers.
 *
 * Why not the `date-holidays` package: its RU data lists 22 August (Flag Day, a working day) as a holiday and
 * does not apply art. 112 part 2 (a holiday on a weekend gives a day off on the next working day), so it would
 * be wrong both ways; the rule itself is short and fixed by law.
 */

/** Part 1: 1–6 and 8 January (New Year holidays), 7 January (Christmas), then one day each. "MM-dd". */
const JANUARY_HOLIDAYS = ['01-01', '01-02', '01-03', '01-04', '01-05', '01-06', '01-07', '01-08'];
const OTHER_HOLIDAYS = ['02-23', '03-08', '05-01', '05-09', '06-12', '11-04'];

const isWeekend = (day: DateTime) => day.weekday >= 6;

/**
 * The non-working public holidays of a year and the days off they move to (ISO dates, sorted).
 *
 * Art. 112 part 2: when a holiday falls on a Saturday or Sunday, the day off moves to the next working day
 * after the holiday — except the January ones (parts 1 paragraphs 2–3): those weekend days are moved by the
 * yearly Government decree, so they are not moved here (the profile lists the decree's days).
 */
export function publicHolidays(year: number): string[] {
  const days = new Set<string>(
    [...JANUARY_HOLIDAYS, ...OTHER_HOLIDAYS].map(
      (monthDay) => `${String(year).padStart(4, '0')}-${monthDay}`,
    ),
  );
  for (const monthDay of OTHER_HOLIDAYS) {
    const holiday = DateTime.fromISO(`${year}-${monthDay}`);
    if (!isWeekend(holiday)) continue;
    let moved = holiday.plus({ days: 1 });
    // The next day that is neither a weekend nor already a day off (e.g. 8 March on Sunday, 9 March taken).
    while (isWeekend(moved) || days.has(moved.toISODate() ?? '')) moved = moved.plus({ days: 1 });
    days.add(moved.toISODate() ?? '');
  }
  return [...days].sort();
}

const cache = new Map<number, ReadonlySet<string>>();

function holidaysOf(year: number): ReadonlySet<string> {
  let days = cache.get(year);
  if (!days) {
    days = new Set(publicHolidays(year));
    cache.set(year, days);
  }
  return days;
}

/** What a center profile says about one year's calendar on top of the law (see config `calendar`). */
export type CenterCalendar = {
  /** Extra days off set by the Government decree (e.g. 2026: 9 January and 31 December). */
  holidays: readonly string[];
  /** Weekend days worked instead of a weekday, with the weekday whose hours apply. */
  workingWeekends: readonly { date: string; as: string }[];
  /** Years whose decree is reflected in `holidays`/`workingWeekends`. */
  transfersConfigured?: readonly number[];
};

/** Whether a local ISO date is a day off at the center: a public holiday (computed) or a decree day off. */
export function isHoliday(date: string, calendar: Pick<CenterCalendar, 'holidays'>): boolean {
  if (calendar.holidays.includes(date)) return true;
  const year = Number(date.slice(0, 4));
  return Number.isInteger(year) && holidaysOf(year).has(date);
}

/** From October on, next year's decree is usually out: until its transfers are in the profile, warn. */
const WARN_FROM_MONTH = 10;

/**
 * The year whose decree transfers are missing from the profile, or undefined when nothing needs doing:
 * the current year always counts, next year from October on.
 */
export function missingTransfersYear(
  now: Date,
  timeZone: string,
  calendar: Pick<CenterCalendar, 'transfersConfigured'>,
): number | undefined {
  const local = DateTime.fromJSDate(now).setZone(timeZone);
  const configured = calendar.transfersConfigured ?? [];
  if (!configured.includes(local.year)) return local.year;
  if (local.month >= WARN_FROM_MONTH && !configured.includes(local.year + 1)) return local.year + 1;
  return undefined;
}
