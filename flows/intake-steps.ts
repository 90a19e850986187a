import { DateTime } from 'luxon';
import {
  type AppealDraft,
  CALL_MODES,
  CALLBACK_WINDOWS,
  CONTACT_MODES,
  MARITAL_STATUSES,
  PURPOSES,
} from '../domain/appeal.ts';
import { validateBirthDateText } from '../domain/understanding/dates.ts';
import {
  parseMaritalStatus,
  validateAddress,
  validateChildrenCount,
  validateFullName,
  validateNeedDescription,
  validatePhone,
} from '../domain/validators.ts';
import type { Button, FlowContext, Msg, OutboundMessage, UserEvent } from './types.ts';
import { msg } from './types.ts';

/**
 * The intake questions as a table: each step knows how to ask, how to read an answer and what comes next.
 * Order follows the center's phone script (intake.md): name, address, marital status, children, date of
 * birth, phone, then what help is needed and how the family wants to be contacted.
 */
export const STEP_IDS = [
  'name',
  'address',
  'marital',
  'children',
  'birthDate',
  'phone',
  'purpose',
  'need',
  'format',
  'callMode',
  'callWindow',
] as const;
export type StepId = (typeof STEP_IDS)[number];

export type Draft = Partial<AppealDraft>;

export type Answer = { ok: true; patch: Draft } | { ok: false; error: Msg };

type Step = {
  ask(ctx: FlowContext, draft: Draft): OutboundMessage;
  accept(event: UserEvent, ctx: FlowContext, draft: Draft): Answer;
  next(draft: Draft): StepId | 'confirm';
};

export const NAV_ROW: Button[] = [
  { label: msg('button-back'), payload: 'nav:back' },
  { label: msg('button-cancel'), payload: 'nav:cancel' },
];

const question = (
  key: string,
  buttons: Button[][] = [],
  extra: Partial<OutboundMessage> = {},
): OutboundMessage => ({
  parts: [msg(key)],
  buttons: [...buttons, NAV_ROW],
  ...extra,
});

const choice = (step: StepId, value: string, labelKey: string): Button => ({
  label: msg(labelKey),
  payload: `${step}:${value}`,
});

const fromValidation = <T>(
  result: { ok: true; value: T } | { ok: false; error: string },
  patch: (v: T) => Draft,
) =>
  result.ok
    ? ({ ok: true, patch: patch(result.value) } as const)
    : ({ ok: false, error: msg(result.error) } as const);

/** Reads text answers; a tap on a button of this step is handled by `buttonValue` instead. */
function textOf(event: UserEvent): string | undefined {
  return event.type === 'text' ? event.text : undefined;
}

/** Value of a button payload that belongs to `step`, e.g. "purpose:lawyer" → "lawyer". */
export function buttonValue(event: UserEvent, step: StepId): string | undefined {
  if (event.type !== 'button') return undefined;
  const [owner, value] = event.payload.split(':', 2);
  return owner === step ? value : undefined;
}

/** A question answered by typing: a tap on some button is not an answer here. */
function textAnswer<T>(
  event: UserEvent,
  validate: (text: string) => { ok: true; value: T } | { ok: false; error: string },
  patch: (value: T) => Draft,
): Answer {
  const text = textOf(event);
  return text === undefined
    ? { ok: false, error: msg('error-type-answer') }
    : fromValidation(validate(text), patch);
}

const CHOOSE_BUTTON = { ok: false, error: msg('error-choose-button') } as const;

function enumAnswer<T extends string>(
  event: UserEvent,
  step: StepId,
  values: readonly T[],
  fromText: (text: string) => T | undefined,
  patch: (value: T) => Draft,
): Answer {
  const raw =
    buttonValue(event, step) ?? (textOf(event) !== undefined ? fromText(textOf(event) ?? '') : undefined);
  const value = values.find((candidate) => candidate === raw);
  return value ? { ok: true, patch: patch(value) } : CHOOSE_BUTTON;
}

const lower = (text: string) => text.trim().toLocaleLowerCase('ru');

