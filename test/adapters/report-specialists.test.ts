import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { ProgressAnswer } from '../../domain/follow-up.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { cancelBooking, confirmBooking, holdSlot, markAttendance } from '../../storage/bookings.ts';
import { recordProgress } from '../../storage/follow-ups.ts';
import type { SurveyAnswer } from '../../storage/schema.ts';
import { createSurvey, recordAnswer } from '../../storage/surveys.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { DRAFT, familyWithAppeal } from '../support/families.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';
import { staffLogin } from '../support/staff.ts';

const PASSWORD = 'secret-pass';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};
const NOW = new Date('2026-11-24T03:00:00Z');
const PERIOD = 'from=2026-11-01&to=2026-11-30';

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('report indicators per specialist and service', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let slot = 0;

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
    app = await buildServer({
      runtime,
      db: t.db,
      translator,
      center,
      logger: silentLogger,
      dispatcherPassword: PASSWORD,
    });
    AUTH = await staffLogin(app, 'dispatcher', PASSWORD);

    /** A booking with a specialist, ending in the given status. */
    async function booking(
      who: { contactId: number; appealId: number },
      specialistId: string,
      end: 'attended' | 'confirmed' | 'cancelled',
    ) {
      const startsAt = new Date(NOW.getTime() + ++slot * 3600_000);
      const held = await holdSlot(t.db, {
        contactId: who.contactId,
        specialistId,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 45 * 60_000),
        now: NOW,
        holdMinutes: 10,
        appealId: who.appealId,
      });
      if (!held.ok) throw new Error('taken');
      await confirmBooking(t.db, held.booking.id, who.contactId, NOW);
      if (end === 'attended') await markAttendance(t.db, held.booking.id, true, NOW);
      if (end === 'cancelled') await cancelBooking(t.db, held.booking.id, 'family', NOW);
    }
    async function answers(
      who: { contactId: number; appealId: number },
      given: Record<number, SurveyAnswer>,
    ) {
      const survey = await createSurvey(t.db, who.appealId, who.contactId, NOW);
      for (const [question, answer] of Object.entries(given)) {
        await recordAnswer(t.db, survey.id, Number(question), answer, NOW);
      }
    }
    const progress = (who: { appealId: number }, answer: ProgressAnswer) =>
      recordProgress(t.db, { id: who.appealId, status: 'in_work' }, answer, NOW);

    const a = await familyWithAppeal(t.db, 'report-a', NOW);
    await booking(a, 'lawyer-1', 'attended');
    await answers(a, { 3: 'partly', 5: 'yes' });
    await progress(a, 'no');
    await progress(a, 'yes'); // the latest answer counts
    const b = await familyWithAppeal(t.db, 'report-b', NOW);
    await booking(b, 'psychologist-1', 'confirmed');
    await booking(b, 'lawyer-1', 'cancelled'); // a cancelled booking is no specialist's work
    await answers(b, { 5: 'no' });
    await progress(b, 'help');
    const c = await familyWithAppeal(t.db, 'report-c', NOW);
    await booking(c, 'lawyer-1', 'attended');
    await booking(c, 'psychologist-1', 'attended');
    await answers(c, { 3: 'yes', 5: 'partly' });
    const d = await familyWithAppeal(t.db, 'report-d', NOW);
    await answers(d, { 5: 'yes' });
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it('gives per specialist and per service the shares per question, the solved share and follow-up answers', async () => {
    const response = await app.inject({ url: `/api/staff/reports/summary?${PERIOD}`, headers: AUTH });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(Object.keys(report.bySpecialist)).toEqual(['lawyer-1', 'psychologist-1']);
    const lawyer = report.bySpecialist['lawyer-1'];
    expect(lawyer.appeals).toBe(2);
    expect(lawyer.surveyed).toBe(2);
    expect(lawyer.solved).toEqual({ answered: 2, yes: 1, partly: 1, yesShare: 0.5, partlyShare: 0.5 });
    expect(lawyer.questions.q3.shares).toEqual({ yes: 0.5, no: 0, partly: 0.5 });
    expect(lawyer.progress).toEqual({
      answered: 1,
      counts: { yes: 1, partly: 0, no: 0, help: 0 },
      shares: { yes: 1, partly: 0, no: 0, help: 0 },
    });
    const psychologist = report.bySpecialist['psychologist-1'];
    expect(psychologist.appeals).toBe(2);
    expect(psychologist.solved).toEqual({ answered: 2, yes: 0, partly: 1, yesShare: 0, partlyShare: 0.5 });
    expect(psychologist.progress.counts).toEqual({ yes: 0, partly: 0, no: 0, help: 1 });
    // Services come from the center profile: the lawyer's «legal-consultation».
    expect(report.byService['legal-consultation']).toEqual(lawyer);
    expect(report.byService['psychological-consultation']).toEqual(psychologist);
    // Over all appeals: the survey's solved share, and the follow-up answers (latest per appeal).
    expect(report.solved).toEqual({ answered: 4, yes: 2, partly: 1, yesShare: 0.5, partlyShare: 0.25 });
    expect(report.progress.counts).toEqual({ yes: 1, partly: 0, no: 0, help: 1 });
    expect(report.progress.shares.help).toBe(0.5);
    // Ids, never names or phones.
    const text = response.body;
    expect(text).not.toContain(DRAFT.fullName);
    expect(text).not.toContain(DRAFT.phone);
    expect(text).not.toContain('Юрисконсульт');
  });

  it('adds the specialists and the latest follow-up answer to the CSV', async () => {
    const response = await app.inject({ url: `/api/staff/reports/appeals.csv?${PERIOD}`, headers: AUTH });
    expect(response.statusCode).toBe(200);
    const lines = response.rawPayload.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]?.endsWith(';q8;specialists;progress')).toBe(true);
    const tails = lines.slice(1).map((line) => line.split(';').slice(-2));
    expect(tails).toEqual([
      ['lawyer-1', 'yes'],
      ['psychologist-1', 'help'],
      ['lawyer-1,psychologist-1', ''],
      ['', ''],
    ]);
  });
});
