import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseBirthDate, validateBirthDateText } from '../../domain/understanding/dates.ts';

const ZONE = 'Asia/Novokuznetsk';
const context = (iso: string) => ({ now: DateTime.fromISO(iso, { zone: ZONE }).toJSDate(), timeZone: ZONE });
const NOW_2026 = context('2026-12-01T10:00');
const NOW_2028 = context('2028-03-15T10:00');

describe('parseBirthDate reads a parent’s birth date however it is typed', () => {
  it.each([
    ['05.03.1988', '1988-03-05'],
    ['5.3.1988', '1988-03-05'],
    ['12.05.1988', '1988-05-12'],
    ['12/05/88', '1988-05-12'],
    ['12-05-88', '1988-05-12'],
    ['12 05 1988', '1988-05-12'],
    ['12 . 05 . 1988', '1988-05-12'],
    ['5 марта 1988', '1988-03-05'],
    ['5 марта 1988 года', '1988-03-05'],
    ['05 мар 1988', '1988-03-05'],
    ['1 мая 1990 г.', '1990-05-01'],
    ['31 декабря 1979г', '1979-12-31'],
    ['1988-03-05', '1988-03-05'],
    ['March 5, 1988', '1988-03-05'],
    ['5 march 1988', '1988-03-05'],
    ['  07.11.1985 г.р. ', '1985-11-07'],
  ])('%s → %s', (text, expected) => {
    expect(parseBirthDate(text, NOW_2026)).toBe(expected);
    expect(parseBirthDate(text, NOW_2028)).toBe(expected);
  });

  it.each([
    // Two-digit years: the century that makes a parent (14 or older) today.
    ['01.02.05', NOW_2026, '2005-02-01'],
    ['01.02.12', NOW_2026, '2012-02-01'],
    ['01.02.13', NOW_2028, '2013-02-01'],
    ['01.02.30', NOW_2026, '1930-02-01'],
  ])('%s (now %o) → %s', (text, now, expected) => {
    expect(parseBirthDate(text, now)).toBe(expected);
  });

  it.each([
    ['31.02.1988', 'error-birthdate-invalid'],
    ['32 марта 1988', 'error-birthdate-invalid'],
    ['12.13.1988', 'error-birthdate-invalid'],
    ['01.01.2030', 'error-birthdate-future'],
    ['01.01.2020', 'error-birthdate-age'],
    ['01.01.1900', 'error-birthdate-age'],
    ['вчера', 'error-birthdate-format'],
    ['не помню', 'error-birthdate-format'],
    ['1988', 'error-birthdate-format'],
    ['', 'error-birthdate-format'],
  ])('%s is refused with %s', (text, error) => {
    expect(validateBirthDateText(text, NOW_2026)).toEqual({ ok: false, error });
    expect(parseBirthDate(text, NOW_2026)).toBeUndefined();
  });

  it('counts the age in the center zone on the injected day', () => {
    // Turns 14 on 2026-12-02: not yet on the 1st, already on the 2nd.
    expect(validateBirthDateText('02.12.2012', NOW_2026)).toEqual({
      ok: false,
      error: 'error-birthdate-age',
    });
    expect(parseBirthDate('02.12.2012', context('2026-12-02T00:05'))).toBe('2012-12-02');
  });
});
