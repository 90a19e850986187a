import { z } from 'zod';
import type { ConversationState } from './assistant.ts';
import { menuMessage } from './menu.ts';
import type {
  Button,
  Effect,
  FlowContext,
  FlowResult,
  OutboundMessage,
  SystemEvent,
  UserEvent,
} from './types.ts';
import { msg } from './types.ts';

/**
 * «Решился ли ваш вопрос?» (cases.md step 8). The center asks after a visit (a follow-up job sends
 * `progressQuestion`), and the family can report any time from the menu («Сообщить о результате»): which open
 * appeal (if several), the answer, then — after consent only — a few words of its own, or «Пропустить». The
 * answer buttons work wherever the conversation is, like survey buttons; storing is the runtime's job.
 */
export const PROGRESS_STEPS = ['progressChoose', 'progressAnswer', 'progressComment'] as const;
export const PROGRESS_ANSWER_VALUES = ['yes', 'partly', 'no', 'help'] as const;
export type ProgressAnswerValue = (typeof PROGRESS_ANSWER_VALUES)[number];

const AppealRef = z.object({ id: z.number().int().positive(), number: z.string().max(40) });

export const ProgressStateSchema = z.object({
  /** The appeal being reported on (answer and comment steps). */
  appeal: AppealRef.optional(),
  /** The open appeals offered to choose from. */
  choices: z.array(AppealRef).max(8).optional(),
});

type Result = FlowResult<ConversationState>;
type Step = ConversationState['step'];
const reply = (state: ConversationState, messages: OutboundMessage[], effects: Effect[] = []): Result => ({
  state,
  messages,
  effects,
});

export const isProgressStep = (step: Step): boolean => (PROGRESS_STEPS as readonly string[]).includes(step);

/** `fu:<appealId>:<answer>` — well under Telegram's 64 bytes. */
export const progressPayload = (appealId: number, answer: ProgressAnswerValue): string =>
  `fu:${appealId}:${answer}`;

export function parseProgressPayload(
  payload: string,
): { appealId: number; answer: ProgressAnswerValue } | undefined {
  const match = /^fu:(\d{1,10}):(yes|partly|no|help)$/.exec(payload);
  const appealId = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(appealId) || appealId <= 0) return undefined;
  return { appealId, answer: match[2] as ProgressAnswerValue };
}

/** The question with one-tap answers: Да / Частично / Нет, and «Нужна помощь специалиста» on its own row. */
export function progressQuestion(
  appealId: number,
  number: string,
  key = 'progress-question',
): OutboundMessage {
  const button = (answer: ProgressAnswerValue): Button => ({
    label: msg(`progress-${answer}`),
    payload: progressPayload(appealId, answer),
  });
  return {
    parts: [msg(key, { number })],
    buttons: [[button('yes'), button('partly'), button('no')], [button('help')]],
  };
}

const commentQuestion = (): OutboundMessage => ({
  parts: [msg('progress-comment-ask')],
  buttons: [[{ label: msg('progress-skip'), payload: 'progress:skip' }]],
});

const chooseQuestion = (choices: Array<{ id: number; number: string }>): OutboundMessage => ({
  parts: [msg('progress-choose')],
  buttons: choices.map((choice) => [
    {
      label: msg('progress-appeal-button', { number: choice.number }),
      payload: `progress:appeal:${choice.id}`,
    },
  ]),
});

/** The question of a progress step (re-asked after bad input, help, or a crisis message). */
export function progressStepQuestion(state: ConversationState): OutboundMessage {
  const { progress } = state;
  if (state.step === 'progressChoose') return chooseQuestion(progress?.choices ?? []);
  if (state.step === 'progressComment') return commentQuestion();
  return progress?.appeal
    ? progressQuestion(progress.appeal.id, progress.appeal.number)
    : menuMessage([msg('menu-prompt')]);
}

/** The menu entry: the runtime lists the family's open appeals first. */
export const startProgressReport = (state: ConversationState): Result =>
  reply(state, [], [{ type: 'listOpenAppeals' }]);

const ANSWER_WORDS: Array<[RegExp, ProgressAnswerValue]> = [
  [/^(частично|отчасти|partly|partially)/, 'partly'],
  [/^(нужна помощь|помощь|специалист|help|need help)/, 'help'],
  [/^(нет|не решился|no\b)/, 'no'],
  [/^(да|решился|решён|решен|yes)(?![\p{L}\p{N}_])/u, 'yes'],
];

