import { DateTime } from 'luxon';
import type { RouteItem } from '../../bot/desk.ts';

export type RouteCommand = { ok: true; item: RouteItem } | { ok: false };

const COMMAND = /^\/route(?:@\w+)?(?:\s+|$)/i;
const WHEN = /^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s+(\d{1,2})[:.](\d{2})$/;

/**
 * "/route 26.11 14:30; Центр занятости; ул. Ленина, 1; Иванова И. И., 8-3842-…" — a route-sheet item typed by
 * a dispatcher on a phone, as a reply to a post about the appeal. Undefined when the text is not the
 * command; `ok: false` when it is, but the date or the organisation cannot be read. A date without a year
 * is the next such date (in the center's zone).
 */
export function parseRouteCommand(text: string, now: Date, zone: string): RouteCommand | undefined {
  if (!COMMAND.test(text)) return undefined;
  const [when = '', org = '', address = '', person = ''] = text
    .replace(COMMAND, '')
    .split(';')
    .map((part) => part.trim());
  const match = WHEN.exec(when);
  if (!match || org.length === 0 || org.length > 200) return { ok: false };
  const [, day, month, year, hour, minute] = match.map(Number) as number[];
  const today = DateTime.fromJSDate(now).setZone(zone);
  const at = (y: number) => DateTime.fromObject({ year: y, month, day, hour, minute }, { zone });
  let startsAt = at(year || today.year);
  if (!year && startsAt < today.startOf('day')) startsAt = at(today.year + 1);
  if (!startsAt.isValid) return { ok: false };
  return {
    ok: true,
    item: {
      org,
      startsAt: startsAt.toJSDate(),
      ...(address ? { address: address.slice(0, 300) } : {}),
      ...(person ? { person: person.slice(0, 200) } : {}),
    },
  };
}
