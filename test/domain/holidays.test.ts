import { describe, expect, it } from 'vitest';
import { isHoliday, missingTransfersYear, publicHolidays } from '../../domain/holidays.ts';

const NEW_YEAR = (year: number) => [1, 2, 3, 4, 5, 6, 7, 8].map((d) => `${year}-01-0${d}`);

describe('publicHolidays (Labour Code art. 112)', () => {
  it.each([
    // 2026: 8 March Sunday → Mon 9; 9 May Saturday → Mon 11 (matches the official 2026 calendar).
    [
      2026,
      [
        '2026-02-23',
        '2026-03-08',
        '2026-03-09',
        '2026-05-01',
        '2026-05-09',
        '2026-05-11',
        '2026-06-12',
        '2026-11-04',
      ],
    ],
    // 2027: 1 May Sat → Mon 3; 9 May Sun → Mon 10; 12 June Sat → Mon 14.
    [
      2027,
      [
        '2027-02-23',
        '2027-03-08',
        '2027-05-01',
        '2027-05-03',
        '2027-05-09',
        '2027-05-10',
        '2027-06-12',
        '2027-06-14',
        '2027-11-04',
      ],
    ],
    // 2028: 23 Feb Wed, 8 March Wed, 1 May Mon, 9 May Tue, 12 June Mon, 4 Nov Sat → Mon 6.
    [
      2028,
      ['2028-02-23', '2028-03-08', '2028-05-01', '2028-05-09', '2028-06-12', '2028-11-04', '2028-11-06'],
    ],
    // 2031: 23 Feb Sun → Mon 24; 8 March Sat → Mon 10; 4 Nov Tue.
    [
      2031,
      [
        '2031-02-23',
        '2031-02-24',
        '2031-03-08',
        '2031-03-10',
        '2031-05-01',
        '2031-05-09',
        '2031-06-12',
        '2031-11-04',
      ],
    ],
  ])('%i', (year, rest) => {
    expect(publicHolidays(year)).toEqual([...NEW_YEAR(year), ...rest]);
  });

  it('does not move January weekend holidays (the decree does), only the others', () => {
    // 2028: 1–2 January are Sat/Sun and 8 January a Saturday; nothing is added for them.
    expect(publicHolidays(2028).filter((d) => d.startsWith('2028-01'))).toEqual(NEW_YEAR(2028));
    expect(publicHolidays(2028)).not.toContain('2028-01-10');
  });

  it('gives each weekend holiday its own day off: 2032, 1 May Sat → Mon 3, 9 May Sun → Mon 10', () => {
    expect(publicHolidays(2032).filter((d) => d.startsWith('2032-05'))).toEqual([
      '2032-05-01',
      '2032-05-03',
      '2032-05-09',
      '2032-05-10',
    ]);
  });
});

describe('isHoliday', () => {
  const calendar = { holidays: ['2026-12-31'], workingWeekends: [] };
  it('combines computed holidays and the decree days of the profile', () => {
    expect(isHoliday('2026-12-31', calendar)).toBe(true);
    expect(isHoliday('2031-02-24', calendar)).toBe(true);
    expect(isHoliday('2040-06-12', calendar)).toBe(true);
    expect(isHoliday('2031-02-25', calendar)).toBe(false);
    expect(isHoliday('2028-08-22', calendar)).toBe(false); // Flag Day is a working day
  });
});

describe('missingTransfersYear', () => {
  const tz = 'Asia/Novokuznetsk';
  const at = (iso: string) => new Date(iso);
  it('warns from October on when next year is not configured', () => {
    expect(
      missingTransfersYear(at('2026-09-30T12:00:00Z'), tz, { transfersConfigured: [2026] }),
    ).toBeUndefined();
    expect(missingTransfersYear(at('2026-10-01T12:00:00Z'), tz, { transfersConfigured: [2026] })).toBe(2027);
    expect(
      missingTransfersYear(at('2026-10-01T12:00:00Z'), tz, { transfersConfigured: [2026, 2027] }),
    ).toBeUndefined();
  });
  it('in the center zone: 30 September 20:00 UTC is already October in Novokuznetsk (UTC+7)', () => {
    expect(missingTransfersYear(at('2026-09-30T20:00:00Z'), tz, { transfersConfigured: [2026] })).toBe(2027);
  });
  it('warns about the current year when even that is missing', () => {
    expect(missingTransfersYear(at('2031-03-01T12:00:00Z'), tz, { transfersConfigured: [2026, 2027] })).toBe(
      2031,
    );
    expect(missingTransfersYear(at('2031-03-01T12:00:00Z'), tz, {})).toBe(2031);
  });
});
