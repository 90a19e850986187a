import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CenterProfile } from '../../config/center.ts';
import {
  addWorkingMinutes,
  isWorkingTime,
  nextCallbackWindow,
  nextWorkingMoment,
  workingPeriodsOn,
} from '../../domain/working-hours.ts';
import { FRIDAY_4_30PM, loadBelovo, SATURDAY_11AM, TUESDAY_10AM } from '../support/fixtures.ts';

const belovo = await loadBelovo();
const ZONE = 'Asia/Novokuznetsk';

/**
 * Week of 23–29.11.2026 in Belovo: Mon 23, Tue 24, Wed 25, Thu 26, Fri 27, Sat 28, Sun 29, next Mon 30.
 * `at('Tue 11:30')` is that local moment; `local(date)` renders an instant back as "Tue 11:30".
 */
const DAYS: Record<string, string> = {
  Mon: '2026-11-23',
  Tue: '2026-11-24',
  Wed: '2026-11-25',
  Thu: '2026-11-26',
  Fri: '2026-11-27',
  Sat: '2026-11-28',
  Sun: '2026-11-29',
  'next Mon': '2026-11-30',
  'next Tue': '2026-12-01',
};

function at(spec: string): Date {
  const time = spec.slice(spec.lastIndexOf(' ') + 1);
  const day = DAYS[spec.slice(0, spec.lastIndexOf(' '))];
  if (!day) throw new Error(`bad day in ${spec}`);
  const moment = DateTime.fromISO(`${day}T${time}`, { zone: ZONE });
  if (!moment.isValid) throw new Error(`bad time in ${spec}`);
  return moment.toJSDate();
}

function local(date: Date): string {
  const moment = DateTime.fromJSDate(date).setZone(ZONE);
  const day = Object.entries(DAYS).find(([, iso]) => iso === moment.toISODate())?.[0] ?? moment.toISODate();
  return `${day} ${moment.toFormat('HH:mm')}`;
}

describe('the calendar used by these tests', () => {
  it('has the weekdays and UTC+7 offset the table assumes', () => {
    expect(DateTime.fromJSDate(at('Tue 10:00')).setZone(ZONE).weekday).toBe(2);
    expect(DateTime.fromJSDate(at('Sat 10:00')).setZone(ZONE).weekday).toBe(6);
    expect(at('Tue 10:00').toISOString()).toBe('2026-11-24T03:00:00.000Z');
    expect(local(TUESDAY_10AM)).toBe('Tue 10:00');
    expect(local(FRIDAY_4_30PM)).toBe('Fri 16:30');
    expect(local(SATURDAY_11AM)).toBe('Sat 11:00');
  });

  it('workingPeriodsOn splits a weekday at lunch and is empty at the weekend', () => {
    const periods = (spec: string) =>
      workingPeriodsOn(DateTime.fromJSDate(at(spec)), belovo).map(
        (period) =>
          `${period.start?.setZone(ZONE).toFormat('HH:mm')}-${period.end?.setZone(ZONE).toFormat('HH:mm')}`,
      );
    expect(periods('Tue 23:59')).toEqual(['08:00-12:00', '12:48-17:00']);
    expect(periods('Sat 10:00')).toEqual([]);
    expect(periods('Sun 10:00')).toEqual([]);
  });
});

describe('isWorkingTime (Belovo: Mon–Fri 08:00–12:00, 12:48–17:00)', () => {
  it.each([
    ['Mon 08:00', true],
    ['Tue 10:00', true],
    ['Tue 11:59', true],
    ['Tue 12:00', false], // lunch starts
    ['Tue 12:30', false],
    ['Tue 12:47', false],
    ['Tue 12:48', true], // lunch ends
    ['Tue 16:59', true],
    ['Tue 17:00', false], // closed at the stroke of five
    ['Tue 07:59', false],
    ['Tue 03:00', false],
    ['Fri 16:30', true],
    ['Sat 11:00', false],
    ['Sun 14:00', false],
  ])('%s → %s', (spec, expected) => {
    expect(isWorkingTime(at(spec), belovo)).toBe(expected);
  });

  it("uses the center's zone, not the machine's: 10:00 UTC is 17:00 in Belovo", () => {
    expect(isWorkingTime(new Date('2026-11-24T10:00:00Z'), belovo)).toBe(false);
    expect(isWorkingTime(new Date('2026-11-24T09:59:00Z'), belovo)).toBe(true);
  });
});