/** «в течение 2 часов», as the script says it, rather than «120 минут рабочего времени». */
export const promiseArgs = (minutes: number) => ({ minutes, hours: minutes % 60 === 0 ? minutes / 60 : 0 });

function purposeFromText(text: string): AppealDraft['purpose'] | undefined {
  const t = lower(text);
  if (/юрист|юриди|адвокат|lawyer|legal/.test(t)) return 'lawyer';
  if (/психолог|psycholog/.test(t)) return 'psychologist';
  if (/госуслуг|gosuslugi/.test(t)) return 'gosuslugi';
  if (/сопровожд/.test(t)) return 'social_support';
  if (/социальн.*услуг|social service/.test(t)) return 'social_services';
  if (/логопед|специалист|specialist/.test(t)) return 'other_specialist';
  if (/^друг|^other/.test(t)) return 'other';
  return undefined;
}

export const STEPS: Record<StepId, Step> = {
  name: {
    ask: () => question('ask-name'),
    accept: (event) => textAnswer(event, validateFullName, (fullName) => ({ fullName })),
    next: () => 'address',
  },
  address: {
    ask: () => question('ask-address'),
    accept: (event) => textAnswer(event, validateAddress, (address) => ({ address })),
    next: () => 'marital',
  },
  marital: {
    ask: () =>
      question('ask-marital', [
        MARITAL_STATUSES.map((value) => choice('marital', value, `marital-${value}`)),
      ]),
    accept: (event) =>
      enumAnswer(event, 'marital', MARITAL_STATUSES, parseMaritalStatus, (maritalStatus) => ({
        maritalStatus,
      })),
    next: () => 'children',
  },
  children: {
    ask: () =>
      question('ask-children', [
        ['0', '1', '2', '3'].map((n) => ({
          label: msg('number', { n: Number(n) }),
          payload: `children:${n}`,
        })),
        ['4', '5', '6'].map((n) => ({ label: msg('number', { n: Number(n) }), payload: `children:${n}` })),
      ]),
    accept: (event) => {
      const text = buttonValue(event, 'children') ?? textOf(event);
      if (text === undefined) return { ok: false, error: msg('error-children-not-number') };
      return fromValidation(validateChildrenCount(text), (minorChildren) => ({ minorChildren }));
    },
    next: () => 'birthDate',
  },
  birthDate: {
    ask: () => question('ask-birthdate'),
    accept: (event, ctx) =>
      textAnswer(
        event,
        // Free forms too: «5 марта 1988», «12/05/88» (the same age and calendar rules).
        (text) => validateBirthDateText(text, { now: ctx.now, timeZone: ctx.center.timeZone }),
        (birthDate) => ({ birthDate }),
      ),
    next: () => 'phone',
  },
  phone: {
    ask: () => question('ask-phone', [], { requestPhone: true }),
    accept: (event) => {
      const text = event.type === 'contact' ? event.phone : textOf(event);
      if (text === undefined) return { ok: false, error: msg('error-phone-format') };
      return fromValidation(validatePhone(text), (phone) => ({ phone }));
    },
    next: () => 'purpose',
  },
  purpose: {
    ask: () =>
      question('ask-purpose', [
        [
          choice('purpose', 'lawyer', 'purpose-lawyer'),
          choice('purpose', 'psychologist', 'purpose-psychologist'),
        ],
        [choice('purpose', 'other_specialist', 'purpose-other_specialist')],
        [choice('purpose', 'social_services', 'purpose-social_services')],
        [choice('purpose', 'social_support', 'purpose-social_support')],
        [choice('purpose', 'gosuslugi', 'purpose-gosuslugi'), choice('purpose', 'other', 'purpose-other')],
      ]),
    accept: (event) => enumAnswer(event, 'purpose', PURPOSES, purposeFromText, (purpose) => ({ purpose })),
    next: () => 'need',
  },
  need: {
    // "Other" needs words; for the rest a short description helps the dispatcher but is optional.
    ask: (_ctx, draft) =>
      draft.purpose === 'other'
        ? question('ask-need-required')
        : question('ask-need-optional', [[choice('need', 'skip', 'button-skip')]]),
    accept: (event, _ctx, draft) => {
      if (buttonValue(event, 'need') === 'skip' && draft.purpose !== 'other') {
        return { ok: true, patch: { needText: undefined } };
      }
      const text = textOf(event);
      if (text === undefined) return { ok: false, error: msg('error-type-answer') };
      return fromValidation(validateNeedDescription(text), (needText) => ({ needText }));
    },
    next: () => 'format',
  },
  format: {
    ask: () =>
      question('ask-format', [CONTACT_MODES.map((value) => choice('format', value, `format-${value}`))]),
    accept: (event) =>
      enumAnswer(
        event,
        'format',
        CONTACT_MODES,
        (text) =>
          /телефон|звон|phone|call/.test(lower(text))
            ? 'phone'
            : /лично|очн|при[её]м|person|visit/.test(lower(text))
              ? 'in_person'
              : undefined,
        (contactMode) => ({
          contactMode,
          ...(contactMode === 'in_person' ? { callMode: undefined, callbackWindow: undefined } : {}),
        }),
      ),
    next: (draft) => (draft.contactMode === 'phone' ? 'callMode' : 'confirm'),
  },
  callMode: {
    ask: (ctx) =>
      question(
        'ask-call-mode',
        CALL_MODES.map((value) => [choice('callMode', value, `call-mode-${value}`)]),
        { parts: [msg('ask-call-mode', promiseArgs(ctx.center.callbackPromiseMinutes))] },
      ),
    accept: (event) =>
      enumAnswer(
        event,
        'callMode',
        CALL_MODES,
        () => undefined,
        (callMode) => ({
          callMode,
          ...(callMode === 'callback_window' ? {} : { callbackWindow: undefined }),
        }),
      ),
    next: (draft) => (draft.callMode === 'callback_window' ? 'callWindow' : 'confirm'),
  },
  callWindow: {
    ask: (ctx) => {
      const periods = Object.values(ctx.center.workingHours).find((day) => day && day.length > 0) ?? [];
      const first = periods[0];
      const last = periods[periods.length - 1];
      return question('ask-call-window', [
        [
          {
            label: msg('call-window-morning', { from: first?.from ?? '', to: first?.to ?? '' }),
            payload: 'callWindow:morning',
          },
          {
            label: msg('call-window-afternoon', { from: last?.from ?? '', to: last?.to ?? '' }),
            payload: 'callWindow:afternoon',
          },
        ],
      ]);
    },
    accept: (event) =>
      enumAnswer(
        event,
        'callWindow',
        CALLBACK_WINDOWS,
        (text) =>
          /утр|до обеда|morning/.test(lower(text))
            ? 'morning'
            : /после|днём|днем|вечер|afternoon/.test(lower(text))
              ? 'afternoon'
              : undefined,
        (callbackWindow) => ({ callbackWindow }),
      ),
    next: () => 'confirm',
  },
};

/** Steps whose answers depend on an earlier one: editing the earlier one walks through them again. */
export const DEPENDENT_STEPS: Partial<Record<StepId, StepId[]>> = {
  purpose: ['need'],
  format: ['callMode', 'callWindow'],
  callMode: ['callWindow'],
};

/** Fields a person may correct from the summary, in card order. */
export const EDITABLE_STEPS: StepId[] = [
  'name',
  'address',
  'marital',
  'children',
  'birthDate',
  'phone',
  'purpose',
  'format',
];

/** The card as the person will see it before sending. */
export function summaryArgs(draft: Draft, timeZone: string): Record<string, string | number> {
  return {
    name: draft.fullName ?? '',
    address: draft.address ?? '',
    marital: draft.maritalStatus ?? '',
    children: draft.minorChildren ?? 0,
    birthDate: draft.birthDate
      ? DateTime.fromISO(draft.birthDate, { zone: timeZone }).toFormat('dd.MM.yyyy')
      : '',
    phone: draft.phone ?? '',
    purpose: draft.purpose ?? '',
    need: draft.needText ?? '—',
    format: draft.contactMode ?? '',
    callMode: draft.callMode ?? 'none',
    callWindow: draft.callbackWindow ?? 'none',
  };
}
