import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import type { Validation } from '../validators.ts';

/**
 * A parent's date of birth however it is typed: «05.03.1988», «12/05/88», «12 05 1988», «5 марта 1988»,
 * "March 5, 1988". Day first for numbers (the Russian order). The intake's rules stay: a real calendar date,
 * not in the future, and an age of 14–100 in the center's zone.
 */

export type BirthDateContext = { now: Date; timeZone: string };

const MONTHS: Array<[RegExp, number]> = [
  [/^(янв|jan)/, 1],
  [/^(фев|feb)/, 2],
  [/^(мар|mar)/, 3],
  [/^(апр|apr)/, 4],
  [/^(мая|май|мае|may)/, 5],
  [/^(июн|jun)/, 6],
  [/^(июл|jul)/, 7],
  [/^(авг|aug)/, 8],
  [/^(сен|sep)/, 9],
  [/^(окт|oct)/, 10],
  [/^(ноя|nov)/, 11],
  [/^(дек|dec)/, 12],
];

type Parts = { day: number; month: number; year: number; twoDigitYear: boolean };

function cleaned(text: string): string {
  return (
    text
      .toLocaleLowerCase('ru')
      .replaceAll('ё', 'е')
      // «1988 г.р.», «1988г», «1988 года рождения»
      .replace(/(\d)\s*(г\.?\s*р\.?|года рождения|года|год|г\.?)(?=\s|$)/gu, '$1')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function numericParts(text: string): Parts | undefined {
  const match = /^(\d{1,2})\s*[./\- ]\s*(\d{1,2})\s*[./\- ]\s*(\d{2}|\d{4})$/.exec(text);
  if (!match) return undefined;
  return {
    day: Number(match[1]),
    month: Number(match[2]),
    year: Number(match[3]),
    twoDigitYear: match[3]?.length === 2,
  };
}

function isoParts(text: string): Parts | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]), twoDigitYear: false };
}

/** «5 марта 1988», «05 мар 88», "5 march 1988". */
function wordParts(text: string): Parts | undefined {
  const match = /^(\d{1,2})(?:-?е|-?го)?\s+(\p{L}+)\.?\s+(\d{2}|\d{4})$/u.exec(text);
  if (!match) return undefined;
  const month = MONTHS.find(([pattern]) => pattern.test(match[2] ?? ''))?.[1];
  if (month === undefined) return undefined;
  return { day: Number(match[1]), month, year: Number(match[3]), twoDigitYear: match[3]?.length === 2 };
}

/** Anything else chrono reads with a day, a month and a four-digit year ("March 5, 1988"). */
function chronoParts(text: string): Parts | undefined {
  for (const parser of [chrono.ru, chrono.en]) {
    const found = parser.parse(text)[0];
    // «вчера» is a certain day to chrono; a birth date needs its year written out.
    if (!found || !/\d{4}/.test(found.text)) continue;
    const start = found.start;
    if (!start.isCertain('day') || !start.isCertain('month') || !start.isCertain('year')) continue;
    return {
      day: start.get('day') ?? 0,
      month: start.get('month') ?? 0,
      year: start.get('year') ?? 0,
      twoDigitYear: false,
    };
  }
  return undefined;
}

/** «88» → 1988, «05» → 2005 when that makes a 14-year-old or older today, else 1905 (then rejected by age). */
function fullYear(parts: Parts, today: DateTime): number {
  if (!parts.twoDigitYear) return parts.year;
  const recent = 2000 + parts.year;
  return today.year - recent >= 14 ? recent : 1900 + parts.year;
}

/** Same error keys as `validateBirthDate` in domain/validators.ts, so the intake step can use either. */
export function validateBirthDateText(
  input: string,
  { now, timeZone }: BirthDateContext,
): Validation<string> {
  const text = cleaned(input);
  const parts = numericParts(text) ?? isoParts(text) ?? wordParts(text) ?? chronoParts(text);
  if (!parts) return { ok: false, error: 'error-birthdate-format' };
  const today = DateTime.fromJSDate(now).setZone(timeZone).startOf('day');
  const date = DateTime.fromObject(
    { day: parts.day, month: parts.month, year: fullYear(parts, today) },
    { zone: timeZone },
  );
  if (!date.isValid) return { ok: false, error: 'error-birthdate-invalid' };
  if (date > today) return { ok: false, error: 'error-birthdate-future' };
  const age = Math.floor(today.diff(date, 'years').years);
  if (age < 14 || age > 100) return { ok: false, error: 'error-birthdate-age' };
  return { ok: true, value: date.toISODate() ?? '' };
}

/** The birth date as YYYY-MM-DD, or undefined when the text is not one (or fails the intake's rules). */
export function parseBirthDate(text: string, context: BirthDateContext): string | undefined {
  const result = validateBirthDateText(text, context);
  return result.ok ? result.value : undefined;
}
