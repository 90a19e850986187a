import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import type { AppealDraft } from '../../domain/appeal.ts';
import {
  type ConversationState,
  ConversationStateSchema,
  handleEvent,
  initialState,
} from '../../flows/assistant.ts';
import { STEP_IDS, type StepId } from '../../flows/intake-steps.ts';
import type { FlowContext, FlowEvent, FlowResult, Msg, OutboundMessage } from '../../flows/types.ts';
import { FRIDAY_4_30PM, loadBelovo, SATURDAY_11AM, TUESDAY_10AM } from '../support/fixtures.ts';

const center = await loadBelovo();
const ZONE = center.timeZone;

type Result = FlowResult<ConversationState>;

// ---------------------------------------------------------------------------------------------------------
// Helpers

const START: FlowEvent = { type: 'start' };
const text = (value: string): FlowEvent => ({ type: 'text', text: value });
const tap = (payload: string): FlowEvent => ({ type: 'button', payload });
const contact = (phone: string): FlowEvent => ({ type: 'contact', phone });

const ctxAt = (now: Date = TUESDAY_10AM, hasConsent = true): FlowContext => ({
  now,
  center,
  locale: 'ru',
  hasConsent,
});

/** An instant given as Belovo wall-clock time, e.g. belovo('2026-11-24T12:00'), as the ISO string the flow stores. */
function belovo(local: string): string {
  const iso = DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO();
  if (!iso) throw new Error(`bad local time ${local}`);
  return iso;
}
/** An ISO instant rendered as Belovo wall-clock time, e.g. "Tue 24.11 12:00". */
const wallClock = (iso: string | undefined) =>
  iso ? DateTime.fromISO(iso).setZone(ZONE).setLocale('en').toFormat('ccc dd.MM HH:mm') : undefined;

