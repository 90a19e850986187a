import { DateTime, Info } from 'luxon';
import { type CenterProfile, type Locale, localized, WEEKDAYS, type Weekday } from '../config/center.ts';
import type { Msg } from '../flows/types.ts';

const weekdayName = (day: Weekday, locale: Locale, length: 'short' | 'long') =>
  Info.weekdays(length, { locale })[WEEKDAYS.indexOf(day)] ?? day;

/**
 * "пн–пт 08:00–17:00, перерыв 12:00–12:48": consecutive days with the same periods are grouped, and the
 * gaps between periods of a day are named as breaks. Weekday names come from Intl via luxon.
 */
export function formatWorkingHours(center: Pick<CenterProfile, 'workingHours'>, locale: Locale): string {
  const groups: Array<{ first: Weekday; last: Weekday; signature: string }> = [];
  for (const day of WEEKDAYS) {
    const periods = center.workingHours[day] ?? [];
    if (periods.length === 0) continue;
    const signature = JSON.stringify(periods);
    const previous = groups.at(-1);
    const adjacent = previous && WEEKDAYS.indexOf(previous.last) === WEEKDAYS.indexOf(day) - 1;
    if (previous && adjacent && previous.signature === signature) previous.last = day;
    else groups.push({ first: day, last: day, signature });
  }
  const breakWord = locale === 'ru' ? 'перерыв' : 'break';
  return groups
    .map(({ first, last, signature }) => {
      const periods = JSON.parse(signature) as Array<{ from: string; to: string }>;
      const days =
        first === last
          ? weekdayName(first, locale, 'short')
          : `${weekdayName(first, locale, 'short')}–${weekdayName(last, locale, 'short')}`;
      const span = `${periods[0]?.from}–${periods.at(-1)?.to}`;
      const breaks = periods.slice(1).map((period, i) => `${periods[i]?.to}–${period.from}`);
      return breaks.length ? `${days} ${span} (${breakWord} ${breaks.join(', ')})` : `${days} ${span}`;
    })
    .join('; ');
}

/** The outreach schedule as list lines, grouped by weekday (issue 7 adds "next dates" per settlement). */
export function formatOutreachLines(center: Pick<CenterProfile, 'outreach'>, locale: Locale): Msg[] {
  if (center.outreach.length === 0) return [{ key: 'outreach-empty' }];
  const dayOf = (entry: CenterProfile['outreach'][number]) =>
    // YYYYMMDD, not the day of the year: a January visit must come after a December one.
    entry.rule.type === 'once'
      ? 7 + Number(entry.rule.date.replaceAll('-', ''))
      : entry.rule.type === 'by_arrangement'
        ? Number.MAX_SAFE_INTEGER
        : WEEKDAYS.indexOf(entry.rule.weekday);
  return [...center.outreach]
    .sort((a, b) => dayOf(a) - dayOf(b))
    .map((entry): Msg => {
      const { rule } = entry;
      if (rule.type === 'by_arrangement') {
        return { key: 'outreach-line-arranged', args: { place: localized(entry.place, locale) } };
      }
      const day =
        rule.type === 'once'
          ? DateTime.fromISO(rule.date).toFormat('dd.MM.yyyy')
          : weekdayName(rule.weekday, locale, 'long');
      return {
        key: 'outreach-line',
        args: {
          day,
          place: localized(entry.place, locale),
          from: entry.hours?.from ?? '',
          to: entry.hours?.to ?? '',
          rule: rule.type,
          nth: rule.type === 'monthly_nth' ? rule.nth.join(locale === 'ru' ? ' и ' : ' and ') : '',
        },
      };
    });
}
