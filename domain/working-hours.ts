import { DateTime, Interval } from 'luxon';
import { type CenterProfile, WEEKDAYS } from '../config/center.ts';
import { isHoliday } from './holidays.ts';

/**
 * A center's hours; with its calendar, public holidays (computed) and decree days off have no working periods
 * and a transferred working weekend works with the periods of its `as` weekday — so SLA deadlines and
 * callback promises skip holidays in any year, not only the years the profile lists.
 */
type Hours = Pick<CenterProfile, 'timeZone' | 'workingHours'> & Partial<Pick<CenterProfile, 'calendar'>>;

/** How far ahead we look for working time; a center closed for longer than this is a configuration error. */
const SEARCH_DAYS = 60;

/** The working periods of one local calendar day, as intervals in the center's zone. */
export function workingPeriodsOn(day: DateTime, hours: Hours): Interval[] {
  const local = day.setZone(hours.timeZone).startOf('day');
  const date = local.toISODate() ?? '';
  if (hours.calendar && isHoliday(date, hours.calendar)) return [];
  const transferred = hours.calendar?.workingWeekends.find((entry) => entry.date === date);
  const weekday = transferred ? transferred.as : WEEKDAYS[local.weekday - 1];
  const periods = weekday ? (hours.workingHours[weekday] ?? []) : [];
  return periods.map((period) => {
    const [fromH, fromM] = period.from.split(':').map(Number);
    const [toH, toM] = period.to.split(':').map(Number);
    return Interval.fromDateTimes(
      local.set({ hour: fromH, minute: fromM }),
      local.set({ hour: toH, minute: toM }),
    );
  });
}

/** Working periods from `from` onwards, clipped to start no earlier than `from`. */
function* periodsFrom(from: DateTime, hours: Hours): Generator<Interval> {
  const start = from.setZone(hours.timeZone);
  for (let offset = 0; offset < SEARCH_DAYS; offset++) {
    for (const period of workingPeriodsOn(start.plus({ days: offset }), hours)) {
      if (!period.end || !period.start || period.end <= start) continue;
      yield Interval.fromDateTimes(period.start < start ? start : period.start, period.end);
    }
  }
}

export function isWorkingTime(at: Date, hours: Hours): boolean {
  const moment = DateTime.fromJSDate(at).setZone(hours.timeZone);
  return workingPeriodsOn(moment, hours).some((period) => period.contains(moment));
}

/** The moment the center is next open (now, if it is open). */
export function nextWorkingMoment(at: Date, hours: Hours): Date {
  const first = periodsFrom(DateTime.fromJSDate(at), hours).next();
  if (first.done || !first.value.start) throw new Error('center has no working hours in the next 60 days');
  return first.value.start.toJSDate();
}

/**
 * Adds working time: the "callback within 2 hours" promise counts only hours when someone is at the desk,
 * so an appeal at 16:30 on Friday is due on Monday at 09:30 (with 08:00–17:00 hours).
 */
export function addWorkingMinutes(at: Date, minutes: number, hours: Hours): Date {
  let remaining = minutes;
  for (const period of periodsFrom(DateTime.fromJSDate(at), hours)) {
    if (!period.start || !period.end) continue;
    const available = period.end.diff(period.start, 'minutes').minutes;
    if (remaining <= available) return period.start.plus({ minutes: remaining }).toJSDate();
    remaining -= available;
  }
  throw new Error('center has no working hours in the next 60 days');
}

export type CallbackWindow = 'morning' | 'afternoon';

/**
 * The next occurrence of the chosen part of a working day (morning = first period, afternoon = last) that
 * still leaves at least `minLeftMinutes` to call; returns its interval so the promise can name both ends.
 */
export function nextCallbackWindow(
  at: Date,
  window: CallbackWindow,
  hours: Hours,
  minLeftMinutes = 30,
): { from: Date; to: Date } {
  const start = DateTime.fromJSDate(at).setZone(hours.timeZone);
  for (let offset = 0; offset < SEARCH_DAYS; offset++) {
    const periods = workingPeriodsOn(start.plus({ days: offset }), hours);
    const period = window === 'morning' ? periods[0] : periods[periods.length - 1];
    if (!period?.start || !period.end) continue;
    const from = period.start < start ? start : period.start;
    if (period.end.diff(from, 'minutes').minutes < minLeftMinutes) continue;
    return { from: from.toJSDate(), to: period.end.toJSDate() };
  }
  throw new Error('center has no working hours in the next 60 days');
}

type Calendar = Pick<CenterProfile, 'timeZone' | 'workingHours' | 'calendar'>;

/**
 * Whether a local calendar day is a working day of the center: not a holiday, and either a transferred working
 * weekend or a weekday with working periods.
 */
export function isWorkingDay(day: DateTime, center: Calendar): boolean {
  const local = day.setZone(center.timeZone);
  const date = local.toISODate() ?? '';
  if (isHoliday(date, center.calendar)) return false;
  if (center.calendar.workingWeekends.some((entry) => entry.date === date)) return true;
  return workingPeriodsOn(local, center).length > 0;
}

/** The local start of the `days`-th working day after the day of `at` (holidays and weekends skipped). */
export function addWorkingDays(at: Date, days: number, center: Calendar): DateTime {
  let day = DateTime.fromJSDate(at).setZone(center.timeZone).startOf('day');
  let counted = 0;
  for (let offset = 0; offset < SEARCH_DAYS * 3 && counted < days; offset++) {
    day = day.plus({ days: 1 });
    if (isWorkingDay(day, center)) counted++;
  }
  if (counted < days) throw new Error('center has no working days in the next 180 days');
  return day;
}
