import { DateTime } from 'luxon';
import type { CenterProfile } from '../config/center.ts';
import type { SurveyAnswer } from '../storage/schema.ts';
import { type ReportAppeal, SURVEY_QUESTIONS } from '../storage/surveys.ts';
import { PROGRESS_ANSWERS, type ProgressAnswer } from './follow-up.ts';

/** The center's indicators (survey.md) over the appeals of a period. Pure: the rows are loaded elsewhere. */

export type AnswerCounts = {
  answered: number;
  counts: Record<SurveyAnswer, number>;
  /** count / answered, rounded to 4 decimals (0 when nobody answered). */
  shares: Record<SurveyAnswer, number>;
};

export type Solved = { answered: number; yes: number; partly: number; yesShare: number; partlyShare: number };

/** The family's answers to «Решился ли ваш вопрос?» after visits (latest per appeal). */
export type ProgressCounts = {
  answered: number;
  counts: Record<ProgressAnswer, number>;
  shares: Record<ProgressAnswer, number>;
};

/** survey.md «per specialist and service»: the same indicators over the appeals a specialist took part in. */
export type GroupIndicators = {
  appeals: number;
  /** Appeals with at least one survey answer. */
  surveyed: number;
  questions: Record<string, AnswerCounts>;
  solved: Solved;
  progress: ProgressCounts;
};

export type ReportSummary = {
  from: string;
  to: string;
  appeals: number;
  /** Distinct contacts with appeals in the period; every anonymised appeal counts as a family of its own. */
  families: number;
  /** Sum of minor children over those families, each taken from the family's latest appeal in the period. */
  children: number;
  surveys: { answered: number };
  questions: Record<string, AnswerCounts>;
  /** Q5 «Был ли решен вопрос…»: Да and Частично separately, as shares of those who answered Q5. */
  solved: Solved;
  /** Follow-up answers after visits (cases.md step 8). */
  progress: ProgressCounts;
  /** By specialist id (bookings of the appeal with a specialist, confirmed or attended); ids only, no names. */
  bySpecialist: Record<string, GroupIndicators>;
  /** By service of those specialists (the center profile's services[].id); only when the profile is given. */
  byService: Record<string, GroupIndicators>;
  byPurpose: Record<string, number>;
  byChannel: Record<string, number>;
  bySettlement: Record<string, number>;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  byResult: Record<string, number>;
};

export const UNKNOWN_SETTLEMENT = 'не указан';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A report period given as local dates (inclusive) in the center's time zone → [start, end) instants. */
export function reportPeriod(
  from: string,
  to: string,
  timeZone: string,
): { ok: true; start: Date; end: Date } | { ok: false; message: string } {
  if (!DATE.test(from) || !DATE.test(to)) {
    return { ok: false, message: 'from and to must be dates like 2026-11-01' };
  }
  const start = DateTime.fromISO(from, { zone: timeZone }).startOf('day');
  const last = DateTime.fromISO(to, { zone: timeZone }).startOf('day');
  if (!start.isValid || !last.isValid) return { ok: false, message: 'from and to must be real dates' };
  if (last < start) return { ok: false, message: 'to must not be before from' };
  return { ok: true, start: start.toJSDate(), end: last.plus({ days: 1 }).toJSDate() };
}

/**
 * The settlement: the part of the address before the first comma («пгт Инской, ул. Ленина, 5» → «пгт Инской»).
 * A part with digits looks like a street or house rather than a settlement, and is not reported.
 */
export function settlementOf(address: string | null): string {
  const first = address?.split(',')[0]?.trim().replace(/\s+/g, ' ') ?? '';
  return first && !/\d/.test(first) ? first : UNKNOWN_SETTLEMENT;
}

const share = (count: number, total: number) => (total ? Math.round((count / total) * 10_000) / 10_000 : 0);

function tally(values: Iterable<string>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const value of values) result[value] = (result[value] ?? 0) + 1;
  return result;
}

function questionCounts(appeals: ReportAppeal[]): Record<string, AnswerCounts> {
  const questions: Record<string, AnswerCounts> = {};
  for (const question of SURVEY_QUESTIONS) {
    const counts: Record<SurveyAnswer, number> = { yes: 0, no: 0, partly: 0 };
    for (const appeal of appeals) {
      const answer = appeal.answers[question];
      if (answer) counts[answer] += 1;
    }
    const answered = counts.yes + counts.no + counts.partly;
    questions[`q${question}`] = {
      answered,
      counts,
      shares: {
        yes: share(counts.yes, answered),
        no: share(counts.no, answered),
        partly: share(counts.partly, answered),
      },
    };
  }
  return questions;
}

function solvedOf(questions: Record<string, AnswerCounts>): Solved {
  const q5 = questions.q5 as AnswerCounts;
  return {
    answered: q5.answered,
    yes: q5.counts.yes,
    partly: q5.counts.partly,
    yesShare: q5.shares.yes,
    partlyShare: q5.shares.partly,
  };
}

