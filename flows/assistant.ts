import { z } from 'zod';
import { AppealDraftSchema, PURPOSES, type Purpose } from '../domain/appeal.ts';
import { type CrisisSignal, detectCrisis } from '../domain/crisis.ts';
import { relativeMomentArgs } from '../domain/moments.ts';
import { validateNeedDescription } from '../domain/validators.ts';
import {
  addWorkingMinutes,
  isWorkingTime,
  nextCallbackWindow,
  nextWorkingMoment,
} from '../domain/working-hours.ts';
import {
  BOOKING_STEPS,
  BookingStateSchema,
  bookingBack,
  bookingQuestion,
  holdFromPayload,
  isBookingStep,
  onBookingAnswer,
  onBookingResult,
  roleForPurpose,
  showMyBookings,
  startBooking,
} from './booking.ts';
import { centerArgs, consentFull, consentQuestion } from './consent.ts';
import { DeletionPreviewSchema, deletionQuestion, previewOf } from './deletion.ts';
import {
  answerExpectedArgs,
  articleMessage,
  type MenuAction,
  purposeFromUnderstanding,
  routeFreeText,
  TOPIC_LABELS,
  toDispatcher,
} from './free-text.ts';
import {
  buttonValue,
  DEPENDENT_STEPS,
  type Draft,
  EDITABLE_STEPS,
  STEP_IDS,
  STEPS,
  type StepId,
  summaryArgs,
} from './intake-steps.ts';
import { menuMessage } from './menu.ts';
import { onOutreachButton, onOutreachData, onOutreachText, outreachMenu } from './outreach.ts';
import {
  isProgressEvent,
  isProgressStep,
  onProgressEvent,
  onProgressInput,
  PROGRESS_STEPS,
  ProgressStateSchema,
  parseProgressPayload,
  progressStepQuestion,
  startProgressReport,
} from './progress.ts';
import type { Effect, FlowContext, FlowEvent, FlowResult, Msg, OutboundMessage, UserEvent } from './types.ts';
import { msg } from './types.ts';

/**
 * The conversation a family has with the assistant: a main menu, the intake (consent first, then the card
 * questions, a summary to check, submission) and deletion of personal data. Pure: (state, event, context) →
 * (new state, messages, effects). The runtime persists the state, so a conversation resumes after a restart.
 */

const PROMPT_STEPS = [
  'menu',
  'story',
  'consent',
  'knownConfirm',
  'confirm',
  'edit',
  'resume',
  'deleteConfirm',
] as const;

export const ConversationStateSchema = z.object({
  v: z.literal(1),
  step: z.enum([...PROMPT_STEPS, ...STEP_IDS, ...BOOKING_STEPS, ...PROGRESS_STEPS]),
  draft: AppealDraftSchema.partial(),
  /** Steps answered so far, for "back". */
  trail: z.array(z.enum(STEP_IDS)),
  /** Steps still to walk through before returning to the summary (set while correcting a field). */
  editQueue: z.array(z.enum(STEP_IDS)).optional(),
  /** The card as it was before the correction began: "back" during a correction restores it whole. */
  editBackup: AppealDraftSchema.partial().optional(),
  /** Where the person was when "resume?" was asked. */
  pausedAt: z.enum([...STEP_IDS, 'confirm', 'edit']).optional(),
  /** Booking in progress, or the appeal a booking should be linked to. */
  booking: BookingStateSchema.optional(),
  /** «Сообщить о результате» in progress. */
  progress: ProgressStateSchema.optional(),
  /**
   * The family's own words waiting for consent: the story of an appeal (becomes its description) or a
   * question for a dispatcher. Dropped on refusal or cancel; never stored anywhere else before consent.
   */
  pendingText: z.string().max(4000).optional(),
  pendingFor: z.enum(['appeal', 'question']).optional(),
  /** The purpose the family's words suggest, offered first at the purpose question. */
  suggestedPurpose: z.enum(PURPOSES).optional(),
  /** Texts not understood in a row: the second one offers a person instead of «не поняла» again. */
  misses: z.number().int().min(0).optional(),
  /** What «Удалить мои данные» would cancel, shown with the question (flows/deletion.ts). */
  deletion: DeletionPreviewSchema.optional(),
});
export type ConversationState = z.infer<typeof ConversationStateSchema>;
type Step = ConversationState['step'];

export const initialState = (): ConversationState => ({ v: 1, step: 'menu', draft: {}, trail: [] });

const isIntakeStep = (step: Step): step is StepId => (STEP_IDS as readonly string[]).includes(step);

type Result = FlowResult<ConversationState>;
const reply = (state: ConversationState, messages: OutboundMessage[], effects: Effect[] = []): Result => ({
  state,
  messages,
  effects,
});

// ---------------------------------------------------------------------------------------------------------
// Messages

function summaryMessage(state: ConversationState, ctx: FlowContext): OutboundMessage {
  return {
    parts: [msg('confirm-summary', summaryArgs(state.draft, ctx.center.timeZone)), msg('confirm-question')],
    buttons: [
      [{ label: msg('button-submit'), payload: 'confirm:submit' }],
      [
        { label: msg('button-edit'), payload: 'confirm:edit' },
        { label: msg('button-cancel'), payload: 'nav:cancel' },
      ],
    ],
  };
}

const editMessage = (): OutboundMessage => ({
  parts: [msg('edit-which')],
  buttons: [
    ...chunk(
      EDITABLE_STEPS.map((step) => ({ label: msg(`field-${step}`), payload: `edit:${step}` })),
      2,
    ),
    [{ label: msg('button-back-to-summary'), payload: 'edit:summary' }],
  ],
});

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}

