import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DateTime } from 'luxon';

/**
 * Field validators for the intake card. Each returns either the normalised value or the locale key of a
 * short, specific explanation, so the flow can re-ask with a reason instead of a bare "invalid input".
 */
export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Validation<T> => ({ ok: true, value });
const fail = (error: string): Validation<never> => ({ ok: false, error });

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

const NAME_WORD = /^[\p{L}][\p{L}'’.-]*$/u;

/** ФИО: two to five words of letters (hyphens and apostrophes allowed); capitalised for the card. */
export function validateFullName(input: string): Validation<string> {
  const text = collapse(input);
  if (text.length === 0) return fail('error-name-empty');
  if (text.length > 120) return fail('error-name-too-long');
  if (/\d/.test(text)) return fail('error-name-digits');
  const words = text.split(' ');
  if (words.length < 2) return fail('error-name-too-short');
  if (words.length > 5 || !words.every((word) => NAME_WORD.test(word))) return fail('error-name-letters');
  const capitalised = words.map((word) =>
    word
      .split('-')
      .map((part) => (part ? part[0]?.toLocaleUpperCase('ru') + part.slice(1) : part))
      .join('-'),
  );
  return ok(capitalised.join(' '));
}

/** Address or settlement: free text, but it must look like a place (letters, a sensible length). */
export function validateAddress(input: string): Validation<string> {
  const text = collapse(input);
  if (text.length < 3) return fail('error-address-too-short');
  if (text.length > 200) return fail('error-address-too-long');
  if ((text.match(/\p{L}/gu) ?? []).length < 3) return fail('error-address-letters');
  return ok(text);
}

export type MaritalStatus = 'married' | 'not_married';

/** Free-text answers people actually type instead of tapping the button. */
export function parseMaritalStatus(input: string): MaritalStatus | undefined {
  const text = collapse(input).toLocaleLowerCase('ru');
  if (
    /^(не |нет|not |no\b|unmarried|single|divorced|widow|разв|в развод|вдов|холост|одинок|гражданск)/.test(
      text,
    )
  )
    return 'not_married';
  if (/^(да|yes|married|в браке|официально|замужем|женат)/.test(text)) return 'married';
  return undefined;
}

const NUMBER_WORDS: Record<string, number> = {
  нет: 0,
  ноль: 0,
  none: 0,
  no: 0,
  zero: 0,
  один: 1,
  одна: 1,
  одного: 1,
  одну: 1,
  one: 1,
  два: 2,
  двое: 2,
  две: 2,
  two: 2,
  три: 3,
  трое: 3,
  three: 3,
  четыре: 4,
  четверо: 4,
  four: 4,
  пять: 5,
  пятеро: 5,
  five: 5,
  шесть: 6,
  шестеро: 6,
  six: 6,
  семь: 7,
  семеро: 7,
  seven: 7,
};

/** Number of minor children, 0–20; accepts digits and the common words ("двое", "нет"). */
export function validateChildrenCount(input: string): Validation<number> {
  const text = collapse(input).toLocaleLowerCase('ru');
  const word = NUMBER_WORDS[text.split(' ')[0] ?? ''];
  if (word !== undefined) return ok(word);
  const match = /^(\d{1,3})(\s|$)/.exec(text);
  if (!match) return fail('error-children-not-number');
  const count = Number(match[1]);
  if (count > 20) return fail('error-children-range');
  return ok(count);
}

/** Date of birth as dd.mm.yyyy (also / - or spaces); the applicant must be 14–100 years old. */
export function validateBirthDate(input: string, now: Date, timeZone: string): Validation<string> {
  const match = /^(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})$/.exec(collapse(input));
  if (!match) return fail('error-birthdate-format');
  const date = DateTime.fromObject(
    { day: Number(match[1]), month: Number(match[2]), year: Number(match[3]) },
    { zone: timeZone },
  );
  if (!date.isValid) return fail('error-birthdate-invalid');
  const today = DateTime.fromJSDate(now).setZone(timeZone).startOf('day');
  if (date > today) return fail('error-birthdate-future');
  const age = Math.floor(today.diff(date, 'years').years);
  if (age < 14 || age > 100) return fail('error-birthdate-age');
  return ok(date.toISODate() ?? '');
}

/** Russian phone in any common spelling (8…, +7…, with brackets/dashes) → E.164 "+7XXXXXXXXXX". */
export function validatePhone(input: string): Validation<string> {
  const text = collapse(input);
  if (!/\d/.test(text)) return fail('error-phone-format');
  // A Telegram contact may come without "+": "79131234567".
  const candidate =
    /^7\d{10}$/.test(text.replace(/\D/g, '')) && !text.startsWith('+') && !text.startsWith('8')
      ? `+${text.replace(/\D/g, '')}`
      : text;
  const phone = parsePhoneNumberFromString(candidate, 'RU');
  if (!phone || !phone.isValid()) return fail('error-phone-format');
  if (phone.countryCallingCode !== '7') return fail('error-phone-country');
  return ok(phone.number);
}

/** Free-text description of the need: optional in general, bounded so one message stays readable. */
export function validateNeedDescription(input: string): Validation<string> {
  const text = input.trim();
  if (text.length < 3) return fail('error-need-too-short');
  if (text.length > 1000) return fail('error-need-too-long');
  return ok(text);
}
