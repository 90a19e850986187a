import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { CenterProfile } from '../../config/center.ts';
import { loadCenterProfile } from '../../config/center.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { subscribe } from '../../storage/outreach.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { BARNAUL, loadBelovo, silentLogger } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');
const PASSWORD = 'outreach-api-pass';
/** The session of the latest server() (logged in through the real login route). */
let headers: Record<string, string> = {};

/** The staff API as the service serves it, without Redis: changes still reach subscribers at once. */
describe('outreach staff API (no Redis)', () => {
  let t: TestDatabase;
  let belovo: CenterProfile;
  let now = DateTime.fromISO('2026-11-30T10:00', { zone: 'Asia/Novokuznetsk' }).toJSDate();
  const clock = () => now;
  beforeAll(async () => {
    t = await engine.create();
    belovo = await loadBelovo();
  });
  afterAll(async () => {
    await t.drop();
  });

  async function server(center: CenterProfile) {
    const runtime = new Runtime({
      db: t.db,
      center,
      translator: new Translator(),
      scheduler: noScheduler,
      logger: silentLogger,
      clock,
    });
    const app = await buildServer({
      runtime,
      db: t.db,
      translator: new Translator(),
      center,
      logger: silentLogger,
      dispatcherPassword: PASSWORD,
      clock,
    });
    headers = await staffLogin(app, 'dispatcher', PASSWORD);
    return app;
  }

  const outbound = async (contactId: number) =>
    (
      await t.db
        .selectFrom('messages')
        .select('body')
        .where('contact_id', '=', contactId)
        .where('direction', '=', 'out')
        .orderBy('id')
        .execute()
    ).map((row) => (row.body as { text: string }).text);

  it('an extra date for the mobile point «по договорённости» is told to its subscribers at once', async () => {
    const app = await server(belovo);
    const family = await upsertContact(t.db, 'web', 'api-staro', now);
    const other = await upsertContact(t.db, 'web', 'api-inskoy', now);
    await subscribe(t.db, family.id, 'Старо-Белово', now);
    await subscribe(t.db, other.id, 'Инской', now);
    now = new Date(now.getTime() + 60_000);
    const response = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/extra-dates',
      headers,
      payload: {
        settlement: 'Старо-Белово',
        date: '2026-12-02',
        hours: '10:00-13:00',
        place: 'мкр Старо-Белово, ул. Ленина, 1',
      },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ ok: true, notified: 1 });
    expect((await outbound(family.id)).at(-1)).toContain(
      '• ср, 02.12 — мкр Старо-Белово, ул. Ленина, 1, 10:00–13:00 (дополнительный выезд)',
    );
    expect(await outbound(other.id)).toEqual([]);
    // The day before, at 18:00, the extra visit is reminded like any other.
    const listed = await app.inject({ url: '/api/staff/outreach/visits?from=2026-12-02&days=1', headers });
    expect(listed.json().visits.filter((v: { status: string }) => v.status === 'extra')).toMatchObject([
      { settlement: 'Старо-Белово', key: 'staro-belovo', entryId: expect.stringMatching(/^x\d+$/) },
    ]);
    await app.close();
  });

  it.each([
    [{ settlement: 'Бачатский' }, 400, 'date: date is required'],
    [{ settlement: 'Атлантида', date: '2026-12-04', hours: '10:00-12:00' }, 404, 'unknown settlement'],
    [{ settlement: 'Бачатский', date: '2026-11-20', hours: '10:00-12:00' }, 400, 'must not be in the past'],
    [{ settlement: 'Бачатский', date: '2026-12-04', hours: '15:00-09:00' }, 400, 'not a valid time range'],
    [{ settlement: 'Бачатский', date: '2026-12-04' }, 400, 'give at least one of newDate, hours, place'],
    [
      { settlement: 'Бачатский', date: '2026-12-11', hours: '10:00-12:00' },
      404,
      'no Бачатский visit on 2026-12-11',
    ],
  ])('explains a bad change %o', async (payload, status, message) => {
    const app = await server(belovo);
    const response = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/changes',
      headers,
      payload,
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().message).toContain(message);
    await app.close();
  });

  it('several visits the same day need the entry id (Barnaul Thursday)', async () => {
    const app = await server(await loadCenterProfile(BARNAUL));
    const payload = { settlement: 'Барнаул', date: '2026-12-03', hours: '10:00-11:00' };
    const ambiguous = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/changes',
      headers,
      payload,
    });
    expect(ambiguous.statusCode).toBe(409);
    const entryId = /(e[0-9a-f]{8})/.exec(ambiguous.json().message)?.[1];
    const changed = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/changes',
      headers,
      payload: { ...payload, entryId },
    });
    expect(changed.statusCode).toBe(201);
    // A whole-day cancellation needs no entry id.
    const cancelled = await app.inject({
      method: 'POST',
      url: '/api/staff/outreach/cancellations',
      headers,
      payload: { settlement: 'barnaul', date: '2026-12-10' },
    });
    expect(cancelled.statusCode).toBe(201);
    const listed = await app.inject({ url: '/api/staff/outreach/visits?from=2026-12-10&days=1', headers });
    expect(listed.json().visits.map((v: { status: string }) => v.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    await app.close();
  });
});
