import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { parseSurveyPayload, surveyIntro, surveyQuestion, surveyThanks } from '../../bot/survey-messages.ts';
import type { AppealDraft } from '../../domain/appeal.ts';
import { createAppeal } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import {
  claimSurveyReminder,
  completeIfDone,
  createSurvey,
  getSurvey,
  nextUnanswered,
  recordAnswer,
  surveyAnswers,
  surveysAwaitingReminder,
} from '../../storage/surveys.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';

const NOW = new Date('2026-11-24T03:00:00Z');
const LATER = new Date('2026-11-25T03:00:00Z');

const draft: AppealDraft = {
  fullName: 'Петрова Анна Ивановна',
  address: 'пгт Инской, ул. Ленина, 5',
  maritalStatus: 'married',
  minorChildren: 3,
  birthDate: '1988-05-05',
  phone: '+79130000001',
  purpose: 'lawyer',
  contactMode: 'phone',
  callMode: 'callback_asap',
  callbackDueAt: '2026-11-24T05:00:00.000Z',
};

describe.each(ENGINES)('surveys on $name', (engine) => {
  let t: TestDatabase;
  let families = 0;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  async function newAppeal(): Promise<{ appealId: number; contactId: number }> {
    const contact = await upsertContact(t.db, 'web', `survey-${++families}`, NOW);
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
    return { appealId: id, contactId: contact.id };
  }

  it('creates one survey per appeal: asking again returns the same one', async () => {
    const { appealId, contactId } = await newAppeal();
    const first = await createSurvey(t.db, appealId, contactId, NOW);
    const second = await createSurvey(t.db, appealId, contactId, LATER);
    expect(second.id).toBe(first.id);
    expect(second.sent_at).toEqual(NOW);
    const rows = await t.db.selectFrom('surveys').select('id').where('appeal_id', '=', appealId).execute();
    expect(rows).toHaveLength(1);
  });

  it('upserts answers, keeps partial ones, and asks the next unanswered question in order', async () => {
    const { appealId, contactId } = await newAppeal();
    const survey = await createSurvey(t.db, appealId, contactId, NOW);
    expect(await nextUnanswered(t.db, survey.id)).toBe(2);
    expect(await recordAnswer(t.db, survey.id, 2, 'yes', NOW)).toEqual({ ok: true });
    expect(await recordAnswer(t.db, survey.id, 4, 'partly', NOW)).toEqual({ ok: true });
    expect(await nextUnanswered(t.db, survey.id)).toBe(3);
    expect(await recordAnswer(t.db, survey.id, 2, 'no', LATER)).toEqual({ ok: true });
    expect([...(await surveyAnswers(t.db, survey.id))].sort()).toEqual([
      [2, 'no'],
      [4, 'partly'],
    ]);
    const count = await t.db
      .selectFrom('survey_answers')
      .select('question')
      .where('survey_id', '=', survey.id)
      .execute();
    expect(count).toHaveLength(2);
    expect(await completeIfDone(t.db, survey.id, LATER)).toBe(false);
    expect((await getSurvey(t.db, survey.id))?.completed_at).toBeNull();
  });

  it('rejects «Частично» where survey.md does not offer it, and unknown questions or answers', async () => {
    const { appealId, contactId } = await newAppeal();
    const survey = await createSurvey(t.db, appealId, contactId, NOW);
    for (const question of [2, 6, 7, 8]) {
      expect(await recordAnswer(t.db, survey.id, question, 'partly', NOW)).toEqual({
        ok: false,
        reason: 'invalid_answer',
      });
    }
    for (const question of [3, 4, 5]) {
      expect(await recordAnswer(t.db, survey.id, question, 'partly', NOW)).toEqual({ ok: true });
    }
    expect(await recordAnswer(t.db, survey.id, 1, 'yes', NOW)).toMatchObject({ reason: 'invalid_question' });
    expect(await recordAnswer(t.db, survey.id, 9, 'yes', NOW)).toMatchObject({ reason: 'invalid_question' });
    expect(await recordAnswer(t.db, survey.id, 3, 'maybe', NOW)).toMatchObject({ reason: 'invalid_answer' });
    expect(await recordAnswer(t.db, 999_999, 3, 'yes', NOW)).toMatchObject({ reason: 'not_found' });
    expect((await surveyAnswers(t.db, survey.id)).size).toBe(3);
  });

  it('completes once every question is answered, and reminds only unfinished surveys once', async () => {
    const done = await newAppeal();
    const open = await newAppeal();
    const complete = await createSurvey(t.db, done.appealId, done.contactId, NOW);
    const pending = await createSurvey(t.db, open.appealId, open.contactId, NOW);
    for (const question of [2, 3, 4, 5, 6, 7]) {
      await recordAnswer(t.db, complete.id, question, 'yes', NOW);
      expect(await completeIfDone(t.db, complete.id, NOW)).toBe(false);
    }
    await recordAnswer(t.db, complete.id, 8, 'no', NOW);
    expect(await nextUnanswered(t.db, complete.id)).toBeUndefined();
    expect(await completeIfDone(t.db, complete.id, LATER)).toBe(true);
    expect((await getSurvey(t.db, complete.id))?.completed_at).toEqual(LATER);

    // The reminder is owed to the unfinished survey only, and claimed once (its timing: scheduler/follow-ups tests).
    const owed = (await surveysAwaitingReminder(t.db)).map((s) => s.id);
    expect(owed).toContain(pending.id);
    expect(owed).not.toContain(complete.id);
    expect(await claimSurveyReminder(t.db, complete.id, LATER)).toBe(false);
    expect(await claimSurveyReminder(t.db, pending.id, LATER)).toBe(true);
    expect(await claimSurveyReminder(t.db, pending.id, LATER)).toBe(false);
    expect((await surveysAwaitingReminder(t.db)).map((s) => s.id)).not.toContain(pending.id);
  });
});

describe('survey messages', () => {
  const translator = new Translator();

  it('asks the questions of survey.md word for word, with one-tap answers', () => {
    const q2 = translator.render('ru', surveyQuestion(12, 2));
    expect(q2.text).toContain('Доступна ли информация о деятельности центра?');
    expect(q2.buttons).toEqual([
      [
        { label: 'Да', payload: 'sv:12:2:yes' },
        { label: 'Нет', payload: 'sv:12:2:no' },
      ],
    ]);
    const q5 = translator.render('ru', surveyQuestion(12, 5, '2026-000012'));
    expect(q5.text).toContain('Был ли решен вопрос, с которым Вы обратились?');
    expect(q5.text).toContain('2026-000012');
    expect(q5.buttons?.[0]?.map((b) => b.label)).toEqual(['Да', 'Нет', 'Частично']);
    expect(translator.render('en', surveyQuestion(12, 8)).text).toContain('recommend');
    for (const question of [2, 3, 4, 5, 6, 7, 8]) {
      for (const button of surveyQuestion(2_147_483_647, question).buttons?.flat() ?? []) {
        expect(Buffer.byteLength(button.payload)).toBeLessThanOrEqual(64);
        expect(parseSurveyPayload(button.payload)).toMatchObject({ surveyId: 2_147_483_647, question });
      }
    }
    expect(() => surveyQuestion(1, 9)).toThrow();
    expect(parseSurveyPayload('sv:1:2:partly')).toBeUndefined();
    expect(parseSurveyPayload('bk:1:2:yes')).toBeUndefined();
    expect(translator.render('ru', surveyIntro('2026-000012')).text).toContain('2026-000012');
    expect(translator.render('ru', surveyThanks()).text).toContain('Спасибо');
  });
});
