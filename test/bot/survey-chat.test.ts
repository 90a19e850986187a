import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderedMessage } from '../../bot/i18n.ts';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { AppealDraft } from '../../domain/appeal.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { createAppeal } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { messagesAfter } from '../../storage/messages.ts';
import { ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'secret-pass';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};
const NOW = new Date('2026-11-24T03:00:00Z');
const draft: AppealDraft = {
  fullName: 'Иванова Мария Петровна',
  address: 'пгт Инской, ул. Ильича, 12',
  maritalStatus: 'married',
  minorChildren: 3,
  birthDate: '1990-01-01',
  phone: '+79131234567',
  purpose: 'lawyer',
  contactMode: 'phone',
  callMode: 'callback_asap',
};

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('satisfaction survey in chat after closing', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let runtime: Runtime;
  beforeAll(async () => {
    t = await engine.create();
    const center = await loadBelovo();
    const translator = new Translator();
    runtime = new Runtime({ db: t.db, center, translator, scheduler: noScheduler, logger: silentLogger });
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

  async function closedAppealFor(externalId: string) {
    const contact = await upsertContact(t.db, 'web', externalId, NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v',
      granted: true,
      at: NOW,
    });
    const appeal = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft,
      now: NOW,
    });
    const closed = await app.inject({
      method: 'POST',
      url: `/api/staff/appeals/${appeal.id}/close`,
      headers: AUTH,
      payload: { result: 'resolved' },
    });
    expect(closed.statusCode).toBe(200);
    return { contact, appeal };
  }

  const lastButtons = async (contactId: number): Promise<Array<{ label: string; payload: string }>> => {
    const out = (await messagesAfter(t.db, contactId, 0)).filter((m) => m.direction === 'out');
    const body = out.at(-1)?.body as RenderedMessage | undefined;
    return body?.buttons?.flat() ?? [];
  };

  it('sends the survey on close; one tap per answer; thanks at the end; the report counts it', async () => {
    const { contact, appeal } = await closedAppealFor('survey-family');
    const sent = (await messagesAfter(t.db, contact.id, 0))
      .map((m) => (m.body as RenderedMessage).text)
      .join('\n');
    expect(sent).toContain(appeal.number);
    expect(sent).toContain('Доступна ли информация о деятельности центра?');

    const chat = new ChatDriver(runtime, 'survey-family');
    const answers = ['Да', 'Частично', 'Да', 'Да', 'Да', 'Нет', 'Да'];
    for (const answer of answers) {
      const button = (await lastButtons(contact.id)).find((b) => b.label === answer);
      expect(button, `button ${answer}`).toBeDefined();
      await chat.send({ type: 'button', payload: button?.payload ?? '' });
    }
    expect(chat.text).toMatch(/Спасибо/);
    const stored = await t.db
      .selectFrom('survey_answers')
      .select(['question', 'answer'])
      .orderBy('question')
      .execute();
    expect(stored.map((a) => a.answer)).toEqual(['yes', 'partly', 'yes', 'yes', 'yes', 'no', 'yes']);
    const survey = await t.db.selectFrom('surveys').selectAll().executeTakeFirstOrThrow();
    expect(survey.completed_at).not.toBeNull();

    const report = await app.inject({
      url: '/api/staff/reports/summary?from=2026-11-01&to=2026-11-30',
      headers: AUTH,
    });
    expect(report.statusCode).toBe(200);
    expect(JSON.stringify(report.json())).toContain('"families":1');
  });

  it("keeps partial answers, and nobody else can answer a family's survey", async () => {
    const { contact } = await closedAppealFor('partial-family');
    const [yes] = (await lastButtons(contact.id)).filter((b) => b.label === 'Да');
    const stranger = new ChatDriver(runtime, 'stranger');
    await stranger.send({ type: 'button', payload: yes?.payload ?? '' });
    expect(stranger.text).toContain('относится к предыдущему вопросу');
    const family = new ChatDriver(runtime, 'partial-family');
    await family.send({ type: 'button', payload: yes?.payload ?? '' });
    const survey = await t.db
      .selectFrom('surveys')
      .select('id')
      .where('contact_id', '=', contact.id)
      .executeTakeFirstOrThrow();
    const stored = await t.db
      .selectFrom('survey_answers')
      .select('question')
      .where('survey_id', '=', survey.id)
      .execute();
    expect(stored.map((a) => a.question)).toEqual([2]);
    expect(family.text).toContain('Удовлетворены ли Вы качеством');
  });
});