describe('nextWorkingMoment', () => {
  it.each([
    ['Tue 10:00', 'Tue 10:00'], // open now
    ['Tue 08:00', 'Tue 08:00'],
    ['Tue 06:15', 'Tue 08:00'],
    ['Tue 12:00', 'Tue 12:48'],
    ['Tue 12:10', 'Tue 12:48'],
    ['Tue 17:00', 'Wed 08:00'],
    ['Tue 23:30', 'Wed 08:00'],
    ['Fri 16:59', 'Fri 16:59'],
    ['Fri 17:00', 'next Mon 08:00'],
    ['Sat 11:00', 'next Mon 08:00'],
    ['Sun 23:59', 'next Mon 08:00'],
  ])('%s → %s', (from, expected) => {
    expect(local(nextWorkingMoment(at(from), belovo))).toBe(expected);
  });

  it('throws for a center without working hours in reach', () => {
    const closed = { timeZone: ZONE, workingHours: {} } satisfies Pick<
      CenterProfile,
      'timeZone' | 'workingHours'
    >;
    expect(() => nextWorkingMoment(at('Tue 10:00'), closed)).toThrow(/no working hours/);
  });
});

describe('addWorkingMinutes', () => {
  it.each([
    // 10:00 → 12:00 is exactly 120 working minutes: due at the start of lunch, not after it.
    ['Tue 10:00', 120, 'Tue 12:00'],
    // 30 minutes before lunch, the other 90 after 12:48.
    ['Tue 11:30', 120, 'Tue 14:18'],
    ['Tue 10:00', 121, 'Tue 12:49'],
    ['Tue 08:00', 60, 'Tue 09:00'],
    ['Tue 12:10', 120, 'Tue 14:48'], // asked during lunch: counting starts at 12:48
    ['Tue 15:00', 120, 'Tue 17:00'],
    ['Tue 15:30', 120, 'Wed 08:30'],
    ['Tue 17:00', 120, 'Wed 10:00'],
    ['Tue 06:00', 120, 'Tue 10:00'],
    ['Fri 16:30', 120, 'next Mon 09:30'], // 30 minutes on Friday, 90 on Monday morning
    ['Fri 16:59', 1, 'Fri 17:00'],
    ['Sat 11:00', 120, 'next Mon 10:00'],
    ['Sun 20:00', 120, 'next Mon 10:00'],
    ['Tue 10:00', 0, 'Tue 10:00'],
    ['Sat 11:00', 0, 'next Mon 08:00'],
    ['Tue 08:00', 492, 'Tue 17:00'], // a whole working day is 240 + 252 minutes
    ['Tue 08:00', 493, 'Wed 08:01'],
    ['Fri 08:00', 493, 'next Mon 08:01'],
  ])('%s + %d min → %s', (from, minutes, expected) => {
    expect(local(addWorkingMinutes(at(from), minutes, belovo))).toBe(expected);
  });

  it('matches the fixtures used by the flow tests', () => {
    expect(local(addWorkingMinutes(TUESDAY_10AM, 120, belovo))).toBe('Tue 12:00');
    expect(local(addWorkingMinutes(FRIDAY_4_30PM, 120, belovo))).toBe('next Mon 09:30');
    expect(local(addWorkingMinutes(SATURDAY_11AM, 120, belovo))).toBe('next Mon 10:00');
  });
});