/** The state is persisted as JSON: it must match the schema exactly and survive a round trip unchanged. */
function expectPersistable(state: ConversationState) {
  expect(ConversationStateSchema.parse(state)).toEqual(state);
  expect(ConversationStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
}

/** One transition, with the invariants every transition must keep. */
function step(state: ConversationState, event: FlowEvent, ctx: FlowContext = ctxAt()): Result {
  const before = structuredClone(state);
  const result = handleEvent(state, event, ctx);
  expect(state, 'handleEvent must not mutate the state it was given').toStrictEqual(before);
  expectPersistable(result.state);
  return result;
}

type RunOptions = {
  now?: Date;
  hasConsent?: boolean;
  from?: ConversationState;
  /** What the runtime would answer to loadKnownData (a returning family's stored card). */
  known?: Partial<AppealDraft>;
};

/**
 * Folds events through handleEvent, starting at the menu (or `from`), and returns the last result and all of them.
 * Like the runtime, it records consent: after a `recordConsent` effect later events see `hasConsent` accordingly.
 */
function run(events: FlowEvent[], options: RunOptions = {}) {
  let ctx = ctxAt(options.now, options.hasConsent ?? true);
  let state = options.from ?? initialState();
  const results: Result[] = [];
  for (const event of events) {
    let result = step(state, event, ctx);
    for (const effect of result.effects) {
      if (effect.type === 'recordConsent') ctx = { ...ctx, hasConsent: effect.granted };
    }
    // Like the runtime: a family with no earlier appeal has no stored data to confirm.
    if (result.effects.some((effect) => effect.type === 'loadKnownData')) {
      const known = step(result.state, { type: 'knownData', draft: options.known }, ctx);
      result = {
        state: known.state,
        messages: [...result.messages, ...known.messages],
        effects: [...result.effects.filter((effect) => effect.type !== 'loadKnownData'), ...known.effects],
      };
    }
    results.push(result);
    state = result.state;
  }
  const result = results.at(-1);
  if (!result) throw new Error('run() needs at least one event');
  return { result, results, state, ctx };
}

const partsOf = (message: OutboundMessage): Msg[] =>
  message.parts.flatMap((part) => (Array.isArray(part) ? part : [part]));
/** Message part keys of all messages of a result, in order (lists flattened). */
const keysOf = (result: Result): string[] =>
  result.messages.flatMap((message) => partsOf(message).map((part) => part.key));
/** Arguments of the (first) part with this key. */
function argsOf(result: Result, key: string): Record<string, string | number> | undefined {
  const part = result.messages.flatMap(partsOf).find((candidate) => candidate.key === key);
  if (!part) throw new Error(`no part "${key}" in ${JSON.stringify(keysOf(result))}`);
  return part.args;
}
/** Button payloads of the last message, row by row. */
const payloadsOf = (result: Result): string[][] =>
  (result.messages.at(-1)?.buttons ?? []).map((row) => row.map((button) => button.payload));
const effectTypes = (results: Result[]) =>
  results.flatMap((result) => result.effects.map((effect) => effect.type));

/** The runtime's answer to `previewDeletion` for a family with nothing to cancel. */
const NOTHING_TO_CANCEL: FlowEvent = {
  type: 'deletionPreview',
  bookings: [],
  subscriptions: [],
  openAppeals: [],
};

const MENU_PAYLOADS = [
  ['menu:intake'],
  ['menu:book', 'menu:bookings'],
  ['menu:progress'],
  ['menu:contacts', 'menu:outreach'],
  ['menu:delete'],
];
const NAV = ['nav:back', 'nav:cancel'];

/** The question each step asks (the need question as asked for any purpose but "other"). */
const ASK: Record<StepId, string> = {
  name: 'ask-name',
  address: 'ask-address',
  marital: 'ask-marital',
  children: 'ask-children',
  birthDate: 'ask-birthdate',
  phone: 'ask-phone',
  purpose: 'ask-purpose',
  need: 'ask-need-optional',
  format: 'ask-format',
  callMode: 'ask-call-mode',
  callWindow: 'ask-call-window',
};

/** Good answers; with format=phone and callMode=callback_window every step is visited, in STEP_IDS order. */
const ANSWER: Record<StepId, FlowEvent> = {
  name: text('иванова  мария петровна'),
  address: text('г. Белово, ул. Ленина, 5'),
  marital: tap('marital:married'),
  children: tap('children:2'),
  birthDate: text('05.03.1988'),
  phone: text('8 (913) 123-45-67'),
  purpose: tap('purpose:lawyer'),
  need: tap('need:skip'),
  format: tap('format:phone'),
  callMode: tap('callMode:callback_window'),
  callWindow: tap('callWindow:morning'),
};

/** The normalised card those answers produce. */
const CARD = {
  fullName: 'Иванова Мария Петровна',
  address: 'г. Белово, ул. Ленина, 5',
  maritalStatus: 'married',
  minorChildren: 2,
  birthDate: '1988-03-05',
  phone: '+79131234567',
  purpose: 'lawyer',
} as const satisfies Partial<AppealDraft>;

/** Events from the menu (consent already given) to the question of `target`. */
const eventsTo = (target: StepId): FlowEvent[] => [
  tap('menu:intake'),
  tap('story:skip'),
  ...STEP_IDS.slice(0, STEP_IDS.indexOf(target)).map((id) => ANSWER[id]),
];

type Choices = {
  purpose?: AppealDraft['purpose'];
  need?: FlowEvent;
  format: AppealDraft['contactMode'];
  callMode?: NonNullable<AppealDraft['callMode']>;
  callWindow?: NonNullable<AppealDraft['callbackWindow']>;
};
/** Events from the menu (consent already given) to the summary. */
const intake = ({
  purpose = 'lawyer',
  need = tap('need:skip'),
  format,
  callMode,
  callWindow,
}: Choices): FlowEvent[] => [
  tap('menu:intake'),
  tap('story:skip'),
  ...STEP_IDS.slice(0, STEP_IDS.indexOf('purpose')).map((id) => ANSWER[id]),
  tap(`purpose:${purpose}`),
  need,
  tap(`format:${format}`),
  ...(callMode ? [tap(`callMode:${callMode}`)] : []),
  ...(callWindow ? [tap(`callWindow:${callWindow}`)] : []),
];

const IN_PERSON = intake({ format: 'in_person' });

// ---------------------------------------------------------------------------------------------------------

describe('main menu', () => {
  it('greets on start and offers the menu', () => {
    const { result } = run([START]);
    expect(keysOf(result)).toEqual(['greeting']);
    expect(argsOf(result, 'greeting')).toMatchObject({
      center: 'Семейная диспетчерская «Открытая дверь»',
      phone: '+7 (38452) 3-06-56',
      hours: 'пн–пт 08:00–17:00 (перерыв 12:00–12:48)',
    });
    expect(payloadsOf(result)).toEqual(MENU_PAYLOADS);
    expect(result.state).toEqual(initialState());
    expect(result.effects).toEqual([]);
  });

  it('shows contacts with the working hours and stays in the menu', () => {
    const { result } = run([START, tap('menu:contacts')]);
    expect(keysOf(result)).toEqual(['contacts']);
    expect(argsOf(result, 'contacts')).toEqual({
      center: 'Семейная диспетчерская «Открытая дверь»',
      organisation: 'МКУ «Центр социальной помощи семье и детям» Беловского городского округа',
      phone: '+7 (38452) 3-06-56',
      address: 'г. Белово, ул. Маркса, 2',
      hours: 'пн–пт 08:00–17:00 (перерыв 12:00–12:48)',
    });
    expect(payloadsOf(result)).toEqual(MENU_PAYLOADS);
    expect(result.state).toEqual(initialState());
  });

  it('shows the outreach schedule as a list, then a button per settlement', () => {
    const { result } = run([tap('menu:outreach')]);
    const [message] = result.messages;
    expect(message?.parts[0]).toEqual({ key: 'outreach-title' });
    const list = message?.parts[1];
    expect(Array.isArray(list) && list.length).toBe(center.outreach.length);
    expect(Array.isArray(list) && list[0]?.args).toMatchObject({ day: 'понедельник', rule: 'weekly' });
    expect(message?.parts[2]).toEqual({ key: 'outreach-choose' });
    expect(payloadsOf(result).flat()).toEqual([
      'out:s:babanakovo',
      'out:s:chertinskiy',
      'out:s:gramoteino',
      'out:s:belovo',
      'out:s:inskoy',
      'out:s:8-marta',
      'out:s:novyy-gorodok',
      'out:s:bachatskiy',
      'out:s:staro-belovo',
      'out:my',
      'nav:menu',
    ]);
    expect(result.state.step).toBe('menu');
  });

  it('asks before deleting data, once the runtime said what the deletion would cancel', () => {
    const asked = run([tap('menu:delete')]);
    expect(asked.result.effects).toEqual([{ type: 'previewDeletion' }]);
    expect(asked.result.messages).toEqual([]);
    const { result } = run([tap('menu:delete'), NOTHING_TO_CANCEL]);
    expect(keysOf(result)).toEqual(['delete-question', 'delete-cancels-nothing']);
    expect(payloadsOf(result)).toEqual([['delete:yes', 'delete:no']]);
    expect(result.state.step).toBe('deleteConfirm');
  });

  it('lists the bookings (with dates), subscriptions and open appeals a deletion cancels', () => {
    const { result } = run([
      tap('menu:delete'),
      {
        type: 'deletionPreview',
        bookings: ['2026-11-26T03:00:00.000Z', '2026-12-03T07:30:00.000Z'],
        subscriptions: ['Грамотеино'],
        openAppeals: ['2026-00007'],
      },
    ]);
    expect(keysOf(result)).toEqual([
      'delete-question',
      'delete-cancels-title',
      'delete-cancels-bookings',
      'delete-cancels-booking',
      'delete-cancels-booking',
      'delete-cancels-subscriptions',
      'delete-cancels-appeals',
    ]);
    const whens = result.messages[0]?.parts.flat().filter((part) => part.key === 'delete-cancels-booking');
    // Belovo is UTC+7: the dates are the family's local ones.
    expect(whens?.map((part) => part.args?.when)).toEqual(['26.11.2026 10:00', '03.12.2026 14:30']);
    expect(argsOf(result, 'delete-cancels-appeals')).toEqual({ count: 1, numbers: '№ 2026-00007' });
    expect(argsOf(result, 'delete-cancels-subscriptions')).toEqual({ count: 1, settlements: 'Грамотеино' });
    // Re-asked after a stray answer: the list is still there.
    const again = step(result.state, text('подумаю'));
    expect(keysOf(again)).toContain('delete-cancels-appeals');
  });

  it('starts the intake with the consent question when there is no consent', () => {
    const { result, results } = run([tap('menu:intake'), tap('story:skip')], { hasConsent: false });
    expect(keysOf(results[0] as Result)).toEqual(['ask-story']);
    expect(keysOf(result)).toEqual(['consent-text']);
    expect(argsOf(result, 'consent-text')).toMatchObject({
      version: '2026-11-01',
      phone: '+7 (38452) 3-06-56',
    });
    expect(payloadsOf(result)).toEqual([['consent:yes', 'consent:no'], ['consent:more']]);
    expect(result.state).toEqual({ ...initialState(), step: 'consent' });
    expect(result.effects).toEqual([]);
  });

  it('skips the consent question when consent was already given', () => {
    const { result } = run([tap('menu:intake'), tap('story:skip')], { hasConsent: true });
    expect(keysOf(result)).toEqual(['intake-intro', 'ask-name']);
    expect(result.state).toEqual({ ...initialState(), step: 'name' });
    expect(result.effects).toEqual([]);
  });

  it.each([
    ['нужен юрист', 'consent-text', 'consent'],
    ['Хочу записаться к психологу', 'consent-text', 'consent'],
    ['помогите, пожалуйста', 'consent-text', 'consent'],
    ['Какой у вас телефон?', 'contacts', 'menu'],
    ['часы работы', 'contacts', 'menu'],
    ['график выездов', 'outreach-title', 'menu'],
    ['абырвалг', 'menu-not-understood', 'menu'],
    ['привет', 'menu-not-understood', 'menu'],
  ])('understands free text %j in the menu → %s', (input, key, nextStep) => {
    const { result } = run([text(input)], { hasConsent: false });
    expect(keysOf(result)[0]).toBe(key);
    expect(result.state.step).toBe(nextStep);
  });

  it('understands free text "Удалите мои данные" in the menu → the deletion preview', () => {
    const { result } = run([text('Удалите мои данные')], { hasConsent: false });
    expect(result.effects).toEqual([{ type: 'previewDeletion' }]);
  });

  it('recognises "нужен юрист" as the intake when consent exists', () => {
    const { result } = run([text('нужен юрист')]);
    expect(keysOf(result)).toEqual(['intake-intro', 'ask-name']);
  });

  it.each([['consent:yes'], ['purpose:lawyer'], ['menu:unknown']])(
    'answers a stale button %j in the menu',
    (payload) => {
      const { result } = run([tap(payload)]);
      expect(keysOf(result)).toEqual(['error-stale-button']);
      expect(payloadsOf(result)).toEqual(MENU_PAYLOADS);
      expect(result.state).toEqual(initialState());
    },
  );

  it.each([[text('меню')], [text('/menu')], [tap('nav:cancel')], [tap('nav:back')], [text('Назад.')]])(
    'a command in the menu (%j) just shows the menu',
    (event) => {
      const { result } = run([event]);
      expect(keysOf(result)).toEqual(['menu-prompt']);
      expect(result.state).toEqual(initialState());
    },
  );

  it('"start" from the delete question returns to the greeting', () => {
    const { result } = run([tap('menu:delete'), NOTHING_TO_CANCEL, START]);
    expect(keysOf(result)).toEqual(['greeting']);
    expect(result.state).toEqual(initialState());
  });
});

describe('consent', () => {
  const toConsent = [tap('menu:intake'), tap('story:skip')];

  it('"yes" records consent and asks the first question', () => {
    const { result } = run([...toConsent, tap('consent:yes')], { hasConsent: false });
    expect(result.effects).toEqual([{ type: 'recordConsent', granted: true }]);
    expect(keysOf(result)).toEqual(['consent-thanks', 'intake-intro', 'ask-name']);
    expect(result.state).toEqual({ ...initialState(), step: 'name' });
  });

  it.each([
    ['да'],
    ['Да!'],
    ['согласен'],
    ['Согласна'],
    ['Согласен(на)'],
    ['да, согласен'],
    ['yes'],
    ['I agree'],
  ])('typed %j counts as yes', (input) => {
    const { result } = run([...toConsent, text(input)], { hasConsent: false });
    expect(result.effects).toEqual([{ type: 'recordConsent', granted: true }]);
    expect(result.state.step).toBe('name');
  });

  it('"no" records the refusal, returns to the menu and keeps no personal data', () => {
    const { result, state } = run([...toConsent, text('Иванова Мария, 8 913 123 45 67'), tap('consent:no')], {
      hasConsent: false,
    });
    expect(result.effects).toEqual([{ type: 'recordConsent', granted: false }]);
    expect(keysOf(result)).toEqual(['consent-declined']);
    expect(argsOf(result, 'consent-declined')).toMatchObject({
      phone: '+7 (38452) 3-06-56',
      hours: 'пн–пт 08:00–17:00 (перерыв 12:00–12:48)',
    });
    expect(payloadsOf(result)).toEqual(MENU_PAYLOADS);
    expect(state).toEqual(initialState());
    expect(JSON.stringify(state)).not.toMatch(/Иванова|913/);
  });

  it.each([['нет'], ['Не согласен'], ['не согласна'], ['no']])('typed %j counts as no', (input) => {
    const { result } = run([...toConsent, text(input)], { hasConsent: false });
    expect(result.effects).toEqual([{ type: 'recordConsent', granted: false }]);
    expect(result.state).toEqual(initialState());
  });

  it.each([['Иванова Мария Петровна, 8 913 123 45 67'], ['давайте'], ['а зачем?']])(
    'other text (%j) is re-asked and not stored',
    (input) => {
      const { result, results } = run([...toConsent, text(input)], { hasConsent: false });
      const before = results[1]?.state;
      expect(keysOf(result)).toEqual(['error-consent-choose', 'consent-text']);
      expect(payloadsOf(result)).toEqual([['consent:yes', 'consent:no'], ['consent:more']]);
      expect(result.state).toEqual(before);
      expect(result.state.draft).toEqual({});
      expect(JSON.stringify(result.state)).not.toContain(input);
      expect(result.effects).toEqual([]);
    },
  );

  it('a stale button is re-asked', () => {
    const { result } = run([...toConsent, tap('marital:married')], { hasConsent: false });
    expect(keysOf(result)).toEqual(['error-stale-button', 'consent-text']);
    expect(result.state.step).toBe('consent');
    expect(result.effects).toEqual([]);
  });

  it.each([
    [tap('nav:back'), 'menu-prompt'],
    [tap('nav:cancel'), 'intake-cancelled'],
    [START, 'greeting'],
  ])('%j at the consent question returns to the menu without recording anything', (event, key) => {
    const { result } = run([...toConsent, event], { hasConsent: false });
    expect(keysOf(result)).toEqual([key]);
    expect(result.state).toEqual(initialState());
    expect(result.effects).toEqual([]);
  });
});

describe('questions', () => {
  it.each(STEP_IDS.map((id) => [id]))('%s: asks its question with the back/cancel row', (id) => {
    const { result } = run(eventsTo(id));
    expect(result.state.step).toBe(id);
    expect(keysOf(result).at(-1)).toBe(ASK[id]);
    expect(payloadsOf(result).at(-1)).toEqual(NAV);
  });

  it('offers the right buttons and arguments', () => {
    expect(payloadsOf(run(eventsTo('marital')).result)).toEqual([
      ['marital:married', 'marital:not_married'],
      NAV,
    ]);
    expect(payloadsOf(run(eventsTo('children')).result)).toEqual([
      ['children:0', 'children:1', 'children:2', 'children:3'],
      ['children:4', 'children:5', 'children:6'],
      NAV,
    ]);
    expect(run(eventsTo('phone')).result.messages.at(-1)?.requestPhone).toBe(true);
    expect(payloadsOf(run(eventsTo('need')).result)).toEqual([['need:skip'], NAV]);
    expect(payloadsOf(run(eventsTo('format')).result)).toEqual([['format:phone', 'format:in_person'], NAV]);
    const callMode = run(eventsTo('callMode')).result;
    expect(argsOf(callMode, 'ask-call-mode')).toEqual({ minutes: 120, hours: 2 });
    expect(payloadsOf(callMode)).toEqual([
      ['callMode:chat_now'],
      ['callMode:callback_asap'],
      ['callMode:callback_window'],
      NAV,
    ]);
    const callWindow = run(eventsTo('callWindow')).result.messages.at(-1);
    expect(callWindow?.buttons?.[0]?.map((button) => button.label)).toEqual([
      { key: 'call-window-morning', args: { from: '08:00', to: '12:00' } },
      { key: 'call-window-afternoon', args: { from: '12:48', to: '17:00' } },
    ]);
  });

  it('stores each answer normalised and moves on', () => {
    const { results, state } = run(eventsTo('callWindow'));
    expect(results.map((result) => result.state.step)).toEqual(['story', 'name', ...STEP_IDS.slice(1)]);
    expect(state.draft).toEqual({ ...CARD, contactMode: 'phone', callMode: 'callback_window' });
    expect(state.trail).toEqual(STEP_IDS.slice(0, -1));
  });

  it('echoes the normalised phone number in a message of its own, then asks the purpose', () => {
    const { result } = run([...eventsTo('phone'), text('8 (913) 123-45-67')]);
    expect(keysOf(result)).toEqual(['phone-saved', 'ask-purpose']);
    expect(argsOf(result, 'phone-saved')).toEqual({ phone: '+79131234567' });
    expect(result.messages[0]?.buttons).toBeUndefined();
  });

  it.each([
    ['marital', text('не замужем'), { maritalStatus: 'not_married' }],
    ['marital', text('Женат'), { maritalStatus: 'married' }],
    ['children', text('двое'), { minorChildren: 2 }],
    ['children', text('нет детей'), { minorChildren: 0 }],
    ['children', text('12'), { minorChildren: 12 }],
    ['birthDate', text('5/3/1988'), { birthDate: '1988-03-05' }],
    ['phone', text('+7 913 123 45 67'), { phone: '+79131234567' }],
    ['phone', contact('79131234567'), { phone: '+79131234567' }],
    ['phone', contact('+79131234567'), { phone: '+79131234567' }],
    ['purpose', text('нужна помощь с госуслугами'), { purpose: 'gosuslugi' }],
    ['purpose', text('Консультация психолога'), { purpose: 'psychologist' }],
    ['purpose', text('логопед'), { purpose: 'other_specialist' }],
    ['need', text('  Вопрос по алиментам  '), { needText: 'Вопрос по алиментам' }],
    ['format', text('по телефону'), { contactMode: 'phone' }],
    ['format', text('лично приду'), { contactMode: 'in_person' }],
    ['callWindow', text('после обеда'), { callbackWindow: 'afternoon' }],
    ['callWindow', text('утром'), { callbackWindow: 'morning' }],
  ] as const)('%s: accepts %j', (id, event, patch) => {
    const { result } = run([...eventsTo(id), event]);
    expect(result.state.draft).toMatchObject(patch);
    expect(result.state.step).not.toBe(id);
    expect(result.state.trail.at(-1)).toBe(id);
  });

  it.each([
    ['name', text('Иванова'), 'error-name-too-short'],
    ['name', text('Иванова Мария 1988'), 'error-name-digits'],
    ['name', text('   '), 'error-name-empty'],
    ['name', text('Иванова М@рия'), 'error-name-letters'],
    ['name', contact('79131234567'), 'error-type-answer'],
    ['address', text('ул'), 'error-address-too-short'],
    ['address', text('12 34'), 'error-address-letters'],
    ['marital', text('сложно сказать'), 'error-choose-button'],
    ['marital', contact('79131234567'), 'error-choose-button'],
    ['children', text('25'), 'error-children-range'],
    ['children', text('много'), 'error-children-not-number'],
    ['children', contact('79131234567'), 'error-children-not-number'],
    ['birthDate', text('1988-13-05'), 'error-birthdate-invalid'],
    ['birthDate', text('30.02.1990'), 'error-birthdate-invalid'],
    ['birthDate', text('01.01.2027'), 'error-birthdate-future'],
    ['birthDate', text('01.01.2020'), 'error-birthdate-age'],
    ['birthDate', text('01.01.1900'), 'error-birthdate-age'],
    ['phone', text('12345'), 'error-phone-format'],
    ['phone', text('+380 44 123 4567'), 'error-phone-country'],
    ['phone', contact('+380441234567'), 'error-phone-country'],
    ['purpose', text('не знаю'), 'error-choose-button'],
    ['need', text('ок'), 'error-need-too-short'],
    ['need', text('а'.repeat(1001)), 'error-need-too-long'],
    ['format', text('как-нибудь'), 'error-choose-button'],
    ['callMode', text('позвоните'), 'error-choose-button'],
    ['callWindow', text('когда угодно'), 'error-choose-button'],
  ] as const)('%s: %j is re-asked with %s', (id, event, error) => {
    const { result: before } = run(eventsTo(id));
    const after = step(before.state, event);
    expect(after.messages).toHaveLength(1);
    expect(after.messages[0]?.parts[0]).toEqual({ key: error });
    expect(keysOf(after)).toEqual([error, ASK[id]]);
    expect(after.messages[0]?.buttons).toEqual(before.messages.at(-1)?.buttons);
    expect(after.state).toEqual(before.state);
    expect(after.effects).toEqual([]);
  });

  it.each(
    STEP_IDS.flatMap((id) =>
      [
        'menu:intake',
        'consent:yes',
        'confirm:submit',
        id === 'marital' ? 'purpose:lawyer' : 'marital:married',
      ].map((payload) => [id, payload] as const),
    ),
  )('%s: a stale button %j is re-asked with error-stale-button', (id, payload) => {
    const { result: before } = run(eventsTo(id));
    const after = step(before.state, tap(payload));
    expect(keysOf(after)).toEqual(['error-stale-button', ASK[id]]);
    expect(after.state).toEqual(before.state);
    expect(after.effects).toEqual([]);
  });
});

describe('purpose and need', () => {
  it('"other" requires a description: no skip button, a skip is refused, text is kept', () => {
    const { result: asked } = run([...eventsTo('purpose'), tap('purpose:other')]);
    expect(keysOf(asked)).toEqual(['ask-need-required']);
    expect(payloadsOf(asked)).toEqual([NAV]);
    const skipped = step(asked.state, tap('need:skip'));
    expect(keysOf(skipped)).toEqual(['error-type-answer', 'ask-need-required']);
    expect(skipped.state).toEqual(asked.state);
    const tooShort = step(asked.state, text('да'));
    expect(keysOf(tooShort)).toEqual(['error-need-too-short', 'ask-need-required']);
    const answered = step(asked.state, text('Нужна справка для школы'));
    expect(answered.state.step).toBe('format');
    expect(answered.state.draft.needText).toBe('Нужна справка для школы');
  });

  it.each([
    ['lawyer'],
    ['psychologist'],
    ['other_specialist'],
    ['social_services'],
    ['social_support'],
    ['gosuslugi'],
  ])('%s allows skipping the description', (purpose) => {
    const { result: asked } = run([...eventsTo('purpose'), tap(`purpose:${purpose}`)]);
    expect(keysOf(asked)).toEqual(['ask-need-optional']);
    const skipped = step(asked.state, tap('need:skip'));
    expect(skipped.state.step).toBe('format');
    expect(skipped.state.draft.needText).toBeUndefined();
    expect(skipped.state.draft.purpose).toBe(purpose);
  });
});

// ---------------------------------------------------------------------------------------------------------

type HappyPath = {
  title: string;
  now: Date;
  choices: Choices;
  draft: Partial<AppealDraft>;
  summary: Record<string, string | number>;
  next: string;
  nextArgs: Record<string, string | number>;
};

const PHONE_ARGS = { phone: '+79131234567' };

const HAPPY_PATHS: HappyPath[] = [
  {
    title: 'phone, call me back as soon as possible (Tuesday 10:00 → due 12:00 today)',
    now: TUESDAY_10AM,
    choices: { format: 'phone', callMode: 'callback_asap' },
    draft: { contactMode: 'phone', callMode: 'callback_asap', callbackDueAt: belovo('2026-11-24T12:00') },
    summary: { format: 'phone', callMode: 'callback_asap', callWindow: 'none' },
    next: 'next-callback',
    nextArgs: { ...PHONE_ARGS, dueDay: 'today', dueDate: '24.11', dueTime: '12:00' },
  },
  {
    title: 'phone, call me back, Friday 16:30 → due Monday 09:30',
    now: FRIDAY_4_30PM,
    choices: { format: 'phone', callMode: 'callback_asap' },
    draft: { contactMode: 'phone', callMode: 'callback_asap', callbackDueAt: belovo('2026-11-30T09:30') },
    summary: { format: 'phone', callMode: 'callback_asap', callWindow: 'none' },
    next: 'next-callback',
    nextArgs: { ...PHONE_ARGS, dueDay: 'other', dueDate: '30.11', dueTime: '09:30' },
  },
  {
    title: 'phone, chat with the dispatcher now, during working hours',
    now: TUESDAY_10AM,
    choices: { format: 'phone', callMode: 'chat_now' },
    draft: { contactMode: 'phone', callMode: 'chat_now', callbackDueAt: belovo('2026-11-24T12:00') },
    summary: { format: 'phone', callMode: 'chat_now', callWindow: 'none' },
    next: 'next-chat-now',
    nextArgs: { ...PHONE_ARGS, dueDay: 'today', dueDate: '24.11', dueTime: '12:00' },
  },
  {
    title: 'phone, chat now, on a Saturday: the center is closed',
    now: SATURDAY_11AM,
    choices: { format: 'phone', callMode: 'chat_now' },
    draft: { contactMode: 'phone', callMode: 'chat_now', callbackDueAt: belovo('2026-11-30T10:00') },
    summary: { format: 'phone', callMode: 'chat_now', callWindow: 'none' },
    next: 'next-chat-closed',
    nextArgs: { ...PHONE_ARGS, dueDay: 'other', dueDate: '30.11', dueTime: '10:00' },
  },
  {
    title: 'phone, call in the morning window, Tuesday 10:00 → today 10:00–12:00',
    now: TUESDAY_10AM,
    choices: { format: 'phone', callMode: 'callback_window', callWindow: 'morning' },
    draft: {
      contactMode: 'phone',
      callMode: 'callback_window',
      callbackWindow: 'morning',
      callbackWindowFrom: belovo('2026-11-24T10:00'),
      callbackDueAt: belovo('2026-11-24T12:00'),
    },
    summary: { format: 'phone', callMode: 'callback_window', callWindow: 'morning' },
    next: 'next-callback-window',
    nextArgs: {
      ...PHONE_ARGS,
      fromDay: 'today',
      fromDate: '24.11',
      fromTime: '10:00',
      dueDay: 'today',
      dueDate: '24.11',
      dueTime: '12:00',
    },
  },
  {
    title: 'phone, call in the afternoon window, Tuesday 10:00 → today 12:48–17:00',
    now: TUESDAY_10AM,
    choices: { format: 'phone', callMode: 'callback_window', callWindow: 'afternoon' },
    draft: {
      contactMode: 'phone',
      callMode: 'callback_window',
      callbackWindow: 'afternoon',
      callbackWindowFrom: belovo('2026-11-24T12:48'),
      callbackDueAt: belovo('2026-11-24T17:00'),
    },
    summary: { format: 'phone', callMode: 'callback_window', callWindow: 'afternoon' },
    next: 'next-callback-window',
    nextArgs: {
      ...PHONE_ARGS,
      fromDay: 'today',
      fromDate: '24.11',
      fromTime: '12:48',
      dueDay: 'today',
      dueDate: '24.11',
      dueTime: '17:00',
    },
  },
  {
    title: 'phone, morning window asked on Friday 16:30 → Monday 08:00–12:00',
    now: FRIDAY_4_30PM,
    choices: { format: 'phone', callMode: 'callback_window', callWindow: 'morning' },
    draft: {
      contactMode: 'phone',
      callMode: 'callback_window',
      callbackWindow: 'morning',
      callbackWindowFrom: belovo('2026-11-30T08:00'),
      callbackDueAt: belovo('2026-11-30T12:00'),
    },
    summary: { format: 'phone', callMode: 'callback_window', callWindow: 'morning' },
    next: 'next-callback-window',
    nextArgs: {
      ...PHONE_ARGS,
      fromDay: 'other',
      fromDate: '30.11',
      fromTime: '08:00',
      dueDay: 'other',
      dueDate: '30.11',
      dueTime: '12:00',
    },
  },
  {
    title: 'in person (the dispatcher calls to agree a time within 2 working hours)',
    now: TUESDAY_10AM,
    choices: { format: 'in_person' },
    draft: { contactMode: 'in_person', callbackDueAt: belovo('2026-11-24T12:00') },
    summary: { format: 'in_person', callMode: 'none', callWindow: 'none' },
    next: 'next-in-person',
    nextArgs: { ...PHONE_ARGS, dueDay: 'today', dueDate: '24.11', dueTime: '12:00' },
  },
  {
    title: 'purpose "other" with a description, in person',
    now: TUESDAY_10AM,
    choices: { purpose: 'other', need: text('Нужна помощь с оформлением пособия'), format: 'in_person' },
    draft: {
      purpose: 'other',
      needText: 'Нужна помощь с оформлением пособия',
      contactMode: 'in_person',
      callbackDueAt: belovo('2026-11-24T12:00'),
    },
    summary: {
      purpose: 'other',
      need: 'Нужна помощь с оформлением пособия',
      format: 'in_person',
      callMode: 'none',
      callWindow: 'none',
    },
    next: 'next-in-person',
    nextArgs: { ...PHONE_ARGS, dueDay: 'today', dueDate: '24.11', dueTime: '12:00' },
  },
];

describe('happy paths', () => {
  describe.each(HAPPY_PATHS)('$title', ({ now, choices, draft, summary, next, nextArgs }) => {
    const expectedDraft = { ...CARD, ...draft };

    it('reaches the summary with the card', () => {
      const { result } = run(intake(choices), { now });
      expect(result.state.step).toBe('confirm');
      expect(keysOf(result)).toEqual(['confirm-summary', 'confirm-question']);
      expect(argsOf(result, 'confirm-summary')).toEqual({
        name: 'Иванова Мария Петровна',
        address: 'г. Белово, ул. Ленина, 5',
        marital: 'married',
        children: 2,
        birthDate: '05.03.1988',
        phone: '+79131234567',
        purpose: 'lawyer',
        need: '—',
        ...summary,
      });
      expect(payloadsOf(result)).toEqual([['confirm:submit'], ['confirm:edit', 'nav:cancel']]);
      expect(result.state.draft).toEqual(expectedDraft);
    });

    it('submits the appeal, then says what happens next and returns to the menu', () => {
      const { result: submitted, results } = run([...intake(choices), tap('confirm:submit')], { now });
      expect(effectTypes(results)).toEqual(['submitAppeal']);
      expect(submitted.messages).toEqual([]);
      expect(submitted.effects).toEqual([{ type: 'submitAppeal', draft: expectedDraft }]);
      expect(submitted.state.step).toBe('confirm'); // until the runtime reports the stored appeal

      const done = step(
        submitted.state,
        { type: 'appealSubmitted', number: '2026-00001', appealId: 7 },
        ctxAt(now),
      );
      // An in-person visit gets the offer to choose a time at once, linked to the new appeal.
      const inPerson = expectedDraft.contactMode === 'in_person';
      expect(keysOf(done)).toEqual(['appeal-accepted', next, ...(inPerson ? ['book-offer'] : []), 'closing']);
      if (inPerson) {
        const role =
          expectedDraft.purpose === 'lawyer'
            ? 'lawyer'
            : expectedDraft.purpose === 'psychologist'
              ? 'psychologist'
              : 'other';
        expect(done.messages[1]?.buttons?.[0]?.[0]?.payload).toBe(`menu:book:${role}`);
      }
      expect(argsOf(done, 'appeal-accepted')).toEqual({ number: '2026-00001' });
      expect(argsOf(done, next)).toEqual(nextArgs);
      expect(argsOf(done, 'closing')).toMatchObject({
        phone: '+7 (38452) 3-06-56',
        hours: 'пн–пт 08:00–17:00 (перерыв 12:00–12:48)',
      });
      expect(payloadsOf(done)).toEqual(
        inPerson ? [[done.messages[1]?.buttons?.[0]?.[0]?.payload], ...MENU_PAYLOADS] : MENU_PAYLOADS,
      );
      expect(done.state).toEqual(inPerson ? { ...initialState(), booking: { appealId: 7 } } : initialState());
      expect(done.effects).toEqual([]);
    });
  });

  it('asks for consent first when there is none, and records it exactly once', () => {
    const { results, result } = run(
      [
        ...intake({ format: 'phone', callMode: 'callback_asap' }).slice(0, 2),
        tap('consent:yes'),
        ...intake({ format: 'phone', callMode: 'callback_asap' }).slice(2),
        tap('confirm:submit'),
      ],
      {
        hasConsent: false,
      },
    );
    expect(keysOf(results[1] as Result)).toEqual(['consent-text']);
    expect(effectTypes(results)).toEqual(['recordConsent', 'submitAppeal']);
    expect(result.effects[0]).toMatchObject({
      type: 'submitAppeal',
      draft: { ...CARD, callMode: 'callback_asap' },
    });
  });

  it('recomputes the promise when submitting later than the summary was shown', () => {
    const { result: summary } = run(intake({ format: 'phone', callMode: 'callback_asap' }), {
      now: TUESDAY_10AM,
    });
    expect(wallClock(summary.state.draft.callbackDueAt)).toBe('Tue 24.11 12:00');
    const later = new Date(TUESDAY_10AM.getTime() + 90 * 60_000); // 11:30: 30 minutes before lunch, 90 after
    const submitted = step(summary.state, tap('confirm:submit'), ctxAt(later));
    const effect = submitted.effects[0];
    expect(effect?.type === 'submitAppeal' && wallClock(effect.draft.callbackDueAt)).toBe('Tue 24.11 14:18');
    const done = step(submitted.state, { type: 'appealSubmitted', number: '2026-00002' }, ctxAt(later));
    expect(argsOf(done, 'next-callback')).toMatchObject({ dueDay: 'today', dueTime: '14:18' });
  });

  it('says "tomorrow" when the morning window has passed', () => {
    const elevenFortyFive = new Date(TUESDAY_10AM.getTime() + 105 * 60_000);
    const { result } = run(
      [
        ...intake({ format: 'phone', callMode: 'callback_window', callWindow: 'morning' }),
        tap('confirm:submit'),
      ],
      {
        now: elevenFortyFive,
      },
    );
    const done = step(
      result.state,
      { type: 'appealSubmitted', number: '2026-00003' },
      ctxAt(elevenFortyFive),
    );
    expect(argsOf(done, 'next-callback-window')).toMatchObject({
      fromDay: 'tomorrow',
      fromTime: '08:00',
      dueDay: 'tomorrow',
      dueTime: '12:00',
    });
  });

  it.each([['да'], ['Всё верно'], ['отправить']])('typed %j at the summary submits', (input) => {
    const { result } = run([...IN_PERSON, text(input)]);
    expect(effectTypes([result])).toEqual(['submitAppeal']);
  });

  it.each([
    [text('что?'), 'error-choose-button'],
    [tap('purpose:lawyer'), 'error-stale-button'],
    [contact('79131234567'), 'error-choose-button'],
  ])('%j at the summary shows it again with %s', (event, error) => {
    const { result: summary } = run(IN_PERSON);
    const after = step(summary.state, event);
    expect(keysOf(after)).toEqual([error, 'confirm-summary', 'confirm-question']);
    expect(after.state).toEqual(summary.state);
    expect(after.effects).toEqual([]);
  });

  it('a summary with a missing answer (old state) asks that question instead of submitting', () => {
    const { phone: _phone, ...withoutPhone } = CARD;
    const old: ConversationState = {
      v: 1,
      step: 'confirm',
      draft: { ...withoutPhone, contactMode: 'in_person' },
      trail: [],
    };
    const result = step(old, tap('confirm:submit'));
    expect(result.effects).toEqual([]);
    expect(keysOf(result)).toEqual(['error-missing-field', 'ask-phone']);
    expect(result.state.step).toBe('phone');
    const answered = step(result.state, ANSWER.phone);
    expect(answered.state.draft.phone).toBe('+79131234567');
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('back, cancel, restart, resume', () => {
  it.each(STEP_IDS.slice(1).map((id) => [id, STEP_IDS[STEP_IDS.indexOf(id) - 1] as StepId]))(
    'back at %s returns to %s, and answering it again comes back',
    (id, previous) => {
      const { result: at } = run(eventsTo(id));
      const back = step(at.state, tap('nav:back'));
      expect(keysOf(back)).toEqual([ASK[previous]]);
      expect(back.state.step).toBe(previous);
      expect(back.state.trail).toEqual(at.state.trail.slice(0, -1));
      expect(back.state.draft).toEqual(at.state.draft); // answers are kept for when they come forward again
      const again = step(back.state, ANSWER[previous]);
      expect(again.state.step).toBe(id);
      expect(again.state.trail).toEqual(at.state.trail);
    },
  );

  it.each([[tap('nav:back')], [text('назад')], [text('Назад!')], [text('/back')]])(
    '%j at the first question goes to the menu and drops the draft',
    (event) => {
      const { result } = run([tap('menu:intake'), event]);
      expect(keysOf(result)).toEqual(['menu-prompt']);
      expect(payloadsOf(result)).toEqual(MENU_PAYLOADS);
      expect(result.state).toEqual(initialState());
    },
  );

  it.each([
    ['in person', IN_PERSON, 'format'],
    ['callback', intake({ format: 'phone', callMode: 'callback_asap' }), 'callMode'],
    [
      'window',
      intake({ format: 'phone', callMode: 'callback_window', callWindow: 'afternoon' }),
      'callWindow',
    ],
  ] as const)('back at the summary (%s) returns to the last question, %s', (_title, events, last) => {
    const { result } = run([...events, tap('nav:back')]);
    expect(result.state.step).toBe(last);
    expect(keysOf(result)).toEqual([ASK[last]]);
  });

  const cancelPoints: Array<[string, FlowEvent[]]> = [
    ...STEP_IDS.map((id): [string, FlowEvent[]] => [id, eventsTo(id)]),
    ['confirm', IN_PERSON],
    ['edit', [...IN_PERSON, tap('confirm:edit')]],
    ['edit of a field', [...IN_PERSON, tap('confirm:edit'), tap('edit:format')]],
    ['resume', [...eventsTo('phone'), START]],
  ];

  it.each(cancelPoints)('cancel at %s drops the draft', (_where, events) => {
    for (const cancel of [tap('nav:cancel'), text('Отмена'), text('стоп')]) {
      const { result } = run([...events, cancel]);
      expect(keysOf(result)).toEqual(['intake-cancelled']);
      expect(payloadsOf(result)).toEqual(MENU_PAYLOADS);
      expect(result.state).toEqual(initialState());
      expect(result.effects).toEqual([]);
    }
  });

  it.each([[text('начать заново')], [text('Заново')], [tap('nav:restart')], [text('/restart')]])(
    '%j mid-intake starts again from the first question with an empty draft',
    (event) => {
      const { result } = run([...eventsTo('phone'), event]);
      expect(keysOf(result)).toEqual(['intake-intro', 'ask-name']);
      expect(result.state).toEqual({ ...initialState(), step: 'name' });
    },
  );

  it('restart without a current consent asks for consent again', () => {
    const { result } = run([...eventsTo('phone')]);
    const restarted = step(result.state, text('начать заново'), ctxAt(TUESDAY_10AM, false));
    expect(keysOf(restarted)).toEqual(['consent-text']);
    expect(restarted.state).toEqual({ ...initialState(), step: 'consent' });
  });

  describe('"start" mid-intake', () => {
    const paused = () => run([...eventsTo('phone'), START]);

    it('asks whether to resume and keeps the draft', () => {
      const { result, results } = paused();
      const before = results.at(-2)?.state;
      expect(keysOf(result)).toEqual(['greeting', 'resume-question']);
      expect(payloadsOf(result)).toEqual([['resume:continue'], ['resume:restart', 'nav:cancel']]);
      expect(result.state).toEqual({ ...before, step: 'resume', pausedAt: 'phone' });
    });

    it.each([[tap('resume:continue')], [text('Продолжить')], [text('да')]])(
      '%j continues at the same step',
      (event) => {
        const { result: resumeAsked, results } = paused();
        const before = results.at(-2)?.state;
        const continued = step(resumeAsked.state, event);
        expect(keysOf(continued)).toEqual(['ask-phone']);
        expect(continued.state).toEqual({ ...before, pausedAt: undefined });
        const answered = step(continued.state, ANSWER.phone);
        expect(answered.state.step).toBe('purpose');
        const { purpose: _notYetAsked, ...upToPhone } = CARD;
        expect(answered.state.draft).toEqual(upToPhone);
      },
    );

    it('"назад" at the resume question keeps the draft and asks again', () => {
      const { result: resumeAsked } = paused();
      const after = step(resumeAsked.state, text('назад'));
      expect(keysOf(after)).toEqual(['resume-question']);
      expect(after.state).toEqual(resumeAsked.state);
    });

    it('restart begins with the first question and an empty draft', () => {
      const { result } = run([...eventsTo('phone'), START, tap('resume:restart')]);
      expect(keysOf(result)).toEqual(['intake-intro', 'ask-name']);
      expect(result.state).toEqual({ ...initialState(), step: 'name' });
    });

    it('"start" or "меню" again keeps asking, with the same paused step', () => {
      for (const again of [START, text('меню')]) {
        const { result } = run([...eventsTo('phone'), START, again]);
        expect(keysOf(result).at(-1)).toBe('resume-question');
        expect(result.state.pausedAt).toBe('phone');
      }
    });

    it.each([
      [text('не знаю'), 'error-choose-button'],
      [tap('phone:x'), 'error-stale-button'],
    ])('%j at the resume question is re-asked with %s', (event, error) => {
      const { result } = run([...eventsTo('phone'), START, event]);
      expect(keysOf(result)).toEqual([error, 'resume-question']);
      expect(result.state.step).toBe('resume');
    });

    it.each([
      ['the summary', IN_PERSON, ['confirm-summary', 'confirm-question']],
      ['the field list', [...IN_PERSON, tap('confirm:edit')], ['edit-which']],
      ['a field being edited', [...IN_PERSON, tap('confirm:edit'), tap('edit:name')], ['ask-name']],
    ] as const)('resumes at %s', (_where, events, keys) => {
      const { result, results } = run([...events, START, tap('resume:continue')]);
      expect(keysOf(result)).toEqual(keys);
      expect(result.state).toEqual({ ...results.at(-3)?.state, pausedAt: undefined });
    });
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('editing from the summary', () => {
  const summaryArgsOf = (result: Result) => argsOf(result, 'confirm-summary');

  it('lists the editable fields', () => {
    const { result } = run([...IN_PERSON, tap('confirm:edit')]);
    expect(keysOf(result)).toEqual(['edit-which']);
    expect(payloadsOf(result)).toEqual([
      ['edit:name', 'edit:address'],
      ['edit:marital', 'edit:children'],
      ['edit:birthDate', 'edit:phone'],
      ['edit:purpose', 'edit:format'],
      ['edit:summary'],
    ]);
    expect(result.state.step).toBe('edit');
    expect(run([...IN_PERSON, text('исправить')]).result.state.step).toBe('edit');
  });

  it.each([
    [
      'name',
      text('петрова анна сергеевна'),
      { name: 'Петрова Анна Сергеевна' },
      { fullName: 'Петрова Анна Сергеевна' },
    ],
    [
      'address',
      text('пгт Инской, ул. Ильича, 1'),
      { address: 'пгт Инской, ул. Ильича, 1' },
      { address: 'пгт Инской, ул. Ильича, 1' },
    ],
    ['marital', tap('marital:not_married'), { marital: 'not_married' }, { maritalStatus: 'not_married' }],
    ['children', text('трое'), { children: 3 }, { minorChildren: 3 }],
    ['birthDate', text('01.02.1990'), { birthDate: '01.02.1990' }, { birthDate: '1990-02-01' }],
    ['phone', contact('79991234567'), { phone: '+79991234567' }, { phone: '+79991234567' }],
  ] as const)(
    '%s: answer once, back to the summary with the new value',
    (field, answer, summaryPatch, draftPatch) => {
      const { result: summary } = run(IN_PERSON);
      const { result: asked } = run([tap('confirm:edit'), tap(`edit:${field}`)], { from: summary.state });
      expect(keysOf(asked)).toEqual([ASK[field]]);
      expect(asked.state.editQueue).toEqual([]);
      const edited = step(asked.state, answer);
      // A phone number is echoed back in its normalised form before the summary.
      const echo = field === 'phone' ? ['phone-saved'] : [];
      expect(keysOf(edited)).toEqual([...echo, 'confirm-summary', 'confirm-question']);
      expect(summaryArgsOf(edited)).toEqual({ ...summaryArgsOf(summary), ...summaryPatch });
      expect(edited.state.step).toBe('confirm');
      expect(edited.state.editQueue).toBeUndefined();
      expect(edited.state.draft).toEqual({ ...summary.state.draft, ...draftPatch });
      const submitted = step(edited.state, tap('confirm:submit'));
      expect(submitted.effects).toEqual([
        { type: 'submitAppeal', draft: { ...summary.state.draft, ...draftPatch } },
      ]);
    },
  );

  it('a bad answer while editing is re-asked, still in edit mode', () => {
    const { result } = run([...IN_PERSON, tap('confirm:edit'), tap('edit:name'), text('Петрова')]);
    expect(keysOf(result)).toEqual(['error-name-too-short', 'ask-name']);
    expect(result.state.step).toBe('name');
    expect(result.state.editQueue).toEqual([]);
  });

  it('format in person → phone walks through the call mode and window, then back to the summary', () => {
    const { result: summary } = run(IN_PERSON);
    const { results, result } = run(
      [
        tap('confirm:edit'),
        tap('edit:format'),
        tap('format:phone'),
        tap('callMode:callback_window'),
        tap('callWindow:afternoon'),
      ],
      { from: summary.state },
    );
    expect(results.map((r) => r.state.step)).toEqual(['edit', 'format', 'callMode', 'callWindow', 'confirm']);
    expect(results.map((r) => keysOf(r).at(-1))).toEqual([
      'edit-which',
      'ask-format',
      'ask-call-mode',
      'ask-call-window',
      'confirm-question',
    ]);
    expect(summaryArgsOf(result)).toEqual({
      ...summaryArgsOf(summary),
      format: 'phone',
      callMode: 'callback_window',
      callWindow: 'afternoon',
    });
    expect(result.state.editQueue).toBeUndefined();
    expect(wallClock(result.state.draft.callbackWindowFrom)).toBe('Tue 24.11 12:48');
    expect(wallClock(result.state.draft.callbackDueAt)).toBe('Tue 24.11 17:00');
  });

  it('format in person → phone with "call me back" skips the window question', () => {
    const { results, result } = run([
      ...IN_PERSON,
      tap('confirm:edit'),
      tap('edit:format'),
      tap('format:phone'),
      tap('callMode:callback_asap'),
    ]);
    expect(results.slice(-2).map((r) => r.state.step)).toEqual(['callMode', 'confirm']);
    expect(summaryArgsOf(result)).toMatchObject({
      format: 'phone',
      callMode: 'callback_asap',
      callWindow: 'none',
    });
    expect(wallClock(result.state.draft.callbackDueAt)).toBe('Tue 24.11 12:00');
  });

  it('format phone (window) → in person clears the call details and returns straight to the summary', () => {
    const { result: summary } = run(
      intake({ format: 'phone', callMode: 'callback_window', callWindow: 'afternoon' }),
    );
    const { result } = run([tap('confirm:edit'), tap('edit:format'), tap('format:in_person')], {
      from: summary.state,
    });
    expect(result.state.step).toBe('confirm');
    expect(summaryArgsOf(result)).toMatchObject({
      format: 'in_person',
      callMode: 'none',
      callWindow: 'none',
    });
    expect(result.state.draft).toMatchObject({
      contactMode: 'in_person',
      callMode: undefined,
      callbackWindow: undefined,
      callbackWindowFrom: undefined,
    });
    expect(wallClock(result.state.draft.callbackDueAt)).toBe('Tue 24.11 12:00');
  });

  it('purpose → "other" asks for the now required description, then returns to the summary', () => {
    const { results, result } = run([
      ...IN_PERSON,
      tap('confirm:edit'),
      tap('edit:purpose'),
      tap('purpose:other'),
      text('Нужна помощь с пособием'),
    ]);
    expect(keysOf(results.at(-2) as Result)).toEqual(['ask-need-required']);
    expect(result.state.step).toBe('confirm');
    expect(summaryArgsOf(result)).toMatchObject({ purpose: 'other', need: 'Нужна помощь с пособием' });
  });

  it('back while editing a field returns to the summary with the old value', () => {
    const { result: summary } = run(IN_PERSON);
    const { result } = run([tap('confirm:edit'), tap('edit:name'), tap('nav:back')], { from: summary.state });
    expect(keysOf(result)).toEqual(['confirm-summary', 'confirm-question']);
    expect(summaryArgsOf(result)).toEqual(summaryArgsOf(summary));
    expect(result.state.step).toBe('confirm');
    expect(result.state.editQueue).toBeUndefined();
    expect(result.state.draft).toEqual(summary.state.draft);
  });

  it('back at a dependent step of an edit returns to the summary (phone/chat → phone keeps the call mode)', () => {
    const { result: summary } = run(intake({ format: 'phone', callMode: 'chat_now' }));
    const { result } = run([tap('confirm:edit'), tap('edit:format'), tap('format:phone'), tap('nav:back')], {
      from: summary.state,
    });
    expect(result.state.step).toBe('confirm');
    expect(result.state.editQueue).toBeUndefined();
    expect(summaryArgsOf(result)).toEqual(summaryArgsOf(summary));
  });

  it('back half-way through changing in person → phone restores the whole old card', () => {
    const { result: summary } = run(IN_PERSON);
    const { result } = run([tap('confirm:edit'), tap('edit:format'), tap('format:phone'), tap('nav:back')], {
      from: summary.state,
    });
    expect(result.state.step).toBe('confirm');
    expect(result.state.draft).toEqual(summary.state.draft);
    expect(result.state.draft.contactMode).toBe('in_person');
    expect(result.state.editBackup).toBeUndefined();
    expect(summaryArgsOf(result)).toEqual(summaryArgsOf(summary));
  });

  it('a finished correction drops the backup', () => {
    const { result: summary } = run(IN_PERSON);
    const { result } = run(
      [tap('confirm:edit'), tap('edit:format'), tap('format:phone'), tap('callMode:callback_asap')],
      {
        from: summary.state,
      },
    );
    expect(result.state.step).toBe('confirm');
    expect(result.state.draft).toMatchObject({ contactMode: 'phone', callMode: 'callback_asap' });
    expect(result.state.editBackup).toBeUndefined();
  });

  it.each([[tap('edit:summary')], [tap('nav:back')]])(
    '%j at the field list returns to the summary unchanged',
    (event) => {
      const { result: summary } = run(IN_PERSON);
      const { result } = run([tap('confirm:edit'), event], { from: summary.state });
      expect(keysOf(result)).toEqual(['confirm-summary', 'confirm-question']);
      expect(result.state).toEqual(summary.state);
    },
  );

  it.each([
    [text('имя'), 'error-choose-button'],
    [tap('edit:need'), 'error-stale-button'], // not an editable field
    [tap('purpose:lawyer'), 'error-stale-button'],
  ])('%j at the field list is re-asked with %s', (event, error) => {
    const { result: list } = run([...IN_PERSON, tap('confirm:edit')]);
    const after = step(list.state, event);
    expect(keysOf(after)).toEqual([error, 'edit-which']);
    expect(after.state).toEqual(list.state);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('deleting my data', () => {
  it.each([[tap('delete:yes')], [text('да')], [text('Да, удалить')]])(
    '%j asks the runtime to delete',
    (event) => {
      const { result } = run([tap('menu:delete'), NOTHING_TO_CANCEL, event]);
      expect(result.effects).toEqual([{ type: 'deleteMyData' }]);
      expect(result.messages).toEqual([]);
      expect(result.state).toEqual(initialState());
    },
  );

  it('reports what was deleted when the runtime is done', () => {
    const { result } = run([
      tap('menu:delete'),
      NOTHING_TO_CANCEL,
      tap('delete:yes'),
      { type: 'dataDeleted', appeals: 2 },
    ]);
    expect(keysOf(result)).toEqual(['delete-done']);
    expect(argsOf(result, 'delete-done')).toEqual({ appeals: 2 });
    expect(payloadsOf(result)).toEqual(MENU_PAYLOADS);
    expect(result.state).toEqual(initialState());
  });

  it('deleting mid-intake is not possible without leaving it, and deletion resets everything', () => {
    const { state } = run(eventsTo('phone'));
    const done = step(state, { type: 'dataDeleted', appeals: 0 });
    expect(done.state).toEqual(initialState());
  });

  it.each([[tap('delete:no')], [text('нет')], [text('Не надо')]])('%j keeps the data', (event) => {
    const { result } = run([tap('menu:delete'), NOTHING_TO_CANCEL, event]);
    expect(keysOf(result)).toEqual(['delete-kept']);
    expect(result.effects).toEqual([]);
    expect(result.state).toEqual(initialState());
  });

  it.each([
    [text('подумаю'), 'error-choose-button'],
    [tap('consent:yes'), 'error-stale-button'],
  ])('%j at the delete question is re-asked with %s', (event, error) => {
    const { result } = run([tap('menu:delete'), NOTHING_TO_CANCEL, event]);
    expect(keysOf(result)).toEqual([error, 'delete-question', 'delete-cancels-nothing']);
    expect(result.state.step).toBe('deleteConfirm');
    expect(result.effects).toEqual([]);
  });
});

describe('crisis messages (safety.md)', () => {
  const HELP_ARGS = {
    center: 'Семейная диспетчерская «Открытая дверь»',
    phone: '+7 (38452) 3-06-56',
    hours: 'пн–пт 08:00–17:00 (перерыв 12:00–12:48)',
  };

  /**
   * Help first, then — in one message — who gets in touch and when, and exactly the question the person was
   * on (not the same question "as if nothing happened"). Nothing else changes, except that an intake in
   * progress is marked urgent (crisis.test.ts walks the description being kept).
   */
  function expectCrisisAnswer(from: ConversationState, input: string, signal: string, hasConsent = true) {
    const question = handleEvent(from, text('/help'), ctxAt(TUESDAY_10AM, hasConsent)).messages.at(-1);
    const { result } = run([text(input)], { from, hasConsent });
    expect(keysOf(result)[0]).toBe('crisis-help');
    expect(argsOf(result, 'crisis-help')).toMatchObject(HELP_ARGS);
    expect(result.messages).toHaveLength(2);
    const lead = [
      'crisis-alerted',
      'crisis-contact-open',
      ...(from.step === 'menu' ? [] : ['crisis-continue']),
    ];
    expect(result.messages[1]).toEqual({
      ...question,
      parts: [...lead.map((key) => ({ key })), ...(question?.parts ?? [])],
    });
    const inIntake =
      (STEP_IDS as readonly string[]).includes(from.step) ||
      ['confirm', 'consent', 'story', 'knownConfirm', 'resume'].includes(from.step);
    expect(result.state).toEqual(inIntake ? { ...from, draft: { ...from.draft, urgent: true } } : from);
    expect(result.effects).toEqual([{ type: 'raiseUrgent', signal }]);
    return result;
  }

  it('mid-intake at the address question: help, then the address question again, draft kept', () => {
    const { state } = run(eventsTo('address'));
    expect(state.step).toBe('address');
    const result = expectCrisisAnswer(state, 'Муж бьёт меня, я ушла из дома с детьми', 'violence');
    expect(keysOf(result).slice(1)).toEqual([
      'crisis-alerted',
      'crisis-contact-open',
      'crisis-continue',
      'ask-address',
    ]);
    expect(result.state.draft).toEqual({ fullName: CARD.fullName, urgent: true });
    // The intake goes on from where it was.
    const next = step(result.state, ANSWER.address);
    expect(next.state.draft.address).toBe(CARD.address);
    expect(keysOf(next)).toEqual(['ask-marital']);
  });

  it('in the menu: help, then the menu', () => {
    const result = expectCrisisAnswer(initialState(), 'я не хочу больше жить', 'suicide', false);
    expect(keysOf(result)).toEqual(['crisis-help', 'crisis-alerted', 'crisis-contact-open', 'menu-prompt']);
    expect(payloadsOf(result)).toEqual(MENU_PAYLOADS);
  });

  it('at the consent question: nothing is recorded or stored, the consent question is asked again', () => {
    const { state } = run([tap('menu:intake'), tap('story:skip')], { hasConsent: false });
    expect(state.step).toBe('consent');
    const result = expectCrisisAnswer(state, 'Помогите, ребёнок пропал', 'child_danger', false);
    expect(keysOf(result)).toEqual([
      'crisis-help',
      'crisis-alerted',
      'crisis-contact-open',
      'crisis-continue',
      'consent-text',
    ]);
    expect(JSON.stringify(result.state)).not.toContain('пропал');
  });

  it('works in the summary and in booking too', () => {
    const summary = run(intake({ format: 'phone', callMode: 'callback_asap' })).state;
    expect(summary.step).toBe('confirm');
    expectCrisisAnswer(summary, 'у нас пожар', 'emergency');
    const booking = run([tap('menu:book')]).state;
    expectCrisisAnswer(booking, 'умерла мама, не могу', 'loss');
  });

  it('never promises a visit or asks for documents, in both languages', () => {
    const translator = new Translator();
    const ru = translator.t('ru', { key: 'crisis-help', args: HELP_ARGS });
    expect(ru).toContain('112');
    // The three helplines, in the international form Telegram and VK make tappable.
    expect(ru).toContain('+7 800 2000-122');
    expect(ru).toContain('+7 800 7000-600');
    expect(ru).toContain('+7 (38452) 3-06-56');
    expect(ru).not.toMatch(/приед|выезд|визит|пришлите|загрузите/i);
    const en = translator.t('en', { key: 'crisis-help', args: HELP_ARGS });
    expect(en).toContain('112');
    expect(en).toContain('+7 800 2000-122');
    expect(en).toContain('+7 800 7000-600');
    expect(en).not.toMatch(/visit|upload|send us/i);
  });

  it('a look-alike is an ordinary answer', () => {
    const { state } = run(eventsTo('need'));
    const result = step(state, text('жить негде, нужна помощь с жильём'));
    expect(keysOf(result)).not.toContain('crisis-help');
    expect(result.effects).toEqual([]);
  });
});