/** The question for whatever step the state is on: used to re-ask after bad input and when resuming. */
function currentQuestion(state: ConversationState, ctx: FlowContext): OutboundMessage {
  const { step } = state;
  if (step === 'purpose' && state.suggestedPurpose) return suggestedPurposeQuestion(state, ctx);
  if (isIntakeStep(step)) return STEPS[step].ask(ctx, state.draft);
  if (isBookingStep(step)) return bookingQuestion(state, ctx);
  if (isProgressStep(step)) return progressStepQuestion(state);
  switch (step) {
    case 'consent':
      return consentQuestion(ctx, state.pendingFor === 'question' ? 'question' : 'appeal');
    case 'story':
      return storyQuestion();
    case 'knownConfirm':
      return knownQuestion(state, ctx);
    case 'confirm':
      return summaryMessage(state, ctx);
    case 'edit':
      return editMessage();
    case 'resume':
      return resumeQuestion();
    case 'deleteConfirm':
      return deletionQuestion(state.deletion, ctx);
    default:
      return menuMessage([msg('menu-prompt')]);
  }
}

/** Prefixes the re-asked question with a short explanation of what went wrong. */
function reask(state: ConversationState, ctx: FlowContext, reason: Msg): Result {
  const question = currentQuestion(state, ctx);
  return reply(state, [{ ...question, parts: [reason, ...question.parts] }]);
}

const resumeQuestion = (): OutboundMessage => ({
  parts: [msg('resume-question')],
  buttons: [
    [{ label: msg('button-continue'), payload: 'resume:continue' }],
    [
      { label: msg('button-restart'), payload: 'resume:restart' },
      { label: msg('button-cancel'), payload: 'nav:cancel' },
    ],
  ],
});

/** «Чем я могу Вам помочь?» — the script's first question, answered in the family's own words. */
const storyQuestion = (): OutboundMessage => ({
  parts: [msg('ask-story')],
  buttons: [
    [{ label: msg('button-skip'), payload: 'story:skip' }],
    [{ label: msg('button-cancel'), payload: 'nav:cancel' }],
  ],
});

/** A returning family: the data of its last appeal, to confirm rather than retype. */
function knownQuestion(state: ConversationState, ctx: FlowContext): OutboundMessage {
  return {
    parts: [msg('known-summary', summaryArgs(state.draft, ctx.center.timeZone)), msg('known-question')],
    buttons: [
      [
        { label: msg('known-yes'), payload: 'known:yes' },
        { label: msg('known-no'), payload: 'known:no' },
      ],
      [{ label: msg('button-cancel'), payload: 'nav:cancel' }],
    ],
  };
}

