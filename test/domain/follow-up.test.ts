import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type CenterProfile, parseCenterProfile } from '../../config/center.ts';
import {
  followUpMoment,
  isQuietMoment,
  outsideQuietHours,
  surveyReminderMoment,
} from '../../domain/follow-up.ts';
import { addWorkingDays } from '../../domain/working-hours.ts';
import { parseProgressPayload, progressPayload } from '../../flows/progress.ts';
import { BELOVO, loadBelovo } from '../support/fixtures.ts';

const ZONE = 'Asia/Novokuznetsk';
/** The Belovo profile with some fields replaced, parsed as the service would. */
const belovoWith = (overrides: Record<string, unknown>) =>
  parseCenterProfile({ ...parseYaml(readFileSync(BELOVO, 'utf8')), ...overrides });
const local = (text: string) => DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toJSDate();

describe('follow-up moments', () => {
  let center: CenterProfile;
  beforeAll(async () => {
    center = await loadBelovo();
  });

  it('asks at 10:00 on the 5th working day after the visit, skipping weekends', () => {
    // Tue → Wed, Thu, Fri, Mon, Tue.
    expect(followUpMoment(local('2026-11-24 15:00'), center)).toEqual(local('2026-12-01 10:00'));
    // Fri 16:30 → Mon..Fri of the next week.
    expect(followUpMoment(local('2026-11-27 16:30'), center)).toEqual(local('2026-12-04 10:00'));
    // A visit on a Saturday counts from the next working day too.
    expect(followUpMoment(local('2026-11-28 11:00'), center)).toEqual(local('2026-12-04 10:00'));
  });

  it('skips holidays of the center calendar (4 November, the New Year holidays)', () => {
    // Thu 29.10 → Fri 30, Mon 2, Tue 3, (Wed 4 Nov holiday), Thu 5, Fri 6.
    expect(followUpMoment(local('2026-10-29 09:00'), center)).toEqual(local('2026-11-06 10:00'));
    // Mon 28.12 → Tue 29, Wed 30, (31.12 and 1–8.01 holidays, weekend) Mon 11, Tue 12, Wed 13.
    expect(followUpMoment(local('2026-12-28 09:00'), center)).toEqual(local('2027-01-13 10:00'));
  });

  it('works on a transferred working Saturday and follows the configured day count and time', () => {
    const custom = belovoWith({
      calendar: { holidays: [], workingWeekends: [{ date: '2026-11-28', as: 'mon' }] },
      followUp: { workingDays: 2, at: '11:30' },
    });
    // Fri 27 → Sat 28 (working), Mon 30.
    expect(followUpMoment(local('2026-11-27 12:00'), custom)).toEqual(local('2026-11-30 11:30'));
    expect(addWorkingDays(local('2026-11-27 12:00'), 1, custom).toISODate()).toBe('2026-11-28');
  });

  it('refuses a follow-up time inside quiet hours in the profile', () => {
    expect(() => belovoWith({ followUp: { at: '22:00' } })).toThrow(/followUp\.at/);
  });

  it('never at night: quiet hours move a moment to their end', () => {
    expect(outsideQuietHours(local('2026-11-24 12:00'), center)).toEqual(local('2026-11-24 12:00'));
    expect(outsideQuietHours(local('2026-11-24 22:15'), center)).toEqual(local('2026-11-25 08:00'));
    expect(outsideQuietHours(local('2026-11-25 03:00'), center)).toEqual(local('2026-11-25 08:00'));
    expect(isQuietMoment(local('2026-11-24 21:00'), center)).toBe(true);
    expect(isQuietMoment(local('2026-11-24 08:00'), center)).toBe(false);
  });

  it('reminds about a survey 48 h after it was sent (configurable), not at night', () => {
    expect(surveyReminderMoment(local('2026-11-24 10:00'), center)).toEqual(local('2026-11-26 10:00'));
    expect(surveyReminderMoment(local('2026-11-24 23:30'), center)).toEqual(local('2026-11-27 08:00'));
    const quick = belovoWith({ survey: { reminderAfterHours: 24 } });
    expect(surveyReminderMoment(local('2026-11-24 10:00'), quick)).toEqual(local('2026-11-25 10:00'));
    expect(center.survey.reminderAfterHours).toBe(48);
  });

  it('reads only well-formed progress buttons', () => {
    expect(parseProgressPayload(progressPayload(12, 'help'))).toEqual({ appealId: 12, answer: 'help' });
    for (const bad of [
      'fu:0:yes',
      'fu:12:maybe',
      'fu:x:yes',
      'fu:12:yes:1',
      'sv:1:2:yes',
      'fu:99999999999:no',
    ]) {
      expect(parseProgressPayload(bad), bad).toBeUndefined();
    }
  });
});
