import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { AppealDraft } from '../../domain/appeal.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { transitionAppeal } from '../../storage/appeal-lifecycle.ts';
import { anonymizeAppealsOfContact, createAppeal } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { createSurvey, recordAnswer } from '../../storage/surveys.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'secret-pass';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};
// 10:00 on Tuesday 24 November in Belovo (UTC+7).
const NOW = new Date('2026-11-24T03:00:00Z');
const PERIOD = 'from=2026-11-24&to=2026-11-24';

const draft = (overrides: Partial<AppealDraft>): AppealDraft => ({
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
  ...overrides,
});

describe('survey and reports over the staff API', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let families = 0;

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

  async function family(): Promise<{ contactId: number; consentId: number }> {
    const contact = await upsertContact(t.db, 'web', `report-${++families}`, NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v',
      granted: true,
      at: NOW,
    });
    return { contactId: contact.id, consentId };
  }

  async function appeal(
    who: { contactId: number; consentId: number },
    overrides: Partial<AppealDraft>,
    channel = 'web',
    now = NOW,
  ) {
    return createAppeal(t.db, { ...who, channel, draft: draft(overrides), now });
  }

  async function answer(
    appealId: number,
    contactId: number,
    answers: Record<number, 'yes' | 'no' | 'partly'>,
  ) {
    const survey = await createSurvey(t.db, appealId, contactId, NOW);
    for (const [question, value] of Object.entries(answers)) {
      expect(await recordAnswer(t.db, survey.id, Number(question), value, NOW)).toEqual({ ok: true });
    }
  }

  const close = (id: number, result: 'resolved' | 'partly' | 'not_resolved') =>
    transitionAppeal(t.db, id, 'close', { actor: 'web:dispatcher', result, now: NOW });

  describe('reports', () => {
    beforeAll(async () => {
      // Family 1: two appeals (the latest one, with 1 child, counts), in Инской.
      const f1 = await family();
      const a1 = await appeal(f1, { address: 'пгт Инской, ул. Ленина, 5', minorChildren: 3 });
      const a2 = await appeal(
        f1,
        { address: 'пгт Инской , ул. Ленина, 5', minorChildren: 1, purpose: 'psychologist' },
        'web',
        new Date(NOW.getTime() + 60_000),
      );
      // Family 2: one appeal by Telegram, 4 children, in Белово.
      const f2 = await family();
      const a3 = await appeal(
        f2,
        { minorChildren: 4, phone: '+79139998877', fullName: 'Сидорова Ольга' },
        'telegram',
      );
      // Family 3: two appeals, then deleted their data — each anonymised appeal counts as a family of its own.
      const f3 = await family();
      const a4 = await appeal(f3, { minorChildren: 2 });
      const a5 = await appeal(
        f3,
        { minorChildren: 5, purpose: 'psychologist' },
        'web',
        new Date(NOW.getTime() + 60_000),
      );
      // Outside the period: not counted.
      const f4 = await family();
      const old = await appeal(f4, { minorChildren: 7 }, 'vk', new Date('2026-10-01T03:00:00Z'));

      await answer(a1.id, f1.contactId, { 2: 'yes', 3: 'yes', 5: 'yes', 8: 'yes' });
      await answer(a2.id, f1.contactId, { 2: 'yes', 3: 'partly', 5: 'yes' });
      await answer(a3.id, f2.contactId, { 2: 'no', 5: 'partly' });
      await answer(a4.id, f3.contactId, { 2: 'yes', 5: 'no' });
      await answer(old.id, f4.contactId, { 2: 'no', 5: 'no' });
      expect((await close(a1.id, 'resolved')).ok).toBe(true);
      expect((await close(a3.id, 'partly')).ok).toBe(true);
      expect((await close(a4.id, 'not_resolved')).ok).toBe(true);
      void a5;
      expect(await anonymizeAppealsOfContact(t.db, f3.contactId, NOW)).toBe(2);
    });

    it('refuses without the dispatcher login, and explains a bad period', async () => {
      expect((await app.inject({ url: `/api/staff/reports/summary?${PERIOD}` })).statusCode).toBe(401);
      expect((await app.inject({ url: `/api/staff/reports/appeals.csv?${PERIOD}` })).statusCode).toBe(401);
      const bad = await app.inject({ url: '/api/staff/reports/summary?from=24.11.2026&to=x', headers: AUTH });
      expect(bad.statusCode).toBe(400);
      const reversed = await app.inject({
        url: '/api/staff/reports/summary?from=2026-11-25&to=2026-11-24',
        headers: AUTH,
      });
      expect(reversed.statusCode).toBe(400);
    });

    it('counts shares per question, the solved share, families and children', async () => {
      const response = await app.inject({ url: `/api/staff/reports/summary?${PERIOD}`, headers: AUTH });
      expect(response.statusCode).toBe(200);
      const report = response.json();
      expect(report.appeals).toBe(5);
      // f1, f2, and the two anonymised appeals of f3.
      expect(report.families).toBe(4);
      // f1's latest appeal (1) + f2 (4) + f3's two anonymised appeals (2 + 5).
      expect(report.children).toBe(12);
      expect(report.surveys).toEqual({ answered: 4 });
      expect(report.questions.q2).toEqual({
        answered: 4,
        counts: { yes: 3, no: 1, partly: 0 },
        shares: { yes: 0.75, no: 0.25, partly: 0 },
      });
      expect(report.questions.q3.shares).toEqual({ yes: 0.5, no: 0, partly: 0.5 });
      expect(report.questions.q8).toEqual({
        answered: 1,
        counts: { yes: 1, no: 0, partly: 0 },
        shares: { yes: 1, no: 0, partly: 0 },
      });
      expect(report.questions.q6.answered).toBe(0);
      expect(report.solved).toEqual({ answered: 4, yes: 2, partly: 1, yesShare: 0.5, partlyShare: 0.25 });
      expect(report.byPurpose).toEqual({ lawyer: 3, psychologist: 2 });
      expect(report.byChannel).toEqual({ web: 4, telegram: 1 });
      // Anonymised appeals have no address left.
      expect(report.bySettlement).toEqual({ 'пгт Инской': 2, 'г. Белово': 1, 'не указан': 2 });
      expect(report.byKind).toEqual({ primary: 3, secondary: 2 });
      expect(report.byStatus).toEqual({ closed: 3, new: 2 });
      expect(report.byResult).toEqual({ resolved: 1, partly: 1, not_resolved: 1 });
    });

    it('exports a CSV for Russian Excel without names, phones or street addresses', async () => {
      const response = await app.inject({ url: `/api/staff/reports/appeals.csv?${PERIOD}`, headers: AUTH });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/csv');
      expect([...response.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = response.rawPayload.subarray(3).toString('utf8');
      const lines = text.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'number;date;channel;kind;purpose;settlement;status;result;children;q2;q3;q4;q5;q6;q7;q8;specialists;progress',
      );
      expect(lines).toHaveLength(6);
      const first = lines[1]?.split(';');
      expect(first?.slice(1)).toEqual([
        '2026-11-24',
        'web',
        'primary',
        'lawyer',
        'пгт Инской',
        'closed',
        'resolved',
        '3',
        'yes',
        'yes',
        '',
        'yes',
        '',
        '',
        'yes',
        '', // no specialist booked
        '', // no follow-up answer
      ]);
      for (const forbidden of ['+7913', '7913', 'Иванова', 'Сидорова', 'Маркса', 'Ленина', '1990-01-01']) {
        expect(text).not.toContain(forbidden);
      }
    });
  });

  describe('sending the survey', () => {
    const post = (id: number, headers: Record<string, string> = AUTH) =>
      app.inject({ method: 'POST', url: `/api/staff/appeals/${id}/survey`, headers, payload: {} });

    it('is refused for an open appeal, and a family without a chat', async () => {
      const who = await family();
      const { id } = await appeal(who, {});
      expect((await post(id, {})).statusCode).toBe(401);
      const open = await post(id);
      expect(open.statusCode).toBe(409);
      expect(open.json().error).toBe('not_closed');
      expect((await post(999_999)).statusCode).toBe(404);
      // The lifecycle route next to it still works.
      const take = await app.inject({
        method: 'POST',
        url: `/api/staff/appeals/${id}/take`,
        headers: AUTH,
        payload: {},
      });
      expect(take.json()).toMatchObject({ ok: true, status: 'in_work' });

      const gone = await family();
      const anonymised = await appeal(gone, {});
      await close(anonymised.id, 'resolved');
      await anonymizeAppealsOfContact(t.db, gone.contactId, NOW);
      expect((await post(anonymised.id)).json().error).toBe('no_contact');
      // The family was told its appeal was taken, and got no survey (its appeal is still open).
      const messages = await t.db
        .selectFrom('messages')
        .select('body')
        .where('contact_id', '=', who.contactId)
        .execute();
      const texts = messages.map((m) => (m.body as { text: string }).text);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain('занимается Дежурный диспетчер');
      expect(texts.join('\n')).not.toContain('Помогите нам');
    });

    it('sends the intro and the first unanswered question to a closed appeal’s family', async () => {
      const who = await family();
      const { id, number } = await appeal(who, {});
      await close(id, 'resolved');
      const response = await post(id);
      expect(response.statusCode).toBe(200);
      const { surveyId, question } = response.json();
      expect(question).toBe(2);
      const transcript = async () =>
        (
          await t.db
            .selectFrom('messages')
            .select('body')
            .where('contact_id', '=', who.contactId)
            .where('direction', '=', 'out')
            .orderBy('id')
            .execute()
        ).map((m) => m.body as { text: string; buttons?: Array<Array<{ label: string; payload: string }>> });
      const sent = await transcript();
      expect(sent).toHaveLength(2);
      expect(sent[0]?.text).toContain(number);
      expect(sent[1]?.text).toContain('Доступна ли информация о деятельности центра?');
      expect(sent[1]?.buttons).toEqual([
        [
          { label: 'Да', payload: `sv:${surveyId}:2:yes` },
          { label: 'Нет', payload: `sv:${surveyId}:2:no` },
        ],
      ]);

      // Asked again after two answers: the same survey, continuing with question 4.
      await recordAnswer(t.db, surveyId, 2, 'yes', NOW);
      await recordAnswer(t.db, surveyId, 3, 'partly', NOW);
      expect((await post(id)).json()).toEqual({ ok: true, surveyId, question: 4 });
      const again = await transcript();
      expect(again).toHaveLength(4);
      expect(again[3]?.buttons?.[0]?.map((b) => b.label)).toEqual(['Да', 'Нет', 'Частично']);

      for (const q of [4, 5, 6, 7, 8]) await recordAnswer(t.db, surveyId, q, 'yes', NOW);
      const done = await post(id);
      expect(done.statusCode).toBe(409);
      expect(done.json().error).toBe('completed');
    });
  });
});