function progressOf(appeals: ReportAppeal[]): ProgressCounts {
  const counts = Object.fromEntries(PROGRESS_ANSWERS.map((answer) => [answer, 0])) as Record<
    ProgressAnswer,
    number
  >;
  for (const appeal of appeals) if (appeal.progress) counts[appeal.progress] += 1;
  const answered = PROGRESS_ANSWERS.reduce((sum, answer) => sum + counts[answer], 0);
  const shares = Object.fromEntries(
    PROGRESS_ANSWERS.map((answer) => [answer, share(counts[answer], answered)]),
  ) as Record<ProgressAnswer, number>;
  return { answered, counts, shares };
}

function indicators(appeals: ReportAppeal[]): GroupIndicators {
  const questions = questionCounts(appeals);
  return {
    appeals: appeals.length,
    surveyed: appeals.filter((appeal) => Object.keys(appeal.answers).length > 0).length,
    questions,
    solved: solvedOf(questions),
    progress: progressOf(appeals),
  };
}

/** Indicators per key; an appeal with several specialists (or services) counts for each of them. */
function groupBy(appeals: ReportAppeal[], keys: (appeal: ReportAppeal) => string[]) {
  const groups = new Map<string, ReportAppeal[]>();
  for (const appeal of appeals) {
    for (const key of new Set(keys(appeal))) groups.set(key, [...(groups.get(key) ?? []), appeal]);
  }
  return Object.fromEntries(
    [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, group]) => [key, indicators(group)]),
  );
}

export function summarise(
  appeals: ReportAppeal[],
  period: { from: string; to: string },
  center?: Pick<CenterProfile, 'specialists'>,
): ReportSummary {
  const questions = questionCounts(appeals);
  const serviceOf = new Map(
    (center?.specialists ?? []).flatMap((specialist) =>
      specialist.service ? [[specialist.id, specialist.service] as const] : [],
    ),
  );

  // Families: the latest appeal of each contact (appeals come oldest first); anonymised ones stand alone.
  const latest = new Map<string, ReportAppeal>();
  for (const appeal of appeals) {
    latest.set(appeal.contactId === null ? `appeal:${appeal.id}` : `contact:${appeal.contactId}`, appeal);
  }
  const families = [...latest.values()];

  return {
    from: period.from,
    to: period.to,
    appeals: appeals.length,
    families: families.length,
    children: families.reduce((sum, appeal) => sum + (appeal.minorChildren ?? 0), 0),
    surveys: { answered: appeals.filter((appeal) => Object.keys(appeal.answers).length > 0).length },
    questions,
    solved: solvedOf(questions),
    progress: progressOf(appeals),
    bySpecialist: groupBy(appeals, (appeal) => appeal.specialists),
    byService: center
      ? groupBy(appeals, (appeal) => appeal.specialists.flatMap((id) => serviceOf.get(id) ?? []))
      : {},
    byPurpose: tally(appeals.map((appeal) => appeal.purpose)),
    byChannel: tally(appeals.map((appeal) => appeal.channel)),
    bySettlement: tally(appeals.map((appeal) => settlementOf(appeal.address))),
    byKind: tally(appeals.map((appeal) => appeal.kind)),
    byStatus: tally(appeals.map((appeal) => appeal.status)),
    byResult: tally(appeals.flatMap((appeal) => (appeal.result ? [appeal.result] : []))),
  };
}

export const CSV_COLUMNS = [
  'number',
  'date',
  'channel',
  'kind',
  'purpose',
  'settlement',
  'status',
  'result',
  'children',
  ...SURVEY_QUESTIONS.map((question) => `q${question}`),
  'specialists',
  'progress',
] as const;

/** A cell for Russian Excel: quoted when needed, and never read as a formula. */
function cell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[;"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One row per appeal, for Excel: UTF-8 with a BOM (so Cyrillic opens correctly), semicolons (the list separator
 * of Russian Excel), CRLF line ends. No names, phones or street addresses: only the settlement.
 */
export function appealsCsv(appeals: ReportAppeal[], timeZone: string): string {
  const rows = appeals.map((appeal) =>
    [
      appeal.number ?? String(appeal.id),
      DateTime.fromJSDate(appeal.createdAt).setZone(timeZone).toISODate(),
      appeal.channel,
      appeal.kind,
      appeal.purpose,
      settlementOf(appeal.address),
      appeal.status,
      appeal.result,
      appeal.minorChildren,
      ...SURVEY_QUESTIONS.map((question) => appeal.answers[question]),
      appeal.specialists.join(','),
      appeal.progress,
    ]
      .map(cell)
      .join(';'),
  );
  return `\uFEFF${[CSV_COLUMNS.join(';'), ...rows].join('\r\n')}\r\n`;
}
