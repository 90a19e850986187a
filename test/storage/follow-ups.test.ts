import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymizeAppealsOfContact, getAppeal } from '../../storage/appeals.ts';
import {
  claimFollowUp,
  dropPendingFollowUp,
  followUpsOwed,
  latestProgress,
  openAppealsOf,
  recordProgress,
  recordProgressComment,
  releaseFollowUp,
  setAgreedFollowUp,
  setVisitFollowUp,
} from '../../storage/follow-ups.ts';
import { claimSurveyReminder, createSurvey, releaseSurveyReminder } from '../../storage/surveys.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { anotherAppeal, familyWithAppeal } from '../support/families.ts';

const NOW = new Date('2026-11-24T03:00:00Z');
const DAY = 24 * 3600_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

describe.each(ENGINES)('follow-up storage ($name)', (engine) => {
  let t: TestDatabase;
  let families = 0;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });
  const family = () => familyWithAppeal(t.db, `fu-storage-${++families}`, NOW);

  it('a later visit asks again; an earlier one, the same one or an agreed time do not move it', async () => {
    const f = await family();
    expect(await setVisitFollowUp(t.db, f.appealId, at(7))).toEqual(at(7));
    expect(await setVisitFollowUp(t.db, f.appealId, at(7))).toEqual(at(7)); // idempotent: still owed
    expect(await claimFollowUp(t.db, f.appealId, at(6))).toBe(false); // not due yet
    expect(await claimFollowUp(t.db, f.appealId, at(7))).toBe(true);
    expect(await claimFollowUp(t.db, f.appealId, at(7))).toBe(false); // exactly once
    expect(await setVisitFollowUp(t.db, f.appealId, at(7))).toBeUndefined(); // asked already
    expect(await setVisitFollowUp(t.db, f.appealId, at(5))).toBeUndefined(); // before the question
    expect(await setVisitFollowUp(t.db, f.appealId, at(12))).toEqual(at(12)); // a new visit
    expect((await getAppeal(t.db, f.appealId))?.follow_up_sent_at).toBeNull();
    await setAgreedFollowUp(t.db, f.appealId, at(9), 'web:dispatcher', NOW);
    expect(await setVisitFollowUp(t.db, f.appealId, at(20))).toBeUndefined();
    expect((await getAppeal(t.db, f.appealId))?.follow_up_at).toEqual(at(9));
    expect((await followUpsOwed(t.db)).find((row) => row.id === f.appealId)).toEqual({
      id: f.appealId,
      followUpAt: at(9),
    });
    // A failed send gives the claim back; only the claim made at that moment.
    expect(await claimFollowUp(t.db, f.appealId, at(10))).toBe(true);
    await releaseFollowUp(t.db, f.appealId, at(11));
    expect((await getAppeal(t.db, f.appealId))?.follow_up_sent_at).toEqual(at(10));
    await releaseFollowUp(t.db, f.appealId, at(10));
    expect((await getAppeal(t.db, f.appealId))?.follow_up_sent_at).toBeNull();
    await dropPendingFollowUp(t.db, f.appealId);
    expect((await followUpsOwed(t.db)).map((row) => row.id)).not.toContain(f.appealId);
  });

  it('never claims for a closed or anonymised appeal; deletion blanks the family comment only', async () => {
    const f = await family();
    await setVisitFollowUp(t.db, f.appealId, at(1));
    const second = await anotherAppeal(t.db, f, NOW);
    expect((await openAppealsOf(t.db, f.contactId)).map((a) => a.id)).toEqual([second.appealId, f.appealId]);
    await recordProgress(t.db, { id: f.appealId, status: 'new' }, 'partly', NOW);
    await recordProgressComment(t.db, { id: f.appealId, status: 'new' }, '  Стало лучше  ', NOW);
    expect(await latestProgress(t.db, [f.appealId, second.appealId])).toEqual(
      new Map([[f.appealId, 'partly']]),
    );
    await t.db.updateTable('appeals').set({ status: 'closed' }).where('id', '=', second.appealId).execute();
    expect((await openAppealsOf(t.db, f.contactId)).map((a) => a.id)).toEqual([f.appealId]);
    await anonymizeAppealsOfContact(t.db, f.contactId, NOW);
    expect(await claimFollowUp(t.db, f.appealId, at(2))).toBe(false);
    expect(await openAppealsOf(t.db, f.contactId)).toEqual([]);
    const notes = await t.db
      .selectFrom('appeal_events')
      .select(['action', 'note'])
      .where('appeal_id', '=', f.appealId)
      .orderBy('id')
      .execute();
    expect(notes).toEqual([
      { action: 'progress', note: 'partly' },
      { action: 'progress-comment', note: null },
    ]);
  });

  it('claims a survey reminder once, and not for a completed survey', async () => {
    const f = await family();
    const survey = await createSurvey(t.db, f.appealId, f.contactId, NOW);
    expect(await claimSurveyReminder(t.db, survey.id, at(2))).toBe(true);
    expect(await claimSurveyReminder(t.db, survey.id, at(2))).toBe(false);
    await releaseSurveyReminder(t.db, survey.id, at(2));
    await t.db
      .updateTable('surveys')
      .set({ completed_at: at(1) })
      .where('id', '=', survey.id)
      .execute();
    expect(await claimSurveyReminder(t.db, survey.id, at(3))).toBe(false);
  });
});