function answerFromText(text: string): ProgressAnswerValue | undefined {
  const normalised = text.trim().toLocaleLowerCase('ru');
  return ANSWER_WORDS.find(([pattern]) => pattern.test(normalised))?.[1];
}

/** Typing and tapping in the progress steps (the answer buttons themselves are taken globally). */
export function onProgressInput(
  state: ConversationState,
  event: UserEvent,
  reask: (reason: string) => Result,
): Result {
  const appeal = state.progress?.appeal;
  switch (state.step) {
    case 'progressChoose': {
      const id = event.type === 'button' ? /^progress:appeal:(\d+)$/.exec(event.payload)?.[1] : undefined;
      const chosen = state.progress?.choices?.find((choice) => String(choice.id) === id);
      if (!chosen) return reask(event.type === 'button' ? 'error-stale-button' : 'error-choose-button');
      return reply({ ...state, step: 'progressAnswer', progress: { appeal: chosen } }, [
        progressQuestion(chosen.id, chosen.number),
      ]);
    }
    case 'progressAnswer': {
      const answer = event.type === 'text' ? answerFromText(event.text) : undefined;
      if (!appeal || !answer)
        return reask(event.type === 'button' ? 'error-stale-button' : 'error-choose-button');
      return reply(state, [], [{ type: 'progressAnswer', appealId: appeal.id, answer }]);
    }
    default: {
      if (event.type === 'button' && event.payload === 'progress:skip') {
        return reply({ ...state, step: 'menu', progress: undefined }, [menuMessage([msg('menu-prompt')])]);
      }
      if (event.type !== 'text' || !appeal) return reask('error-stale-button');
      return reply(state, [], [{ type: 'progressComment', appealId: appeal.id, text: event.text }]);
    }
  }
}

type ProgressEvent = Extract<
  SystemEvent,
  { type: 'openAppealsListed' | 'progressRecorded' | 'progressCommentSaved' }
>;

export const isProgressEvent = (event: { type: string }): event is ProgressEvent =>
  ['openAppealsListed', 'progressRecorded', 'progressCommentSaved'].includes(event.type);

/**
 * What the runtime answered. After an answer the family may add a few words — only after consent, and only
 * when the answer came from the menu or the follow-up at rest (`atRest`); tapped in the middle of an intake or
 * a booking, the conversation goes on where it was (`resume` re-asks its question).
 */
export function onProgressEvent(
  state: ConversationState,
  event: ProgressEvent,
  ctx: FlowContext,
  resume: () => OutboundMessage[],
): Result {
  const atRest = state.step === 'menu' || isProgressStep(state.step);
  const toMenu = (messages: OutboundMessage[]) =>
    reply({ ...state, step: 'menu', progress: undefined }, messages);
  switch (event.type) {
    case 'openAppealsListed': {
      const [only, ...others] = event.appeals;
      if (!only) return toMenu([menuMessage([msg('progress-none')])]);
      if (others.length === 0) {
        return reply({ ...state, step: 'progressAnswer', progress: { appeal: only } }, [
          progressQuestion(only.id, only.number),
        ]);
      }
      return reply({ ...state, step: 'progressChoose', progress: { choices: event.appeals } }, [
        chooseQuestion(event.appeals),
      ]);
    }
    case 'progressRecorded': {
      if (!event.ok) {
        const notice: OutboundMessage =
          event.reason === 'closed'
            ? { parts: [msg('progress-closed', { number: event.number ?? '', phone: ctx.center.phone })] }
            : { parts: [msg('error-stale-button')] };
        return atRest
          ? toMenu([{ ...notice, buttons: menuMessage([]).buttons }])
          : reply(state, [notice, ...resume()]);
      }
      const number = event.number ?? String(event.appealId);
      const thanks: OutboundMessage = {
        parts: [
          msg('progress-thanks', { number }),
          ...(event.answer === 'no' || event.answer === 'help'
            ? [msg('progress-dispatcher', { phone: ctx.center.phone })]
            : []),
        ],
      };
      if (!atRest) return reply(state, [thanks, ...resume()]);
      if (!ctx.hasConsent) return toMenu([{ ...thanks, buttons: menuMessage([]).buttons }]);
      return reply(
        { ...state, step: 'progressComment', progress: { appeal: { id: event.appealId, number } } },
        [thanks, commentQuestion()],
      );
    }
    case 'progressCommentSaved':
      return toMenu([menuMessage([msg(event.ok ? 'progress-comment-thanks' : 'error-stale-button')])]);
  }
}
