import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { AppealDraft } from '../../domain/appeal.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { appealHistory, transitionAppeal } from '../../storage/appeal-lifecycle.ts';
import { createAppeal, getAppeal, markOverdueIfStillWaiting } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'secret-pass';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};
const NOW = new Date('2026-11-24T03:00:00Z');

const draft: AppealDraft = {
  fullName: 'Иванова Мария Петровна',
  address: 'г. Белово, ул. Маркса, 2',
  maritalStatus: 'married',
  minorChildren: 2,
  birthDate: '1990-01-01',
  phone: '+79131234567',
  purpose: 'lawyer',
  contactMode: 'phone',
  callMode: 'callback_asap',
  callbackDueAt: '2026-11-24T05:00:00.000Z',
};

describe.each(ENGINES)('appeal life cycle on $name', (engine) => {
  let t: TestDatabase;
  let families = 0;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  async function newAppeal(): Promise<number> {
    const contact = await upsertContact(t.db, 'web', `lifecycle-${++families}`, NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v',
      granted: true,
      at: NOW,
    });
    return (await createAppeal(t.db, { contactId: contact.id, consentId, channel: 'web', draft, now: NOW }))
      .id;
  }

  it('walks new → in work → waiting → in work → closed, with an append-only history', async () => {
    const id = await newAppeal();
    const step = (action: Parameters<typeof transitionAppeal>[2], extra = {}) =>
      transitionAppeal(t.db, id, action, { actor: 'web:dispatcher', now: NOW, ...extra });
    expect(await step('take')).toMatchObject({
      ok: true,
      appeal: { status: 'in_work', taken_by: 'web:dispatcher' },
    });
    expect(await step('wait', { note: 'ждём ответа УСЗН' })).toMatchObject({
      ok: true,
      appeal: { status: 'waiting' },
    });
    expect(await step('take')).toMatchObject({ ok: true, appeal: { status: 'in_work' } });
    expect(await step('close')).toEqual({ ok: false, reason: 'result_required' });
    expect(await step('close', { result: 'partly' })).toMatchObject({
      ok: true,
      appeal: { status: 'closed', result: 'partly' },
    });
    expect(await step('take')).toEqual({ ok: false, reason: 'not_allowed' });
    const history = await appealHistory(t.db, id);
    expect(history.map((e) => [e.action, e.from_status, e.to_status])).toEqual([
      ['take', 'new', 'in_work'],
      ['wait', 'in_work', 'waiting'],
      ['take', 'waiting', 'in_work'],
      ['close', 'in_work', 'closed'],
    ]);
    expect(history[1]?.note).toBe('ждём ответа УСЗН');
  });

  it('a done callback stops the SLA timer from flagging the appeal', async () => {
    const id = await newAppeal();
    expect(
      await transitionAppeal(t.db, id, 'callback-done', { actor: 'web:dispatcher', now: NOW }),
    ).toMatchObject({
      ok: true,
      appeal: { status: 'in_work' },
    });
    expect(await markOverdueIfStillWaiting(t.db, id, new Date('2026-11-24T06:00:00Z'))).toBe(false);
    expect((await getAppeal(t.db, id))?.callback_done_at).toEqual(NOW);
  });

  it('two dispatchers taking the same appeal at once: exactly one succeeds', async () => {
    const id = await newAppeal();
    const results = await Promise.all(
      ['tg:1', 'tg:2', 'web:dispatcher'].map((actor) =>
        transitionAppeal(t.db, id, 'take', { actor, now: NOW }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await appealHistory(t.db, id)).toHaveLength(1);
  });
});

describe('staff API for appeals', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    const engine = ENGINES[0];
    if (!engine) throw new Error('no engine');
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
    app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger: silentLogger,
      dispatcherPassword: PASSWORD,
    });
    AUTH = await staffLogin(app, 'dispatcher', PASSWORD);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it('takes and closes an appeal over HTTP, and explains refusals', async () => {
    const contact = await upsertContact(t.db, 'web', 'api-family', NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v',
      granted: true,
      at: NOW,
    });
    const { id } = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft,
      now: NOW,
    });
    const post = (path: string, payload: object = {}, headers: Record<string, string> = AUTH) =>
      app.inject({ method: 'POST', url: `/api/staff/appeals/${path}`, headers, payload });

    expect((await post(`${id}/take`, {}, {})).statusCode).toBe(401);
    expect((await post(`${id}/take`)).json()).toEqual({ ok: true, status: 'in_work', result: null });
    expect((await post(`${id}/take`)).statusCode).toBe(409);
    const noResult = await post(`${id}/close`);
    expect(noResult.statusCode).toBe(400);
    expect(noResult.json().message).toContain('result');
    expect((await post(`${id}/close`, { result: 'maybe' })).statusCode).toBe(400);
    expect((await post(`${id}/fly`)).statusCode).toBe(400);
    expect((await post('999999/take')).statusCode).toBe(404);
    expect(
      (await post(`${id}/close`, { result: 'resolved', note: 'Помогли оформить пособие' })).json(),
    ).toMatchObject({ status: 'closed', result: 'resolved' });
    const history = await app.inject({ url: `/api/staff/appeals/${id}/history`, headers: AUTH });
    expect(history.json().events.map((e: { action: string }) => e.action)).toEqual(['take', 'close']);
  });

  it("sends a dispatcher's reply to the family's chat and records that it went out", async () => {
    const contact = await upsertContact(t.db, 'web', 'reply-family', NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v',
      granted: true,
      at: NOW,
    });
    const { id, number } = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft,
      now: NOW,
    });
    const send = (payload: object, headers: Record<string, string> = AUTH) =>
      app.inject({ method: 'POST', url: `/api/staff/appeals/${id}/reply`, headers, payload });
    expect((await send({ text: 'x' }, {})).statusCode).toBe(401);
    expect((await send({ text: '   ' })).statusCode).toBe(400);
    // Answering an untaken appeal takes it: the family learns who is talking to it.
    expect((await send({ text: 'Здравствуйте! Перезвоню Вам сегодня в 15:00.' })).json()).toEqual({
      ok: true,
      took: true,
    });
    const messages = await t.db
      .selectFrom('messages')
      .select('body')
      .where('contact_id', '=', contact.id)
      .execute();
    const texts = messages.map((m) => (m.body as { text: string }).text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain(`Вашим обращением № ${number} занимается Дежурный диспетчер`);
    expect(texts[1]).toBe(
      `💬 Дежурный диспетчер · обращение № ${number}:\nЗдравствуйте! Перезвоню Вам сегодня в 15:00.`,
    );
    const events = await appealHistory(t.db, id);
    expect(events.map((e) => [e.action, e.actor, e.note])).toEqual([
      ['take', 'web:dispatcher', null],
      ['reply', 'web:dispatcher', null],
    ]);
    // A closed appeal is not written to until it is reopened.
    await app.inject({
      method: 'POST',
      url: `/api/staff/appeals/${id}/close`,
      headers: AUTH,
      payload: { result: 'withdrawn' },
    });
    const closed = await send({ text: 'Ещё вопрос' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().error).toBe('closed');
  });
});