/** The purpose question with the purpose the family's words suggest offered first. */
function suggestedPurposeQuestion(state: ConversationState, ctx: FlowContext): OutboundMessage {
  const base = STEPS.purpose.ask(ctx, state.draft);
  const purpose = state.suggestedPurpose ?? 'other';
  return {
    ...base,
    parts: [msg('purpose-suggested', { purpose }), ...base.parts],
    buttons: [
      [{ label: msg('purpose-suggested-yes'), payload: `purpose:${purpose}` }],
      ...(base.buttons ?? []),
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Commands understood at any step

type Command = 'back' | 'cancel' | 'restart' | 'menu' | 'start' | 'help' | 'lang';

const TEXT_COMMANDS: Record<string, Command> = {
  '/start': 'start',
  старт: 'start',
  '/help': 'help',
  help: 'help',
  справка: 'help',
  '/lang': 'lang',
  язык: 'lang',
  language: 'lang',
  назад: 'back',
  back: 'back',
  '/back': 'back',
  отмена: 'cancel',
  отменить: 'cancel',
  cancel: 'cancel',
  '/cancel': 'cancel',
  стоп: 'cancel',
  'начать заново': 'restart',
  заново: 'restart',
  'start over': 'restart',
  '/restart': 'restart',
  меню: 'menu',
  menu: 'menu',
  '/menu': 'menu',
};

function commandOf(event: FlowEvent): Command | undefined {
  if (event.type === 'start') return 'start';
  if (event.type === 'text')
    return TEXT_COMMANDS[
      event.text
        .trim()
        .toLocaleLowerCase('ru')
        // Reply-keyboard buttons send their label ("← Назад"); commands may carry a bot name ("/menu@bot").
        .replace(/^[^\p{L}/]+/u, '')
        .replace(/@\w+$/, '')
        .replace(/[.!]+$/, '')
    ];
  if (event.type === 'button' && event.payload.startsWith('nav:')) {
    const command = event.payload.slice(4);
    return ['back', 'cancel', 'restart', 'menu'].includes(command) ? (command as Command) : undefined;
  }
  return undefined;
}

/**
 * A message at rest — not a command, not the answer to an open question: while a dispatcher holds the
 * conversation, this is what goes to that person instead of the bot (the runtime decides; the flow says what
 * "at rest" means). Crisis texts are still answered by the flow as well.
 */
export function isFreeMessage(state: ConversationState, event: UserEvent): boolean {
  if (state.step !== 'menu') return false;
  if (event.type === 'contact' || event.type === 'unsupported') return true;
  return event.type === 'text' && !commandOf(event);
}

const intakeInProgress = (state: ConversationState) =>
  isIntakeStep(state.step) || state.step === 'confirm' || state.step === 'edit';

// ---------------------------------------------------------------------------------------------------------
// Transitions

export function handleEvent(stateIn: ConversationState, event: FlowEvent, ctx: FlowContext): Result {
  const state = structuredClone(stateIn);

  if (event.type === 'appealSubmitted') return afterSubmit(event.number, event.appealId, state, ctx);
  if (event.type === 'deletionPreview') {
    const next: ConversationState = { ...state, step: 'deleteConfirm', deletion: previewOf(event) };
    return reply(next, [deletionQuestion(next.deletion, ctx)]);
  }
  if (event.type === 'appealRefused') {
    const args = { count: event.count, phone: ctx.center.phone };
    return reply(initialState(), [menuMessage([msg('appeal-daily-limit', args)])]);
  }
  if (event.type === 'dataDeleted') {
    return reply(initialState(), [menuMessage([msg('delete-done', { appeals: event.appeals })])]);
  }
  if (event.type === 'attendanceRecorded') return reply(state, []);
  if (event.type === 'knownData') return onKnownData(state, event.draft, ctx);
  if (event.type === 'questionAsked') return afterQuestion(state, event, ctx);
  if (event.type === 'surveyProgress') return reply(state, event.messages);
  if (event.type === 'outreachData') {
    // Unsubscribing from a reminder during an intake: answered, then the intake question again.
    const result = onOutreachData(state, event, ctx);
    return state.step === 'menu'
      ? result
      : { ...result, messages: [...result.messages, currentQuestion(state, ctx)] };
  }
  if (isProgressEvent(event)) return onProgressEvent(state, event, ctx, () => [currentQuestion(state, ctx)]);
  if (!isUserEvent(event)) return onBookingResult(state, event, ctx) ?? reply(state, []);

  // Safety first, at any step: a crisis message is answered before anything else (safety.md).
  const crisis = event.type === 'text' ? detectCrisis(event.text) : undefined;
  if (crisis && event.type === 'text') return onCrisis(state, crisis.signal, event.text, ctx);

  const command = commandOf(event);
  if (command) return handleCommand(command, state, ctx);
  if (event.type === 'unsupported') return reask(state, ctx, msg('error-unsupported-message'));
  const global = onGlobalButton(state, event, ctx);
  if (global) return global;

  switch (state.step) {
    case 'menu':
      return onMenu(state, event, ctx);
    case 'story':
      return onStory(state, event, ctx);
    case 'consent':
      return onConsent(state, event, ctx);
    case 'knownConfirm':
      return onKnownConfirm(state, event, ctx);
    case 'confirm':
      return onConfirm(state, event, ctx);
    case 'edit':
      return onEdit(state, event, ctx);
    case 'resume':
      return onResume(state, event, ctx);
    case 'deleteConfirm':
      return onDeleteConfirm(state, event, ctx);
    default:
      if (isProgressStep(state.step))
        return onProgressInput(state, event, (reason) => reask(state, ctx, msg(reason)));
      if (isBookingStep(state.step)) {
        return onBookingAnswer(state, event, ctx, (reason) => reask(state, ctx, msg(reason)));
      }
      return onIntakeAnswer(state, state.step as StepId, event, ctx);
  }
}

/**
 * Emergency contacts at once and an urgent alert to the dispatchers; no visit is promised and no document asked
 * for. Then — instead of the same question as if nothing happened — who will get in touch and when, and the
 * conversation goes on:
 * - typed as the family's own words for the appeal (the story, the description, the purpose in their words)
 *   after consent, the text is that answer: kept as the description, the draft marked urgent, the next question
 *   asked (asking the same question again made a loop, and the card showed «Описание: —»);
 * - anywhere else the text is not kept (before consent it may not be stored at all); an intake in progress is
 *   marked urgent, and its question follows once, in the same message as who and when — the story question
 *   is not asked again before consent: the intake moves on to the consent.
 * The runtime never logs the text.
 */
function onCrisis(state: ConversationState, signal: CrisisSignal, text: string, ctx: FlowContext): Result {
  const help: OutboundMessage = { parts: [msg('crisis-help', centerArgs(ctx))] };
  const alert: Effect = { type: 'raiseUrgent', signal };
  const kept = ctx.hasConsent ? keepCrisisText(state, text, ctx) : undefined;
  if (kept) return ledBy(kept, help, [msg('crisis-kept'), crisisContactWhen(ctx)], alert);
  const marked = carriesDraft(state) ? markUrgent(state) : state;
  const goOn =
    marked.step === 'story'
      ? afterStory(marked, undefined, ctx)
      : reply(marked, [currentQuestion(marked, ctx)]);
  const lead = [
    msg('crisis-alerted'),
    crisisContactWhen(ctx),
    ...(marked.step === 'menu' ? [] : [msg('crisis-continue')]),
  ];
  return ledBy(goOn, help, lead, alert);
}

/** The help first, then who and when at the head of what comes next (its own message when nothing does yet). */
function ledBy(next: Result, help: OutboundMessage, lead: Msg[], alert: Effect): Result {
  const [first, ...rest] = next.messages;
  const messages = first ? [{ ...first, parts: [...lead, ...first.parts] }, ...rest] : [{ parts: lead }];
  return reply(next.state, [help, ...messages], [alert, ...next.effects]);
}

/** A dispatcher gets in touch as soon as possible: today in working hours, or when the center opens. */
function crisisContactWhen(ctx: FlowContext): Msg {
  if (isWorkingTime(ctx.now, ctx.center)) return msg('crisis-contact-open');
  const opens = nextWorkingMoment(ctx.now, ctx.center);
  return msg('crisis-contact-closed', relativeMomentArgs(opens, ctx.now, ctx.center.timeZone, 'from'));
}

/** Steps where an appeal is being put together: a crisis there makes the appeal sent later urgent. */
const carriesDraft = (state: ConversationState) =>
  intakeInProgress(state) || ['story', 'consent', 'knownConfirm', 'resume'].includes(state.step);

/** The draft (and the card as it was before a correction, so "back" keeps it) carries the crisis. */
const markUrgent = (state: ConversationState): ConversationState => ({
  ...state,
  draft: { ...state.draft, urgent: true },
  ...(state.editBackup ? { editBackup: { ...state.editBackup, urgent: true } } : {}),
});

/**
 * A crisis text as the answer to a free-text intake question (consent given): the story («чем я могу Вам
 * помочь?») and the description are the description; at the purpose question the words go into the
 * description (after the story, if one was told), the purpose is the suggested one or «другое», and the
 * description question is not asked again. Undefined when the text cannot be that answer.
 */
function keepCrisisText(state: ConversationState, text: string, ctx: FlowContext): Result | undefined {
  const urgent = markUrgent(state);
  if (state.step === 'story') return afterStory(urgent, text.trim(), ctx);
  const known = state.draft.needText;
  const description = validateNeedDescription(text);
  if (state.step === 'need') {
    return description.ok ? advanceIntake(urgent, 'need', { needText: description.value }, ctx) : undefined;
  }
  if (state.step !== 'purpose' || (!known && !description.ok)) return undefined;
  const needText = known ? `${known}\n${text.trim()}`.slice(0, 2000) : text.trim();
  const withoutNeed = { ...urgent, editQueue: urgent.editQueue?.filter((step) => step !== 'need') };
  const purpose = state.suggestedPurpose ?? 'other';
  return advanceIntake(withoutNeed, 'purpose', { purpose, needText }, ctx);
}

const USER_EVENTS = ['start', 'text', 'button', 'contact', 'unsupported'];
const isUserEvent = (event: FlowEvent): event is UserEvent => USER_EVENTS.includes(event.type);

/**
 * Buttons that work wherever the conversation is, because they come with reminders and staff messages:
 * "did the appointment take place?", "my appointments", and a concrete slot offered as an alternative.
 * During an intake a slot or menu button would lose the person's place, so only attendance is taken there.
 */
function onGlobalButton(state: ConversationState, event: UserEvent, ctx: FlowContext): Result | undefined {
  if (event.type !== 'button') return undefined;
  const attendance = /^attend:(yes|no):(\d+)$/.exec(event.payload);
  if (attendance) {
    const attended = attendance[1] === 'yes';
    const question = state.step === 'menu' ? [] : [currentQuestion(state, ctx)];
    return reply(
      state,
      [{ parts: [msg(attended ? 'attend-thanks-yes' : 'attend-thanks-no', centerArgs(ctx))] }, ...question],
      [{ type: 'markAttendance', bookingId: Number(attendance[2]), attended }],
    );
  }
  // Survey answers are taken wherever the family is: one tap, nothing else moves.
  if (event.payload.startsWith('sv:'))
    return reply(state, [], [{ type: 'surveyAnswer', payload: event.payload }]);
  if (event.payload.startsWith('out:')) {
    // "Unsubscribe" under a reminder works anywhere and moves nothing; the schedule waits for the intake.
    const busy = intakeInProgress(state) || state.step === 'consent' || state.step === 'resume';
    if (busy && !event.payload.startsWith('out:uns:')) return undefined;
    const result = onOutreachButton(state, event.payload, ctx);
    return result && busy ? { ...result, state } : result;
  }
  // «Решился ли ваш вопрос?» answers (follow-up or menu), likewise wherever the family is.
  const progress = parseProgressPayload(event.payload);
  if (progress) return reply(state, [], [{ type: 'progressAnswer', ...progress }]);
  if (intakeInProgress(state) || state.step === 'consent') return undefined;
  if (event.payload === 'menu:bookings') return showMyBookings(state);
  if (event.payload === 'menu:book') return onMenu({ ...state, step: 'menu' }, event, ctx);
  return event.payload.startsWith('slot:') ? holdFromPayload(state, event.payload) : undefined;
}

function handleCommand(command: Command, state: ConversationState, ctx: FlowContext): Result {
  switch (command) {
    case 'start':
      // «/start» greets wherever the family is; an intake in progress is offered to be continued.
      if (intakeInProgress(state) || state.step === 'resume') {
        const pausedAt = (
          state.step === 'resume' ? state.pausedAt : state.step
        ) as ConversationState['pausedAt'];
        return reply({ ...state, step: 'resume', pausedAt }, [
          { parts: [msg('greeting', centerArgs(ctx))] },
          resumeQuestion(),
        ]);
      }
      return reply(initialState(), [menuMessage([msg('greeting', centerArgs(ctx))])]);
    case 'menu':
      if (intakeInProgress(state)) {
        const pausedAt = state.step as NonNullable<ConversationState['pausedAt']>;
        return reply({ ...state, step: 'resume', pausedAt }, [resumeQuestion()]);
      }
      if (state.step === 'resume') return reply(state, [resumeQuestion()]);
      return reply(initialState(), [menuMessage([msg('menu-prompt')])]);
    case 'cancel':
      if (intakeInProgress(state) || ['resume', 'consent', 'story', 'knownConfirm'].includes(state.step)) {
        // The draft holds personal data; cancelling drops it rather than keeping it "just in case".
        return reply(initialState(), [menuMessage([msg('intake-cancelled')])]);
      }
      return reply(initialState(), [menuMessage([msg('menu-prompt')])]);
    case 'restart':
      // Starting over is about the form: the story is not asked again.
      return startIntake(ctx, { story: '' });
    case 'back':
      return goBack(state, ctx);
    case 'help': {
      // Help never moves the conversation: it explains, then repeats the question the person is on.
      const current = currentQuestion(state, ctx);
      return reply(state, [{ parts: [msg('help', centerArgs(ctx))] }, current]);
    }
    case 'lang':
      return reply(state, [
        {
          parts: [msg('choose-language')],
          buttons: [
            [
              { label: msg('language-ru'), payload: 'lang:ru' },
              { label: msg('language-en'), payload: 'lang:en' },
            ],
          ],
        },
      ]);
  }
}

function goBack(state: ConversationState, ctx: FlowContext): Result {
  if (isBookingStep(state.step)) return bookingBack(state, ctx);
  if (state.step === 'edit') return reply({ ...state, step: 'confirm' }, [summaryMessage(state, ctx)]);
  if (state.step === 'resume') return reply(state, [resumeQuestion()]);
  if (state.editQueue) {
    // While correcting a field, "back" returns to the summary with the old values kept — including the
    // dependent answers (e.g. call mode) that a half-finished correction of the format already changed.
    const restored = {
      ...state,
      draft: state.editBackup ?? state.draft,
      step: 'confirm' as const,
      editQueue: undefined,
      editBackup: undefined,
    };
    return reply(restored, [summaryMessage(restored, ctx)]);
  }
  const previous = state.trail.at(-1);
  if (!previous || !intakeInProgress(state)) {
    return reply(initialState(), [menuMessage([msg('menu-prompt')])]);
  }
  const next = { ...state, step: previous, trail: state.trail.slice(0, -1) };
  return reply(next, [currentQuestion(next, ctx)]);
}

type IntakeStart = { story?: string; purpose?: Purpose; callback?: boolean };

/**
 * The intake as the phone script has it: the family's own words first («чем я могу Вам помочь?»), then the
 * short consent, then only what is not known yet — a returning family confirms its stored data instead.
 */
function startIntake(
  ctx: FlowContext,
  start: IntakeStart = {},
  base: ConversationState = initialState(),
): Result {
  const fresh: ConversationState = {
    ...initialState(),
    booking: base.booking,
    suggestedPurpose: start.purpose,
    draft: start.callback ? { contactMode: 'phone', callMode: 'callback_asap' } : {},
  };
  if (start.story === undefined && !start.callback) {
    // «Чем я могу Вам помочь?» first, in the family's own words.
    return reply({ ...fresh, step: 'story' }, [storyQuestion()]);
  }
  return afterStory(fresh, start.story, ctx);
}

/** The story is told (or skipped): consent if needed, then the known data or the first question. */
function afterStory(state: ConversationState, story: string | undefined, ctx: FlowContext): Result {
  if (!ctx.hasConsent) {
    const next: ConversationState = {
      ...state,
      step: 'consent',
      ...(story ? { pendingText: story, pendingFor: 'appeal' as const } : {}),
    };
    return reply(next, [consentQuestion(ctx)]);
  }
  const draft = story ? { ...state.draft, needText: story.slice(0, 2000) } : state.draft;
  return reply(
    { ...state, draft, pendingText: undefined, pendingFor: undefined, step: 'name' },
    [],
    [{ type: 'loadKnownData' }],
  );
}

function onStory(state: ConversationState, event: UserEvent, ctx: FlowContext): Result {
  if (buttonAnswer(event, 'story') === 'skip') return afterStory(state, undefined, ctx);
  if (event.type !== 'text') return reask(state, ctx, msg('error-type-answer'));
  const suggestedPurpose = purposeFromUnderstanding(event.understanding) ?? state.suggestedPurpose;
  return afterStory({ ...state, suggestedPurpose }, event.text.trim(), ctx);
}

/** Stored data of the family's last appeal (runtime's answer to loadKnownData). */
function onKnownData(state: ConversationState, known: Draft | undefined, ctx: FlowContext): Result {
  const intro: OutboundMessage = { parts: [msg('intake-intro')] };
  if (known?.fullName) {
    const next: ConversationState = { ...state, step: 'knownConfirm', draft: { ...known, ...state.draft } };
    return reply(next, [intro, knownQuestion(next, ctx)]);
  }
  const first = firstUnknownStep('name', state.draft);
  if (first === 'confirm') return toSummary(state, ctx);
  const next: ConversationState = { ...state, step: first };
  return reply(next, [intro, currentQuestion(next, ctx)]);
}

const PERSONAL_FIELDS = [
  'fullName',
  'address',
  'maritalStatus',
  'minorChildren',
  'birthDate',
  'phone',
] as const;

function onKnownConfirm(state: ConversationState, event: UserEvent, ctx: FlowContext): Result {
  const answer = buttonAnswer(event, 'known') ?? consentFromText(event);
  if (answer === 'yes') {
    const first = firstUnknownStep('name', state.draft);
    if (first === 'confirm') return toSummary(state, ctx);
    const next: ConversationState = { ...state, step: first };
    return reply(next, [currentQuestion(next, ctx)]);
  }
  if (answer === 'no') {
    const draft = { ...state.draft };
    for (const field of PERSONAL_FIELDS) delete draft[field];
    const next: ConversationState = { ...state, step: 'name', draft };
    return reply(next, [currentQuestion(next, ctx)]);
  }
  return reask(state, ctx, event.type === 'button' ? msg('error-stale-button') : msg('error-choose-button'));
}

function toSummary(state: ConversationState, ctx: FlowContext): Result {
  const next = { ...state, step: 'confirm' as const, draft: withCallbackDue(state.draft, ctx) };
  return reply(next, [summaryMessage(next, ctx)]);
}

function onMenu(state: ConversationState, event: UserEvent, ctx: FlowContext): Result {
  if (event.type === 'button' && event.payload === 'ask:dispatcher') {
    return toDispatcher(state, state.pendingText ?? '', ctx);
  }
  if (event.type === 'button' && event.payload.startsWith('topic:')) {
    const intent = event.payload.slice(6);
    if (!TOPIC_LABELS[intent]) return reply(state, [menuMessage([msg('error-stale-button')])]);
    return fromFreeText(
      state,
      state.pendingText ?? '',
      { intent, score: 1, alternatives: [], entities: {}, articles: [] },
      ctx,
    );
  }
  if (event.type === 'button' && event.payload.startsWith('kb:')) {
    const article = ctx.navigator?.article(event.payload.slice(3), ctx.locale);
    if (!article) return reply(state, [menuMessage([msg('error-stale-button')])]);
    return reply({ ...state, misses: undefined }, [articleMessage(article)]);
  }
  if (event.type === 'text' && event.understanding) {
    const { intent, entities } = event.understanding;
    const other =
      intent?.startsWith('outreach') || (!intent && entities.settlement) ? 'outreach' : (intent ?? undefined);
    const outreach = onOutreachText(state, event.text, ctx, other);
    if (outreach) return outreach;
    return fromFreeText(state, event.text, event.understanding, ctx);
  }
  if (event.type === 'text') {
    // Without the understanding layer (flow unit tests, or it failed to load): the plain keyword menu.
    const outreach = onOutreachText(state, event.text, ctx, menuChoiceFromText(event));
    if (outreach) return outreach;
  }
  const choice =
    event.type === 'button' && event.payload.startsWith('menu:')
      ? event.payload.slice(5)
      : menuChoiceFromText(event);
  switch (choice) {
    case 'intake': {
      // The words the family wrote before (under a navigator answer) are its story; a typed request is one too.
      const story = event.type === 'text' ? event.text.trim() : state.pendingText;
      const purpose = state.suggestedPurpose;
      const calm = { ...state, pendingText: undefined, pendingFor: undefined, misses: undefined };
      return startIntake(ctx, story ? { story, purpose } : {}, calm);
    }
    case 'contacts':
      return reply(state, [menuMessage([msg('contacts', centerArgs(ctx))])]);
    case 'outreach':
      return outreachMenu(state, ctx);
    case 'delete':
      // The question comes with the deletionPreview event: it lists what the deletion would cancel.
      return reply(state, [], [{ type: 'previewDeletion' }]);
    case 'book':
    case 'book:lawyer':
    case 'book:psychologist':
    case 'book:other': {
      const role = choice === 'book' ? undefined : (choice.slice(5) as 'lawyer' | 'psychologist' | 'other');
      return beginBooking(state, { kind: 'book', role }, ctx);
    }
    case 'bookings':
      return showMyBookings(state);
    case 'progress':
      return startProgressReport(state);
    default:
      return reply(state, [
        menuMessage([event.type === 'button' ? msg('error-stale-button') : msg('menu-not-understood')]),
      ]);
  }
}

/** Booking needs to know who the family is: without consent it starts with the intake (consent first). */
function beginBooking(
  state: ConversationState,
  action: Extract<MenuAction, { kind: 'book' }>,
  ctx: FlowContext,
): Result {
  if (!ctx.hasConsent) {
    const purpose =
      action.role === 'lawyer' ? 'lawyer' : action.role === 'psychologist' ? 'psychologist' : undefined;
    return startIntake(ctx, { story: '', purpose }, state);
  }
  return startBooking({ ...state, misses: undefined }, action.role, state.booking?.appealId, action.date);
}

/** The family's words at the menu, understood: an answer, or one of the menu's actions. */
function fromFreeText(
  state: ConversationState,
  text: string,
  understanding: NonNullable<Extract<UserEvent, { type: 'text' }>['understanding']>,
  ctx: FlowContext,
): Result {
  const outcome = routeFreeText(state, text, understanding, ctx);
  if ('result' in outcome) return outcome.result;
  const calm: ConversationState = {
    ...state,
    misses: undefined,
    pendingText: undefined,
    pendingFor: undefined,
  };
  const { action } = outcome;
  switch (action.kind) {
    case 'greet':
      return reply(calm, [menuMessage([msg('greeting', centerArgs(ctx))])]);
    case 'intake':
      return startIntake(
        ctx,
        { story: action.story, purpose: action.purpose, callback: action.callback },
        calm,
      );
    case 'book':
      return beginBooking(calm, action, ctx);
    case 'bookings':
      return showMyBookings(calm);
    case 'progress':
      return startProgressReport(calm);
    case 'contacts':
      return reply(calm, [menuMessage([msg('contacts', centerArgs(ctx))])]);
    case 'outreach':
      return outreachMenu(calm, ctx);
    case 'delete':
      return reply(calm, [], [{ type: 'previewDeletion' }]);
    case 'language':
      return handleCommand('lang', calm, ctx);
  }
}

function menuChoiceFromText(event: UserEvent): string | undefined {
  if (event.type !== 'text') return undefined;
  const text = event.text.toLocaleLowerCase('ru');
  if (/мои записи|my (appointments|bookings)/.test(text)) return 'bookings';
  if (/результат|вопрос решил|решился|progress|result/.test(text)) return 'progress';
  if (/запис|appointment|book/.test(text)) return 'book';
  if (/обращ|помо[гщ]|юрист|психолог|консульт|help|appeal|lawyer|psycholog/.test(text)) return 'intake';
  if (/контакт|телефон|адрес|(^|\s)час|режим|contact|phone|hours/.test(text)) return 'contacts';
  if (/график|выезд|расписан|приезж|schedule|visit/.test(text)) return 'outreach';
  if (/удал.*данн|delete.*data/.test(text)) return 'delete';
  return undefined;
}

function onConsent(state: ConversationState, event: UserEvent, ctx: FlowContext): Result {
  const answer = buttonAnswer(event, 'consent') ?? consentFromText(event);
  if (answer === 'more') return reply(state, [consentFull(ctx)]);
  if (answer === 'yes') {
    const granted = { ...ctx, hasConsent: true };
    const record: Effect = { type: 'recordConsent', granted: true };
    const thanks: OutboundMessage = { parts: [msg('consent-thanks')] };
    if (state.pendingFor === 'question') {
      const text = state.pendingText ?? '';
      const next: ConversationState = { ...initialState(), booking: state.booking };
      return reply(next, [thanks], [record, { type: 'askDispatcher', text }]);
    }
    const result = afterStory({ ...state, step: 'name' }, state.pendingText || undefined, granted);
    return { ...result, messages: [thanks, ...result.messages], effects: [record, ...result.effects] };
  }
  if (answer === 'no') {
    return reply(
      initialState(),
      [menuMessage([msg('consent-declined', centerArgs(ctx))])],
      [{ type: 'recordConsent', granted: false }],
    );
  }
  return reask(state, ctx, event.type === 'button' ? msg('error-stale-button') : msg('error-consent-choose'));
}

/** The family's words reached a person: say so, and when the answer will come. */
function afterQuestion(
  state: ConversationState,
  event: Extract<FlowEvent, { type: 'questionAsked' }>,
  ctx: FlowContext,
): Result {
  const calm: ConversationState = {
    ...state,
    misses: undefined,
    pendingText: undefined,
    pendingFor: undefined,
  };
  if (event.forwarded) return reply(calm, []);
  const due = event.dueAt
    ? relativeMomentArgs(new Date(event.dueAt), ctx.now, ctx.center.timeZone)
    : answerExpectedArgs(ctx);
  return reply(calm, [
    menuMessage([
      msg('question-asked', {
        number: event.number,
        ...due,
        open: isWorkingTime(ctx.now, ctx.center) ? 'yes' : 'no',
      }),
    ]),
  ]);
}

function buttonAnswer(event: UserEvent, owner: string): string | undefined {
  if (event.type !== 'button') return undefined;
  const [prefix, value] = event.payload.split(':', 2);
  return prefix === owner ? value : undefined;
}

function consentFromText(event: UserEvent): 'yes' | 'no' | undefined {
  if (event.type !== 'text') return undefined;
  const text = event.text.trim().toLocaleLowerCase('ru');
  if (/^(не |нет|no\b|don'?t|disagree)/.test(text)) return 'no';
  // Not \b: in JS it is ASCII-only, so "да" or "согласен" alone would never match.
  if (/^(да|согласен|согласна|yes|agree|i agree)(?![\p{L}\p{N}_])/u.test(text)) return 'yes';
  return undefined;
}

function onIntakeAnswer(state: ConversationState, step: StepId, event: UserEvent, ctx: FlowContext): Result {
  if (event.type === 'button' && !buttonValue(event, step)) {
    return reask(state, ctx, msg('error-stale-button'));
  }
  const answer = STEPS[step].accept(event, ctx, state.draft);
  if (!answer.ok) return reask(state, ctx, answer.error);
  return advanceIntake(state, step, answer.patch, ctx);
}

/** An accepted answer: into the draft, then the next question (or the summary). */
function advanceIntake(state: ConversationState, step: StepId, patch: Draft, ctx: FlowContext): Result {
  const draft: Draft = { ...state.draft, ...patch };
  const next = nextStep(step, draft, state.editQueue);
  const advanced: ConversationState = {
    ...state,
    draft,
    step: next.step,
    trail: [...state.trail, step],
    editQueue: next.editQueue,
  };
  // Echo the normalised number as its own message: the person sees what we will call, and on Telegram this
  // message (without buttons) is where the "share my number" keyboard is taken away.
  const ack: OutboundMessage[] =
    step === 'phone' ? [{ parts: [msg('phone-saved', { phone: draft.phone ?? '' })] }] : [];
  if (next.step === 'confirm') {
    const withDue = { ...advanced, draft: withCallbackDue(draft, ctx), editBackup: undefined };
    return reply(withDue, [...ack, summaryMessage(withDue, ctx)]);
  }
  return reply(advanced, [...ack, currentQuestion(advanced, ctx)]);
}

/** Normal order, or — while correcting a field — only that field's dependent questions, then the summary. */
function nextStep(
  step: StepId,
  draft: Draft,
  editQueue: StepId[] | undefined,
): { step: StepId | 'confirm'; editQueue?: StepId[] } {
  const natural = STEPS[step].next(draft);
  if (!editQueue) return { step: natural === 'confirm' ? natural : firstUnknownStep(natural, draft) };
  if (natural !== 'confirm' && editQueue.includes(natural)) {
    return { step: natural, editQueue: editQueue.filter((queued) => queued !== natural) };
  }
  return { step: 'confirm' };
}

/** When the center promises to get in touch, counted in working hours (cases.md: "within 2 hours, today"). */
function withCallbackDue(draft: Draft, ctx: FlowContext): Draft {
  if (draft.callMode === 'callback_window' && draft.callbackWindow) {
    const window = nextCallbackWindow(ctx.now, draft.callbackWindow, ctx.center);
    return {
      ...draft,
      callbackWindowFrom: window.from.toISOString(),
      callbackDueAt: window.to.toISOString(),
    };
  }
  const due = addWorkingMinutes(ctx.now, ctx.center.callbackPromiseMinutes, ctx.center);
  return { ...draft, callbackWindowFrom: undefined, callbackDueAt: due.toISOString() };
}

function onConfirm(state: ConversationState, event: UserEvent, ctx: FlowContext): Result {
  const action = buttonAnswer(event, 'confirm') ?? confirmFromText(event);
  if (action === 'edit') return reply({ ...state, step: 'edit' }, [editMessage()]);
  if (action !== 'submit') {
    return reask(
      state,
      ctx,
      event.type === 'button' ? msg('error-stale-button') : msg('error-choose-button'),
    );
  }
  // Recompute the promise at the moment of sending: the summary may have been shown hours ago.
  const draft = withCallbackDue(state.draft, ctx);
  const parsed = AppealDraftSchema.safeParse(draft);
  if (!parsed.success) {
    // A field is missing (e.g. state from an older version): ask from the first missing question.
    const missing = STEP_IDS.find((step) => fieldMissing(step, draft)) ?? 'name';
    const next = { ...state, step: missing, draft };
    return reask(next, ctx, msg('error-missing-field'));
  }
  return reply({ ...state, draft }, [], [{ type: 'submitAppeal', draft: parsed.data }]);
}

/** From `step` on, the first question whose answer is not known yet (the story, a callback request…). */
function firstUnknownStep(step: StepId, draft: Draft): StepId | 'confirm' {
  let current: StepId | 'confirm' = step;
  for (let guard = 0; current !== 'confirm' && guard < STEP_IDS.length; guard++) {
    if (!stepAnswered(current, draft)) return current;
    current = STEPS[current].next(draft);
  }
  return current;
}

function stepAnswered(step: StepId, draft: Draft): boolean {
  if (step === 'need') return draft.needText !== undefined && draft.needText !== '';
  if (step === 'callMode') return draft.callMode !== undefined;
  if (step === 'callWindow') return draft.callbackWindow !== undefined;
  return !fieldMissing(step, draft);
}

function fieldMissing(step: StepId, draft: Draft): boolean {
  const field: Partial<Record<StepId, keyof Draft>> = {
    name: 'fullName',
    address: 'address',
    marital: 'maritalStatus',
    children: 'minorChildren',
    birthDate: 'birthDate',
    phone: 'phone',
    purpose: 'purpose',
    format: 'contactMode',
  };
  const key = field[step];
  return key !== undefined && draft[key] === undefined;
}

function confirmFromText(event: UserEvent): 'submit' | 'edit' | undefined {
  if (event.type !== 'text') return undefined;
  const text = event.text.trim().toLocaleLowerCase('ru');
  if (/^(да|верно|всё верно|все верно|отправ|yes|correct|send|submit)/.test(text)) return 'submit';
  if (/^(исправ|измен|edit|change|нет)/.test(text)) return 'edit';
  return undefined;
}

function onEdit(state: ConversationState, event: UserEvent, ctx: FlowContext): Result {
  const field = buttonAnswer(event, 'edit');
  if (field === 'summary') return reply({ ...state, step: 'confirm' }, [summaryMessage(state, ctx)]);
  const step = EDITABLE_STEPS.find((candidate) => candidate === field);
  if (!step)
    return reask(
      state,
      ctx,
      event.type === 'button' ? msg('error-stale-button') : msg('error-choose-button'),
    );
  const next: ConversationState = {
    ...state,
    step,
    editQueue: DEPENDENT_STEPS[step] ?? [],
    editBackup: state.draft,
  };
  return reply(next, [currentQuestion(next, ctx)]);
}

function onResume(state: ConversationState, event: UserEvent, ctx: FlowContext): Result {
  const action =
    buttonAnswer(event, 'resume') ??
    (event.type === 'text' && /^(да|продолж|yes|continue)/i.test(event.text.trim()) ? 'continue' : undefined);
  if (action === 'restart') return startIntake(ctx, { story: '' });
  if (action === 'continue') {
    const next: ConversationState = { ...state, step: state.pausedAt ?? 'name', pausedAt: undefined };
    return reply(next, [currentQuestion(next, ctx)]);
  }
  return reask(state, ctx, event.type === 'button' ? msg('error-stale-button') : msg('error-choose-button'));
}

function onDeleteConfirm(state: ConversationState, event: UserEvent, ctx: FlowContext): Result {
  const answer = buttonAnswer(event, 'delete') ?? consentFromText(event);
  if (answer === 'yes') return reply(initialState(), [], [{ type: 'deleteMyData' }]);
  if (answer === 'no') return reply(initialState(), [menuMessage([msg('delete-kept')])]);
  return reask(state, ctx, event.type === 'button' ? msg('error-stale-button') : msg('error-choose-button'));
}

/** After the runtime stored the appeal: say what happens next, exactly, and how to reach the center. */
function afterSubmit(
  number: string,
  appealId: number | undefined,
  state: ConversationState,
  ctx: FlowContext,
): Result {
  const { draft } = state;
  const due = draft.callbackDueAt ? dueArgs(new Date(draft.callbackDueAt), ctx) : dueArgs(ctx.now, ctx);
  let nextKey: string;
  let args: Record<string, string | number> = { ...due, phone: draft.phone ?? '' };
  if (draft.contactMode === 'in_person') nextKey = 'next-in-person';
  else if (draft.callMode === 'chat_now')
    nextKey = isWorkingTime(ctx.now, ctx.center) ? 'next-chat-now' : 'next-chat-closed';
  else if (draft.callMode === 'callback_window' && draft.callbackWindowFrom) {
    nextKey = 'next-callback-window';
    args = { ...args, ...dueArgs(new Date(draft.callbackWindowFrom), ctx, 'from') };
  } else nextKey = 'next-callback';

  // For an in-person visit the family can pick a time at once instead of waiting for the call.
  if (draft.contactMode === 'in_person') {
    const role = roleForPurpose(draft.purpose);
    // One message: channels that keep only the newest keyboard (VK) would otherwise drop the offer.
    const menu = menuMessage([msg('book-offer'), msg('closing', centerArgs(ctx))]);
    return reply({ ...initialState(), booking: appealId ? { appealId } : undefined }, [
      { parts: [msg('appeal-accepted', { number }), msg(nextKey, args)] },
      {
        ...menu,
        buttons: [
          [{ label: msg('book-offer-button'), payload: `menu:book:${role}` }],
          ...(menu.buttons ?? []),
        ],
      },
    ]);
  }
  return reply(initialState(), [
    { parts: [msg('appeal-accepted', { number }), msg(nextKey, args)] },
    menuMessage([msg('closing', centerArgs(ctx))]),
  ]);
}

/** "today 15:30" / "tomorrow 09:10" / "30.11 09:10" in the center's zone, as Fluent arguments. */
const dueArgs = (at: Date, ctx: FlowContext, prefix = 'due') =>
  relativeMomentArgs(at, ctx.now, ctx.center.timeZone, prefix);
