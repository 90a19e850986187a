import { describe, expect, it } from 'vitest';
import {
  parseMaritalStatus,
  validateAddress,
  validateBirthDate,
  validateChildrenCount,
  validateFullName,
  validateNeedDescription,
  validatePhone,
} from '../../domain/validators.ts';

const ZONE = 'Asia/Novokuznetsk';
/** Tuesday 24.11.2026, 10:00 in Belovo (UTC+7). */
const NOW = new Date('2026-11-24T03:00:00Z');
/** Tuesday 24.11.2026, 01:00 in Belovo — still Monday 23.11 in UTC. */
const JUST_AFTER_LOCAL_MIDNIGHT = new Date('2026-11-23T18:00:00Z');

describe('validatePhone', () => {
  it.each([
    ['+7 (913) 123-45-67', '+79131234567'],
    ['+79131234567', '+79131234567'],
    ['+7-913-123-45-67', '+79131234567'],
    ['+7 913 123 4567', '+79131234567'],
    ['8 913 123 45 67', '+79131234567'],
    ['89131234567', '+79131234567'],
    ['8(913)1234567', '+79131234567'],
    ['8 (913) 123-45-67', '+79131234567'],
    ['79131234567', '+79131234567'], // Telegram contact without "+"
    ['7 913 123 45 67', '+79131234567'],
    ['913 123 45 67', '+79131234567'], // no trunk prefix at all
    ['  +7   913 123 45 67  ', '+79131234567'],
    ['8 (38452) 3-06-56', '+73845230656'], // Belovo landline
  ])('%j → %s', (input, expected) => {
    expect(validatePhone(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['+380 44 123 4567'], // Ukraine
    ['+375 29 123 45 67'], // Belarus
    ['+49 30 12345678'], // Germany
    ['+44 20 7946 0958'], // UK
    ['+1 202 555 0123'], // USA
    ['8 10 380 44 123 4567'], // dialled from Russia with the 8-10 international prefix
  ])('foreign number %j → error-phone-country', (input) => {
    expect(validatePhone(input)).toEqual({ ok: false, error: 'error-phone-country' });
  });

  it.each([
    [''],
    ['   '],
    ['abc'],
    ['позвоните мне'],
    ['12345'],
    ['8 913 123'],
    ['+7 913 123 45 678'],
    ['8 913 123 45 6'],
  ])('unreadable %j → error-phone-format', (input) => {
    expect(validatePhone(input)).toEqual({ ok: false, error: 'error-phone-format' });
  });
});

describe('validateFullName', () => {
  it.each([
    ['иванова мария петровна', 'Иванова Мария Петровна'],
    ['Иванова Мария Петровна', 'Иванова Мария Петровна'],
    ['  иванова   мария  ', 'Иванова Мария'], // whitespace collapsed, two words are enough
    ['салтыкова-щедрина анна', 'Салтыкова-Щедрина Анна'], // each part of a hyphenated name
    ['ким ён хи', 'Ким Ён Хи'],
    ["д'артаньян шарль", "Д'артаньян Шарль"],
    ['Иванова М. П.', 'Иванова М. П.'],
    ['ИВАНОВА МАРИЯ', 'ИВАНОВА МАРИЯ'], // capitals are never lowered
    ['smith john', 'Smith John'],
    ['а б в г д', 'А Б В Г Д'], // five words is the maximum
  ])('%j → %j', (input, expected) => {
    expect(validateFullName(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'error-name-empty'],
    ['   ', 'error-name-empty'],
    ['Иванова', 'error-name-too-short'],
    ['  мария  ', 'error-name-too-short'],
    ['Иванова 2 Мария', 'error-name-digits'],
    ['Иванова Мария 1988', 'error-name-digits'],
    ['Мария', 'error-name-too-short'],
    ['а б в г д е', 'error-name-letters'], // six words
    ['Иванова @нна', 'error-name-letters'],
    ['Иванова -Мария', 'error-name-letters'],
    ['Иванова Мария!', 'error-name-letters'],
    [`${'Иванова'.repeat(10)} ${'Мария'.repeat(10)}`, 'error-name-too-long'],
  ])('%j → %s', (input, error) => {
    expect(validateFullName(input)).toEqual({ ok: false, error });
  });

  it('accepts exactly 120 characters and rejects 121', () => {
    const name = (length: number) => `${'а'.repeat(60)} ${'б'.repeat(length - 61)}`;
    expect(validateFullName(name(120)).ok).toBe(true);
    expect(validateFullName(name(121))).toEqual({ ok: false, error: 'error-name-too-long' });
  });
});

describe('validateAddress', () => {
  it.each([
    ['г. Белово, ул. Ленина, 5', 'г. Белово, ул. Ленина, 5'],
    ['  пгт   Инской  ', 'пгт Инской'],
    ['Бачатский', 'Бачатский'],
    ['Инс', 'Инс'],
  ])('%j → %j', (input, expected) => {
    expect(validateAddress(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'error-address-too-short'],
    ['ул', 'error-address-too-short'],
    ['  д  ', 'error-address-too-short'],
    ['12 34', 'error-address-letters'],
    ['а'.repeat(201), 'error-address-too-long'],
  ])('%j → %s', (input, error) => {
    expect(validateAddress(input)).toEqual({ ok: false, error });
  });

  it('needs at least three letters', () => {
    expect(validateAddress('5, 7 д к')).toEqual({ ok: false, error: 'error-address-letters' });
    expect(validateAddress('5, 7 д кв')).toEqual({ ok: true, value: '5, 7 д кв' });
  });
});

describe('parseMaritalStatus', () => {
  it.each([
    ['да', 'married'],
    ['Да, в браке', 'married'],
    ['в браке', 'married'],
    ['официально в браке', 'married'],
    ['Замужем', 'married'],
    ['женат', 'married'],
    ['yes', 'married'],
    ['married', 'married'],
    ['нет', 'not_married'],
    ['Не в браке', 'not_married'],
    ['не замужем', 'not_married'],
    ['разведена', 'not_married'],
    ['в разводе', 'not_married'],
    ['divorced', 'not_married'],
    ['вдова', 'not_married'],
    ['вдовец', 'not_married'],
    ['холост', 'not_married'],
    ['одинокая мама', 'not_married'],
    ['гражданский брак', 'not_married'],
    ['no', 'not_married'],
    ['not married', 'not_married'],
    ['unmarried', 'not_married'],
    ['single', 'not_married'],
  ] as const)('%j → %s', (input, expected) => {
    expect(parseMaritalStatus(input)).toBe(expected);
  });

  it.each([[''], ['может быть'], ['сложно сказать'], ['nobody']])('%j is not understood', (input) => {
    expect(parseMaritalStatus(input)).toBeUndefined();
  });
});

describe('validateChildrenCount', () => {
  it.each([
    ['0', 0],
    ['3', 3],
    [' 2 ', 2],
    ['20', 20],
    ['3 ребенка', 3],
    ['нет', 0],
    ['нет детей', 0],
    ['ноль', 0],
    ['один', 1],
    ['одна дочь', 1],
    ['двое', 2],
    ['Двое детей', 2],
    ['две', 2],
    ['трое', 3],
    ['четверо', 4],
    ['пятеро', 5],
    ['шесть', 6],
    ['семеро', 7],
    ['two', 2],
    ['none', 0],
  ])('%j → %d', (input, expected) => {
    expect(validateChildrenCount(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['21', 'error-children-range'],
    ['25 детей', 'error-children-range'],
    ['100', 'error-children-range'],
    ['много', 'error-children-not-number'],
    ['', 'error-children-not-number'],
    ['-1', 'error-children-not-number'],
    ['2.5', 'error-children-not-number'],
    ['3-4', 'error-children-not-number'],
    ['1000', 'error-children-not-number'],
    ['детей двое', 'error-children-not-number'],
  ])('%j → %s', (input, error) => {
    expect(validateChildrenCount(input)).toEqual({ ok: false, error });
  });
});

describe('validateBirthDate', () => {
  it.each([
    ['05.03.1988', '1988-03-05'],
    ['5.3.1988', '1988-03-05'],
    ['05/03/1988', '1988-03-05'],
    ['05-03-1988', '1988-03-05'],
    ['05 03 1988', '1988-03-05'],
    ['  05.03.1988  ', '1988-03-05'],
    ['29.02.2000', '2000-02-29'],
    ['24.11.2012', '2012-11-24'], // 14 today
    ['24.11.1926', '1926-11-24'], // exactly 100 today
    ['25.11.1925', '1925-11-25'], // still 100, turns 101 tomorrow
  ])('%j → %s', (input, expected) => {
    expect(validateBirthDate(input, NOW, ZONE)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['1988-03-05', 'error-birthdate-format'],
    ['05.03.88', 'error-birthdate-format'],
    ['5 марта 1988', 'error-birthdate-format'],
    ['05.03.1988 г.', 'error-birthdate-format'],
    ['', 'error-birthdate-format'],
    ['30.02.1990', 'error-birthdate-invalid'],
    ['29.02.2001', 'error-birthdate-invalid'],
    ['31.04.1990', 'error-birthdate-invalid'],
    ['05.13.1988', 'error-birthdate-invalid'],
    ['00.01.1988', 'error-birthdate-invalid'],
    ['25.11.2026', 'error-birthdate-future'], // tomorrow
    ['01.01.2030', 'error-birthdate-future'],
    ['24.11.2026', 'error-birthdate-age'], // born today
    ['25.11.2012', 'error-birthdate-age'], // 14 tomorrow
    ['01.01.2020', 'error-birthdate-age'],
    ['24.11.1925', 'error-birthdate-age'], // 101 today
    ['01.01.1900', 'error-birthdate-age'],
  ])('%j → %s', (input, error) => {
    expect(validateBirthDate(input, NOW, ZONE)).toEqual({ ok: false, error });
  });

  it("counts age and 'future' by the center's calendar day, not UTC's", () => {
    // At 01:00 local on 24.11 it is still 23.11 in UTC: the 14th birthday is today in Belovo.
    expect(validateBirthDate('24.11.2012', JUST_AFTER_LOCAL_MIDNIGHT, ZONE)).toEqual({
      ok: true,
      value: '2012-11-24',
    });
    expect(validateBirthDate('24.11.2012', JUST_AFTER_LOCAL_MIDNIGHT, 'UTC')).toEqual({
      ok: false,
      error: 'error-birthdate-age',
    });
    expect(validateBirthDate('24.11.2026', JUST_AFTER_LOCAL_MIDNIGHT, 'UTC')).toEqual({
      ok: false,
      error: 'error-birthdate-future',
    });
  });
});

describe('validateNeedDescription', () => {
  it.each([
    ['Нужна консультация по алиментам', 'Нужна консультация по алиментам'],
    ['  развод  ', 'развод'],
    ['абв', 'абв'],
    ['а'.repeat(1000), 'а'.repeat(1000)],
  ])('%j is accepted (trimmed)', (input, expected) => {
    expect(validateNeedDescription(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'error-need-too-short'],
    ['ок', 'error-need-too-short'],
    ['  а  ', 'error-need-too-short'],
    ['а'.repeat(1001), 'error-need-too-long'],
  ])('%j → %s', (input, error) => {
    expect(validateNeedDescription(input)).toEqual({ ok: false, error });
  });
});
