import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import { DispatcherDirectory, hashPassword, webDispatcher } from '../../config/dispatchers.ts';
import type { AppealDraft } from '../../domain/appeal.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { type AppealAction, transitionAppeal } from '../../storage/appeal-lifecycle.ts';
import { createAppeal, getAppeal } from '../../storage/appeals.ts';
import { createPartnerBooking } from '../../storage/bookings.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { storeUrgentAlert } from '../../storage/dispatch.ts';
import { appendMessages, messagesAfter } from '../../storage/messages.ts';
import { createSurvey, recordAnswer } from '../../storage/surveys.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'secret-pass';
/** Sessions logged in through the real login route in beforeAll. */
let AUTH: Record<string, string> = {};
let ANNA: Record<string, string> = {};
const HOUR_MS = 3600_000;

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

const draft = (overrides: Partial<AppealDraft> = {}): AppealDraft => ({
  fullName: 'Иванова Мария Петровна',
  address: 'г. Белово, ул. Маркса, 2',
  maritalStatus: 'married',
  minorChildren: 2,
  birthDate: '1990-01-01',
  phone: '+79131234567',
  purpose: 'lawyer',
  contactMode: 'phone',
  callMode: 'callback_asap',
  ...overrides,
});

type ListItem = { id: number; number: string; status: string; overdue: boolean; takenBy: string | null };

