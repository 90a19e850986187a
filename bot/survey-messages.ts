import { MENU_BUTTONS } from '../flows/menu.ts';
import { type Button, msg, type OutboundMessage } from '../flows/types.ts';
import type { SurveyAnswer } from '../storage/schema.ts';
import { answersAllowed, isSurveyQuestion } from '../storage/surveys.ts';

/** Fluent keys of the questions, word for word from survey.md in Russian. */
const QUESTION_KEYS: Record<number, string> = {
  2: 'survey-q2',
  3: 'survey-q3',
  4: 'survey-q4',
  5: 'survey-q5',
  6: 'survey-q6',
  7: 'survey-q7',
  8: 'survey-q8',
};

const ANSWER_LABELS: Record<SurveyAnswer, string> = {
  yes: 'survey-yes',
  no: 'survey-no',
  partly: 'survey-partly',
};

/** `sv:<surveyId>:<question>:<answer>` — at most ~22 bytes, well under Telegram's 64. */
export const surveyPayload = (surveyId: number, question: number, answer: SurveyAnswer): string =>
  `sv:${surveyId}:${question}:${answer}`;

export type SurveyTap = { surveyId: number; question: number; answer: SurveyAnswer };

/** Reads a tap on a survey button; undefined for anything else (or a forged/invalid payload). */
export function parseSurveyPayload(payload: string): SurveyTap | undefined {
  const match = /^sv:(\d{1,10}):(\d):(yes|no|partly)$/.exec(payload);
  if (!match) return undefined;
  const surveyId = Number(match[1]);
  const question = Number(match[2]);
  const answer = match[3] as SurveyAnswer;
  if (!Number.isSafeInteger(surveyId) || surveyId <= 0 || !isSurveyQuestion(question)) return undefined;
  if (!answersAllowed(question).includes(answer)) return undefined;
  return { surveyId, question, answer };
}

/** Why we ask, that it takes a minute and that it is optional. */
export function surveyIntro(appealNumber: string): OutboundMessage {
  return { parts: [msg('survey-intro', { number: appealNumber })] };
}

/** One question with one-tap answers: Да / Нет, plus Частично for questions 3–5. */
export function surveyQuestion(surveyId: number, question: number, appealNumber?: string): OutboundMessage {
  const key = QUESTION_KEYS[question];
  if (!key) throw new Error(`no survey question ${question}`);
  const buttons: Button[] = answersAllowed(question).map((answer) => ({
    label: { key: ANSWER_LABELS[answer] },
    payload: surveyPayload(surveyId, question, answer),
  }));
  return {
    parts: [
      ...(appealNumber ? [msg('survey-about', { number: appealNumber })] : []),
      msg('survey-progress', { current: question - 1, total: 7 }),
      { key },
    ],
    buttons: [buttons],
  };
}

/** The last word of the survey, with the menu: the family is never left without buttons. */
export function surveyThanks(): OutboundMessage {
  return { parts: [msg('survey-thanks')], buttons: MENU_BUTTONS };
}
