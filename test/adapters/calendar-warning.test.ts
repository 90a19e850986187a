import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warnIfTransfersMissing } from '../../bot/calendar-check.ts';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { CenterProfile } from '../../config/center.ts';
import { DispatcherDirectory, webDispatcher } from '../../config/dispatchers.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'calendar-pass';
const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

/** Belovo's profile lists the 2026 decree only ([2026]); these moments are injected, never today's date. */
const SEPTEMBER_2026 = new Date('2026-09-15T05:00:00Z');
const OCTOBER_2026 = new Date('2026-10-02T05:00:00Z');
const MARCH_2028 = new Date('2028-03-01T05:00:00Z');

describe('missing holiday transfers: a warning at start and a banner in the inbox', () => {
  let t: TestDatabase;
  let belovo: CenterProfile;
  const servers: FastifyInstance[] = [];

  beforeAll(async () => {
    t = await engine.create();
    belovo = await loadBelovo();
  });
  afterAll(async () => {
    for (const app of servers) await app.close();
    await t.drop();
  });

  async function inboxAt(now: Date, center: CenterProfile) {
    const translator = new Translator();
    const runtime = new Runtime({
      db: t.db,
      center,
      translator,
      scheduler: noScheduler,
      logger: silentLogger,
    });
    const directory = new DispatcherDirectory([webDispatcher(PASSWORD)]);
    const app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger: silentLogger,
      directory,
      clock: () => now,
    });
    servers.push(app);
    const response = await app.inject({
      url: '/api/staff/appeals',
      headers: await staffLogin(app, 'dispatcher', PASSWORD),
    });
    expect(response.statusCode).toBe(200);
    return (response.json() as { calendarTransfersMissing: number | null }).calendarTransfersMissing;
  }

  it('the inbox API names the missing year from October on, and nothing before or once configured', async () => {
    expect(await inboxAt(SEPTEMBER_2026, belovo)).toBeNull();
    expect(await inboxAt(OCTOBER_2026, belovo)).toBe(2027);
    const configured = { ...belovo, calendar: { ...belovo.calendar, transfersConfigured: [2026, 2027] } };
    expect(await inboxAt(OCTOBER_2026, configured)).toBeNull();
    expect(await inboxAt(MARCH_2028, configured)).toBe(2028);
  });

  it('the inbox page has the banner that shows it', async () => {
    const app = servers[0];
    if (!app) throw new Error('no server');
    const headers = await staffLogin(app, 'dispatcher', PASSWORD);
    const page = await app.inject({ url: '/dispatcher', headers });
    expect(page.body).toContain('id="calendar-warning"');
    const script = await app.inject({ url: '/dispatcher/inbox.js', headers });
    expect(script.body).toContain('calendarTransfersMissing');
  });

  it('logs a warning at start naming the year and the profile keys to fill in', () => {
    const lines: { level: number; msg: string; year?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    expect(warnIfTransfersMissing(belovo, logger, SEPTEMBER_2026)).toBeUndefined();
    expect(lines).toEqual([]);
    expect(warnIfTransfersMissing(belovo, logger, OCTOBER_2026)).toBe(2027);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, year: 2027 });
    expect(lines[0]?.msg).toMatch(/2027.*calendar\.transfersConfigured/s);
  });
});
