import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadCenterProfile, parseCenterProfile } from '../config/center.ts';
import { ConfigError, loadEnv } from '../config/env.ts';
import { BARNAUL, BELOVO } from './support/fixtures.ts';

describe('environment', () => {
  it('has working defaults for a local demo', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      CENTER_CONFIG: 'config/centers/belovo.yaml',
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(loadEnv({ DATABASE_URL: '', REDIS_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ DISPATCHER_PASSWORD: 'short' }, 'DISPATCHER_PASSWORD'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('names the bad variable in %o', (env, name) => {
    expect(() => loadEnv(env)).toThrow(ConfigError);
    expect(() => loadEnv(env)).toThrow(new RegExp(`${name}:`));
  });
});

describe('center profile', () => {
  it.each([BELOVO, BARNAUL])('loads the demo profile %s', async (path) => {
    const profile = await loadCenterProfile(path);
    expect(profile.outreach.length).toBeGreaterThan(0);
    expect(profile.workingHours.mon?.[0]).toEqual({ from: '08:00', to: '12:00' });
  });

  it('keeps the Belovo schedule from the source document', async () => {
    const belovo = await loadCenterProfile(BELOVO);
    expect(belovo.timeZone).toBe('Asia/Novokuznetsk');
    // 12 visits on fixed days and the Старо-Белово mobile point «по предварительной договорённости».
    expect(belovo.outreach).toHaveLength(13);
    expect(belovo.outreach.at(-1)).toMatchObject({
      settlement: 'Старо-Белово',
      rule: { type: 'by_arrangement' },
    });
    expect(belovo.outreach.find((o) => o.settlement === 'Бачатский')?.rule).toEqual({
      type: 'biweekly',
      weekday: 'fri',
      anchor: '2026-11-06',
    });
    expect(belovo.outreach.some((o) => 'weekday' in o.rule && o.rule.weekday === 'wed')).toBe(false);
    const barnaul = await loadCenterProfile(BARNAUL);
    expect(barnaul.outreach.find((o) => o.rule.type === 'monthly_nth')?.rule).toEqual({
      type: 'monthly_nth',
      weekday: 'wed',
      nth: [2, 4],
    });
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ workingHours: { mon: ['17:00-08:00'] } }, 'workingHours.mon.0'],
    [{ workingHours: {} }, 'workingHours'],
    [{ phone: undefined }, 'phone'],
    [
      {
        outreach: [
          { place: { ru: 'x' }, settlement: 'x', rule: { type: 'fortnightly' }, hours: '09:00-10:00' },
        ],
      },
      'outreach.0.rule',
    ],
    [
      {
        specialists: [],
        outreach: [{ place: { ru: 'x' }, settlement: 'x', rule: { type: 'weekly', weekday: 'mon' } }],
      },
      'outreach.0.hours',
    ],
    [{ specialists: [], outreachReminders: { morningAt: '07:30' } }, 'outreachReminders.morningAt'],
  ])('explains a bad profile: %o', async (patch, path) => {
    const base = structuredClone(await loadCenterProfile(BELOVO)) as Record<string, unknown>;
    // Turn parsed ranges back into strings, as they are in the file.
    base.workingHours = { mon: ['08:00-12:00'] };
    base.outreach = [];
    const raw = { ...base, ...patch };
    expect(() => parseCenterProfile(raw)).toThrow(ConfigError);
    expect(() => parseCenterProfile(raw)).toThrow(path);
  });

  it('fails readably when the file is missing or not YAML', async () => {
    await expect(loadCenterProfile('config/centers/nowhere.yaml')).rejects.toThrow(
      /Cannot read CENTER_CONFIG/,
    );
    await expect(loadCenterProfile('package.json')).rejects.toThrow(ConfigError);
  });
});

describe('center profile: specialists, calendar and booking', () => {
  /** The Belovo file as written (before parsing), to patch and parse again. */
  async function rawBelovo(): Promise<Record<string, unknown>> {
    return parseYaml(await readFile(BELOVO, 'utf8')) as Record<string, unknown>;
  }

  it('fills defaults for profiles without the booking fields', async () => {
    const raw = await rawBelovo();
    delete raw.calendar;
    delete raw.booking;
    raw.specialists = [{ id: 'x', role: 'other', name: { ru: 'Специалист' } }];
    raw.services = [{ id: 's', name: { ru: 'Услуга' } }];
    const profile = parseCenterProfile(raw);
    expect(profile.specialists[0]).toEqual({
      id: 'x',
      role: 'other',
      name: { ru: 'Специалист' },
      formats: ['in_person'],
      slotMinutes: 45,
      daysOff: [],
    });
    expect(profile.services[0]?.whatToBring).toBeUndefined();
    expect(profile.calendar).toEqual({ holidays: [], workingWeekends: [], transfersConfigured: [] });
    expect(profile.booking).toEqual({
      holdMinutes: 10,
      minLeadMinutes: 120,
      searchDays: 14,
      dayBeforeReminderAt: '12:00',
      quietHours: { from: '21:00', to: '08:00' },
    });
    raw.booking = { quietHours: { from: '22:00' } };
    expect(parseCenterProfile(raw).booking.quietHours).toEqual({ from: '22:00', to: '08:00' });
  });

  it('has the Belovo specialists, services and holidays', async () => {
    const belovo = await loadCenterProfile(BELOVO);
    const lawyer = belovo.specialists.find((s) => s.role === 'lawyer');
    expect(lawyer).toMatchObject({
      service: 'legal-consultation',
      formats: ['in_person', 'phone'],
      place: { ru: 'г. Белово, ул. Маркса, 2, каб. 5' },
      slotMinutes: 45,
      workingHours: {
        tue: [
          { from: '09:00', to: '12:00' },
          { from: '13:00', to: '16:00' },
        ],
      },
    });
    expect(Object.keys(lawyer?.workingHours ?? {})).toEqual(['tue', 'thu']);
    const psychologist = belovo.specialists.find((s) => s.role === 'psychologist');
    expect(psychologist).toMatchObject({ formats: ['in_person', 'video'], slotMinutes: 50 });
    expect(psychologist?.workingHours?.fri?.[1]).toEqual({ from: '12:48', to: '16:00' });
    const social = belovo.specialists.find((s) => s.role === 'family_specialist');
    expect(social?.workingHours).toBeUndefined(); // center hours
    expect(social?.slotMinutes).toBe(30);
    const service = (id: string | undefined) => belovo.services.find((s) => s.id === id);
    expect(service(lawyer?.service)?.whatToBring?.ru).toBe(
      'паспорт, СНИЛС и документы по Вашему вопросу, если они есть; заявление на социальные услуги оформят на приёме',
    );
    // The documents' list for every service: паспорт, СНИЛС, заявление (003_…txt:575-848).
    expect(service(psychologist?.service)?.whatToBring?.ru).toBe(
      'паспорт и СНИЛС; заявление на социальные услуги оформят на приёме',
    );
    expect(service(social?.service)?.whatToBring?.ru).toContain('свидетельства о рождении детей');
    // Only the decree's days: the fixed public holidays are computed (domain/holidays.ts).
    expect(belovo.calendar.holidays).toEqual(['2026-01-09', '2026-12-31']);
    expect(belovo.calendar.transfersConfigured).toEqual([2026]);
    expect(belovo.calendar.workingWeekends).toEqual([]);
    const barnaul = await loadCenterProfile(BARNAUL);
    expect(barnaul.calendar.holidays).toEqual(belovo.calendar.holidays);
    expect(barnaul.specialists.every((s) => s.service !== undefined)).toBe(true);
  });

  it.each([
    [
      { specialists: [{ id: 'x', role: 'lawyer', name: { ru: 'x' }, service: 'divorce' }] },
      'specialists.0.service',
      /unknown service "divorce"/,
    ],
    [
      { calendar: { workingWeekends: [{ date: '2026-11-25', as: 'mon' }] } },
      'calendar.workingWeekends.0.date',
      /2026-11-25 is a Wednesday/,
    ],
    [
      { calendar: { holidays: ['2026-11-28'], workingWeekends: [{ date: '2026-11-28', as: 'mon' }] } },
      'calendar.workingWeekends.0.date',
      /also a holiday/,
    ],
    [
      // 1 May 2027 is a Saturday and a public holiday: it cannot be a working weekend.
      { calendar: { workingWeekends: [{ date: '2027-05-01', as: 'mon' }] } },
      'calendar.workingWeekends.0.date',
      /also a holiday/,
    ],
    [
      { calendar: { workingWeekends: [{ date: '2026-11-28', as: 'someday' }] } },
      'calendar.workingWeekends.0.as',
      /./,
    ],
    [{ calendar: { holidays: ['2026-02-30'] } }, 'calendar.holidays.0', /not a calendar date/],
    [
      { specialists: [{ id: 'x', role: 'lawyer', name: { ru: 'x' }, slotMinutes: 10 }] },
      'specialists.0.slotMinutes',
      /./,
    ],
    [
      { specialists: [{ id: 'x', role: 'lawyer', name: { ru: 'x' }, formats: ['fax'] }] },
      'specialists.0.formats.0',
      /./,
    ],
    [
      {
        specialists: [{ id: 'x', role: 'lawyer', name: { ru: 'x' }, workingHours: { tue: ['16:00-09:00'] } }],
      },
      'specialists.0.workingHours.tue.0',
      /./,
    ],
    [
      { specialists: [{ id: 'x', role: 'lawyer', name: { ru: 'x' }, workingHours: {} }] },
      'specialists.0.workingHours',
      /at least one/,
    ],
    [
      { specialists: [{ id: 'x', role: 'lawyer', name: { ru: 'x' }, daysOff: ['tomorrow'] }] },
      'specialists.0.daysOff.0',
      /./,
    ],
    [{ booking: { dayBeforeReminderAt: '22:00' } }, 'booking.dayBeforeReminderAt', /quiet hours/],
    [{ booking: { quietHours: { from: '25:00' } } }, 'booking.quietHours.from', /./],
    [{ booking: { searchDays: 0 } }, 'booking.searchDays', /./],
  ])('explains a bad booking setting: %j', async (patch, path, message) => {
    const raw = { ...(await rawBelovo()), ...patch };
    expect(() => parseCenterProfile(raw)).toThrow(ConfigError);
    expect(() => parseCenterProfile(raw)).toThrow(`${path}:`);
    expect(() => parseCenterProfile(raw)).toThrow(message);
  });
});
