import { DateTime } from 'luxon';

/**
 * A moment relative to "now" in the center's zone, as Fluent arguments the locales turn into "сегодня до
 * 15:30" / "завтра до 09:10" / "30.11 до 09:10": `${prefix}Day` (today | tomorrow | other), `${prefix}Date`,
 * `${prefix}Time`.
 */
export function relativeMomentArgs(
  at: Date,
  now: Date,
  timeZone: string,
  prefix = 'due',
): Record<string, string> {
  const moment = DateTime.fromJSDate(at).setZone(timeZone);
  const today = DateTime.fromJSDate(now).setZone(timeZone).startOf('day');
  const days = Math.round(moment.startOf('day').diff(today, 'days').days);
  return {
    [`${prefix}Day`]: days === 0 ? 'today' : days === 1 ? 'tomorrow' : 'other',
    [`${prefix}Date`]: moment.toFormat('dd.MM'),
    [`${prefix}Time`]: moment.toFormat('HH:mm'),
  };
}