describe('dispatcher inbox (page and read API)', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let families = 0;
  const ids: Record<string, number> = {};
  const contacts: Record<string, number> = {};

  async function newAppeal(key: string, overrides: Partial<AppealDraft> = {}, actions: string[] = []) {
    const now = new Date();
    const contact = await upsertContact(t.db, 'web', `inbox-${++families}`, now);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v',
      granted: true,
      at: now,
    });
    const { id } = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft: draft(overrides),
      now,
    });
    for (const step of actions) {
      const [actor = '', action = ''] = step.split(' ');
      const result = await transitionAppeal(t.db, id, action as AppealAction, {
        actor,
        now,
        ...(action === 'close' ? { result: 'partly' as const } : {}),
      });
      if (!result.ok) throw new Error(`${step}: ${result.reason}`);
    }
    ids[key] = id;
    contacts[key] = contact.id;
  }

  beforeAll(async () => {
    t = await engine.create();
    const center = await loadBelovo();
    const translator = new Translator();
    const runtime = new Runtime({
      db: t.db,
      center,
      translator,
      scheduler: noScheduler,
      logger: silentLogger,
    });
    const directory = new DispatcherDirectory([
      webDispatcher(PASSWORD),
      { id: 'anna', name: 'Анна Смирнова', login: 'anna', passwordHash: hashPassword('anna-pass-1') },
      { id: 'oleg', name: 'Олег Петров', telegramId: 7007 },
    ]);
    app = await buildServer({ runtime, db: t.db, translator, center, logger: silentLogger, directory });
    AUTH = await staffLogin(app, 'dispatcher', PASSWORD);
    ANNA = await staffLogin(app, 'anna', 'anna-pass-1');
    const past = new Date(Date.now() - HOUR_MS).toISOString();
    const future = new Date(Date.now() + HOUR_MS).toISOString();
    await newAppeal('late', { callbackDueAt: past });
    await newAppeal('fresh', { callbackDueAt: future, callMode: 'chat_now' });
    await newAppeal('telegram', {}, ['telegram:oleg take']);
    await newAppeal('waiting', {}, ['web:anna take', 'web:anna wait']);
    await newAppeal('closed', {}, ['web:anna take', 'web:anna close']);
    await newAppeal('gone', {}, ['web:removed take']);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const list = async (query: string, headers = AUTH) => {
    const response = await app.inject({ url: `/api/staff/appeals?${query}`, headers });
    expect(response.statusCode).toBe(200);
    return response.json() as { appeals: ListItem[]; counts: Record<string, number>; me: { name: string } };
  };
  const idsOf = (items: ListItem[]) => items.map((item) => item.id).sort((a, b) => a - b);

  it('asks for the login on the page and every endpoint, and refuses a wrong password', async () => {
    await expect(staffLogin(app, 'dispatcher', 'guess')).rejects.toThrow(/401/);
    await expect(staffLogin(app, 'nobody', PASSWORD)).rejects.toThrow(/401/);
    for (const url of ['/dispatcher', '/api/staff/appeals', `/api/staff/appeals/${ids.late}`]) {
      for (const headers of [
        {},
        { cookie: 'sd_staff=forged' },
        { authorization: 'Basic ZGlzcGF0Y2hlcjpzZWNyZXQtcGFzcw==' },
      ]) {
        const response = await app.inject({ url, headers });
        // The page sends the browser to the login form; the API answers JSON. No basic-auth prompt anywhere.
        expect(response.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(
          url === '/dispatcher' ? 302 : 401,
        );
        expect(response.headers['www-authenticate']).toBeUndefined();
        expect(response.body).not.toContain('Иванова');
      }
    }
    const page = await app.inject({ url: '/dispatcher', headers: AUTH });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.body).toContain('Взять в работу');
    const data = await app.inject({ url: '/api/staff/appeals', headers: ANNA });
    expect(data.statusCode).toBe(200);
    expect(data.headers['cache-control']).toBe('no-store');
    expect(data.json().me).toEqual({ id: 'anna', name: 'Анна Смирнова', role: 'dispatcher' });
  });

  it('lists by status with counts, flags the late ones and names who took each appeal', async () => {
    const all = await list('status=all');
    expect(all.counts).toEqual({ new: 2, in_work: 2, waiting: 1, closed: 1, all: 6, overdue: 1 });
    expect(all.appeals.map((item) => item.id)).toEqual(
      [ids.gone, ids.closed, ids.waiting, ids.telegram, ids.fresh, ids.late], // newest first
    );
    expect(idsOf((await list('status=new')).appeals)).toEqual([ids.late, ids.fresh]);
    const late = (await list('status=all&overdue=1')).appeals;
    expect(late.map((item) => [item.id, item.overdue])).toEqual([[ids.late, true]]);
    expect(all.appeals.find((item) => item.id === ids.fresh)?.overdue).toBe(false);

    const inWork = (await list('status=in_work')).appeals;
    expect(Object.fromEntries(inWork.map((item) => [item.id, item.takenBy]))).toEqual({
      [String(ids.telegram)]: 'Олег Петров',
      // A dispatcher no longer in the list keeps the id the history knows.
      [String(ids.gone)]: 'removed',
    });
    const [waiting] = (await list('status=waiting')).appeals;
    expect(waiting).toMatchObject({
      id: ids.waiting,
      status: 'waiting',
      takenBy: 'Анна Смирнова',
      fullName: 'Иванова Мария Петровна',
      place: 'г. Белово',
      purpose: 'lawyer',
      contactMode: 'phone',
      callMode: 'callback_asap',
      channel: 'web',
      kind: 'primary',
    });
    expect((await list('status=closed')).appeals).toMatchObject([{ id: ids.closed, result: 'partly' }]);

    const bad = await app.inject({ url: '/api/staff/appeals?status=lost', headers: AUTH });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('status must be one of: new, in_work, waiting, closed, all');
  });

  it('shows one appeal: card, history with names, the transcript both ways, route items and the survey', async () => {
    const id = ids.closed as number;
    const contactId = contacts.closed as number;
    const said = new Date(Date.now() - 10 * 60_000);
    await appendMessages(t.db, contactId, 'in', [{ text: 'Здравствуйте, <b>срочно</b>' }], said);
    await appendMessages(
      t.db,
      contactId,
      'out',
      [{ text: 'Выберите', buttons: [[{ label: 'Да', payload: 'x:1' }]] }],
      said,
    );
    const startsAt = new Date(Date.now() + 48 * HOUR_MS);
    await createPartnerBooking(t.db, {
      contactId,
      appealId: id,
      org: 'Пенсионный фонд',
      address: 'ул. Советская, 5',
      startsAt,
      endsAt: new Date(startsAt.getTime() + HOUR_MS),
      now: new Date(),
    });
    const survey = await createSurvey(t.db, id, contactId, new Date());
    await recordAnswer(t.db, survey.id, 2, 'yes', new Date());
    await recordAnswer(t.db, survey.id, 3, 'partly', new Date());

    const response = await app.inject({ url: `/api/staff/appeals/${id}`, headers: AUTH });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body.timeZone).toBe('Asia/Novokuznetsk'); // Belovo's
    expect(body.appeal).toMatchObject({
      id,
      status: 'closed',
      result: 'partly',
      fullName: 'Иванова Мария Петровна',
      address: 'г. Белово, ул. Маркса, 2',
      phone: '+79131234567',
      birthDate: '1990-01-01',
      maritalStatus: 'married',
      minorChildren: 2,
      taken: { key: 'web:anna', via: 'web', name: 'Анна Смирнова' },
      hasChat: true,
    });
    expect(
      body.history.map((event: { action: string; actor: { name: string } }) => [
        event.action,
        event.actor.name,
      ]),
    ).toEqual([
      ['take', 'Анна Смирнова'],
      ['close', 'Анна Смирнова'],
    ]);
    expect(body.transcript).toEqual([
      {
        id: expect.any(Number),
        direction: 'in',
        at: said.toISOString(),
        text: 'Здравствуйте, <b>срочно</b>',
        buttons: [],
        status: 'pending',
      },
      {
        id: expect.any(Number),
        direction: 'out',
        at: said.toISOString(),
        text: 'Выберите',
        buttons: ['Да'],
        status: 'pending',
      },
    ]);
    expect(body.bookings).toMatchObject([
      { kind: 'partner', status: 'confirmed', org: 'Пенсионный фонд', startsAt: startsAt.toISOString() },
    ]);
    expect(body.survey).toMatchObject({ completedAt: null, answers: { 2: 'yes', 3: 'partly' } });

    // Polling asks only for what is new since the last message it has.
    const lastId = body.transcript[1].id;
    const since = await app.inject({ url: `/api/staff/appeals/${id}?after=${lastId}`, headers: AUTH });
    expect(since.json().transcript).toEqual([]);
    await appendMessages(t.db, contactId, 'in', [{ text: 'Ещё вопрос' }], new Date());
    const next = await app.inject({ url: `/api/staff/appeals/${id}?after=${lastId}`, headers: AUTH });
    expect(next.json().transcript.map((m: { text: string }) => m.text)).toEqual(['Ещё вопрос']);

    expect((await app.inject({ url: '/api/staff/appeals/999999', headers: AUTH })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/staff/appeals/abc', headers: AUTH })).statusCode).toBe(400);
  });

  it('keeps the page free of family data; the data arrives as JSON, verbatim', async () => {
    await t.db
      .updateTable('appeals')
      .set({ need_text: '<img src=x onerror=alert(1)>' })
      .where('id', '=', ids.fresh as number)
      .execute();
    const page = await app.inject({ url: '/dispatcher', headers: AUTH });
    expect(page.body).not.toContain('Иванова');
    expect(page.body).not.toContain('onerror=alert');
    expect(page.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    const detail = await app.inject({ url: `/api/staff/appeals/${ids.fresh}`, headers: AUTH });
    expect(detail.headers['content-type']).toMatch(/^application\/json/);
    expect(detail.json().appeal.needText).toBe('<img src=x onerror=alert(1)>');
  });

  it('accepts staff actions only as JSON (a cross-site form cannot send JSON without asking first)', async () => {
    const id = ids.fresh as number;
    const contactId = contacts.fresh as number;
    const before = (await messagesAfter(t.db, contactId, 0)).length;
    const attempts = [
      { 'content-type': 'text/plain', payload: '{"text":"hi"}' },
      { 'content-type': 'application/x-www-form-urlencoded', payload: 'text=hi' },
      { 'content-type': 'multipart/form-data; boundary=x', payload: '--x--' },
      { payload: undefined },
    ];
    for (const { payload, ...type } of attempts) {
      for (const url of [`/api/staff/appeals/${id}/take`, `/api/staff/appeals/${id}/reply`]) {
        const response = await app.inject({ method: 'POST', url, headers: { ...AUTH, ...type }, payload });
        expect(response.statusCode, `${url} ${JSON.stringify(type)}`).toBe(415);
        expect(response.json()).toEqual({
          error: 'unsupported_media_type',
          message: 'Staff actions accept only JSON bodies (content-type: application/json)',
        });
      }
    }
    expect((await getAppeal(t.db, id))?.status).toBe('new');
    expect(await messagesAfter(t.db, contactId, 0)).toHaveLength(before);

    const take = await app.inject({
      method: 'POST',
      url: `/api/staff/appeals/${id}/take`,
      headers: { ...AUTH, 'content-type': 'application/json; charset=utf-8' },
      payload: '{}',
    });
    expect(take.statusCode).toBe(200);
    expect((await getAppeal(t.db, id))?.taken_by).toBe('web:dispatcher');
    // Reading stays a plain GET.
    expect((await app.inject({ url: `/api/staff/appeals/${id}/history`, headers: AUTH })).statusCode).toBe(
      200,
    );
  });

  it('shows crisis alerts above everything until a dispatcher acknowledges them', async () => {
    const contact = await upsertContact(t.db, 'vk', 'inbox-crisis', new Date());
    const id = await storeUrgentAlert(t.db, {
      contactId: contact.id,
      channel: 'vk',
      signal: 'child_danger',
      now: new Date(),
    });
    const urgent = async () => (await app.inject({ url: '/api/staff/appeals', headers: AUTH })).json().urgent;
    expect(await urgent()).toEqual([
      expect.objectContaining({
        id,
        contactId: contact.id,
        channel: 'vk',
        signal: 'child_danger',
        postedToTelegram: false,
      }),
    ]);
    const ack = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: `/api/staff/urgent/${id}/ack`, headers, payload: {} });
    expect((await ack({})).statusCode).toBe(401);
    expect((await ack(ANNA)).json()).toEqual({ ok: true });
    expect((await ack(AUTH)).statusCode).toBe(409);
    expect(await urgent()).toEqual([]);
    const row = await t.db
      .selectFrom('urgent_alerts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.acknowledged_by).toBe('web:anna');
  });
  // Last: it adds appeals the counts above do not expect.
  it('lists open urgent appeals first and marks them in the list and on the card', async () => {
    await newAppeal('urgent', { urgent: true, needText: 'Муж бьёт, боюсь идти домой' });
    await newAppeal('urgentClosed', { urgent: true }, ['web:anna take', 'web:anna close']);
    await newAppeal('newest');
    const all = (await list('status=all')).appeals as Array<ListItem & { urgent: boolean }>;
    // The open urgent one first although two appeals are newer; a closed urgent one keeps its place.
    expect(all.map((item) => item.id).slice(0, 3)).toEqual([ids.urgent, ids.newest, ids.urgentClosed]);
    expect(all.filter((item) => item.urgent).map((item) => item.id)).toEqual([ids.urgent, ids.urgentClosed]);
    expect((await list('status=new')).appeals[0]?.id).toBe(ids.urgent);

    const card = await app.inject({ url: `/api/staff/appeals/${ids.urgent}`, headers: AUTH });
    expect(card.json().appeal).toMatchObject({ urgent: true, needText: 'Муж бьёт, боюсь идти домой' });
    const ordinary = await app.inject({ url: `/api/staff/appeals/${ids.newest}`, headers: AUTH });
    expect(ordinary.json().appeal.urgent).toBe(false);

    // The page's badges: test/browser/crisis.test.ts.
  });
});