describe('nextCallbackWindow', () => {
  const window = (from: string, which: 'morning' | 'afternoon', minLeft?: number) => {
    const result = nextCallbackWindow(at(from), which, belovo, minLeft);
    return `${local(result.from)} – ${local(result.to)}`;
  };

  it.each([
    // Morning = the first period of the day (08:00–12:00).
    ['Tue 06:00', 'morning', 'Tue 08:00 – Tue 12:00'],
    ['Tue 10:00', 'morning', 'Tue 10:00 – Tue 12:00'], // already in it: from now
    ['Tue 11:30', 'morning', 'Tue 11:30 – Tue 12:00'], // exactly 30 minutes left is enough
    ['Tue 11:31', 'morning', 'Wed 08:00 – Wed 12:00'], // 29 left: tomorrow
    ['Tue 11:45', 'morning', 'Wed 08:00 – Wed 12:00'],
    ['Tue 13:00', 'morning', 'Wed 08:00 – Wed 12:00'],
    ['Fri 16:30', 'morning', 'next Mon 08:00 – next Mon 12:00'],
    ['Sat 11:00', 'morning', 'next Mon 08:00 – next Mon 12:00'],
    // Afternoon = the last period of the day (12:48–17:00).
    ['Tue 10:00', 'afternoon', 'Tue 12:48 – Tue 17:00'],
    ['Tue 12:10', 'afternoon', 'Tue 12:48 – Tue 17:00'],
    ['Tue 15:00', 'afternoon', 'Tue 15:00 – Tue 17:00'],
    ['Fri 16:30', 'afternoon', 'Fri 16:30 – Fri 17:00'], // exactly 30 minutes left
    ['Fri 16:31', 'afternoon', 'next Mon 12:48 – next Mon 17:00'],
    ['Tue 16:45', 'afternoon', 'Wed 12:48 – Wed 17:00'],
    ['Tue 17:30', 'afternoon', 'Wed 12:48 – Wed 17:00'],
    ['Sat 11:00', 'afternoon', 'next Mon 12:48 – next Mon 17:00'],
  ] as const)('%s, %s → %s', (from, which, expected) => {
    expect(window(from, which)).toBe(expected);
  });

  it('honours a custom minimum', () => {
    expect(window('Tue 11:00', 'morning', 60)).toBe('Tue 11:00 – Tue 12:00');
    expect(window('Tue 11:01', 'morning', 60)).toBe('Wed 08:00 – Wed 12:00');
    expect(window('Tue 11:59', 'morning', 0)).toBe('Tue 11:59 – Tue 12:00');
  });
});

describe('public holidays computed for years the profile does not list (injected dates, no real clock)', () => {
  const localIso = (date: Date) => DateTime.fromJSDate(date).setZone(ZONE).toFormat('yyyy-MM-dd HH:mm');
  const moment = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();

  it('the callback deadline (SLA) skips 6 November 2028, the day off for Saturday 4 November', () => {
    // Fri 3 Nov 16:30 + 120 working minutes: 30 on Friday, the rest on Tuesday (Mon 6 is off).
    expect(localIso(addWorkingMinutes(moment('2028-11-03T16:30'), 120, belovo))).toBe('2028-11-07 09:30');
    expect(isWorkingTime(moment('2028-11-06T10:00'), belovo)).toBe(false);
    expect(isWorkingTime(moment('2028-11-07T10:00'), belovo)).toBe(true);
  });

  it('2031: 23 February is a Sunday, so Monday 24 is off; 8 March (Sat) moves to Monday 10', () => {
    expect(localIso(nextWorkingMoment(moment('2031-02-22T12:00'), belovo))).toBe('2031-02-25 08:00');
    expect(localIso(addWorkingMinutes(moment('2031-03-07T16:00'), 120, belovo))).toBe('2031-03-11 09:00');
    expect(nextCallbackWindow(moment('2031-02-23T12:00'), 'morning', belovo).from).toEqual(
      moment('2031-02-25T08:00'),
    );
  });

  it('the New Year holidays of any year (1–8 January) have no working periods', () => {
    for (let day = 1; day <= 8; day++) {
      expect(workingPeriodsOn(DateTime.fromISO(`2030-01-0${day}T12:00`, { zone: ZONE }), belovo)).toEqual([]);
    }
    expect(localIso(nextWorkingMoment(moment('2029-12-29T10:00'), belovo))).toBe('2029-12-31 08:00');
    expect(localIso(nextWorkingMoment(moment('2030-01-01T10:00'), belovo))).toBe('2030-01-09 08:00');
  });

  it('a transferred working Saturday works with the hours of its weekday', () => {
    const custom: CenterProfile = {
      ...belovo,
      calendar: { ...belovo.calendar, workingWeekends: [{ date: '2028-11-11', as: 'mon' }] },
    };
    expect(isWorkingTime(moment('2028-11-11T10:00'), custom)).toBe(true);
    expect(isWorkingTime(moment('2028-11-11T10:00'), belovo)).toBe(false);
  });
});
