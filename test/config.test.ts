import { describe, expect, it } from 'vitest';
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
    expect(belovo.outreach).toHaveLength(12);
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
