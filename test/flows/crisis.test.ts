import { describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { type ConversationState, handleEvent, initialState } from '../../flows/assistant.ts';
import type { FlowContext, FlowEvent, FlowResult, Msg, OutboundMessage } from '../../flows/types.ts';
import { loadBelovo, SATURDAY_11AM, TUESDAY_10AM } from '../support/fixtures.ts';

/**
 * Issue 11 §4: a crisis text typed as the family's own words for the appeal is kept as the description (after
 * consent), the draft is urgent and the intake moves on — no loop of the same question. Elsewhere the family
 * learns who gets in touch and when, and the step's question follows once.
 */

const center = await loadBelovo();
const translator = new Translator();
type Result = FlowResult<ConversationState>;

const text = (value: string): FlowEvent => ({ type: 'text', text: value });
const tap = (payload: string): FlowEvent => ({ type: 'button', payload });
const ctxAt = (now: Date = TUESDAY_10AM, hasConsent = true): FlowContext => ({
  now,
  center,
  locale: 'ru',
  hasConsent,
});

const CRISIS = 'Муж бьёт меня и детей, боюсь идти домой';

/** The answers up to the purpose question (consent already given). */
const TO_PURPOSE: FlowEvent[] = [
  tap('menu:intake'),
  tap('story:skip'),
  text('Иванова Мария Петровна'),
  text('г. Белово, ул. Ленина, 5'),
  tap('marital:married'),
  tap('children:2'),
  text('05.03.1988'),
  text('8 (913) 123-45-67'),
];

/** One event, and — like the runtime — the answer to loadKnownData (a family without stored data). */
function handle(state: ConversationState, event: FlowEvent, ctx: FlowContext): Result {
  const result = handleEvent(state, event, ctx);
  if (!result.effects.some((effect) => effect.type === 'loadKnownData')) return result;
  const known = handleEvent(result.state, { type: 'knownData' }, ctx);
  return {
    state: known.state,
    messages: [...result.messages, ...known.messages],
    effects: [...result.effects.filter((effect) => effect.type !== 'loadKnownData'), ...known.effects],
  };
}

function run(events: FlowEvent[], ctx: FlowContext = ctxAt(), from: ConversationState = initialState()) {
  let state = from;
  let result: Result | undefined;
  for (const event of events) {
    result = handle(state, event, ctx);
    state = result.state;
  }
  if (!result) throw new Error('no events');
  return result;
}

const partsOf = (message: OutboundMessage): Msg[] =>
  message.parts.flatMap((part) => (Array.isArray(part) ? part : [part]));
const keysOf = (message: OutboundMessage | undefined) =>
  message ? partsOf(message).map((part) => part.key) : [];

describe('a crisis text as the description', () => {
  it('is kept as the description, marks the draft urgent and moves on to the next question', () => {
    const atNeed = run([...TO_PURPOSE, tap('purpose:psychologist')]).state;
    expect(atNeed.step).toBe('need');
    const result = handleEvent(atNeed, text(CRISIS), ctxAt());

    expect(result.state.step).toBe('format');
    expect(result.state.draft).toMatchObject({ needText: CRISIS, urgent: true, purpose: 'psychologist' });
    expect(result.state.trail.at(-1)).toBe('need');
    expect(result.messages).toHaveLength(2);
    expect(keysOf(result.messages[0])).toEqual(['crisis-help']);
    // Who and when, then the next question — not the description question again.
    expect(keysOf(result.messages[1])).toEqual(['crisis-kept', 'crisis-contact-open', 'ask-format']);
    expect(result.messages[1]?.buttons?.[0]?.map((button) => button.payload)).toEqual([
      'format:phone',
      'format:in_person',
    ]);
    expect(result.effects).toEqual([{ type: 'raiseUrgent', signal: 'violence' }]);

    // The intake goes on and the appeal is sent with the description and the urgent flag.
    const sent = run(
      [tap('format:phone'), tap('callMode:callback_asap'), tap('confirm:submit')],
      ctxAt(),
      result.state,
    );
    const submit = sent.effects.find((effect) => effect.type === 'submitAppeal');
    expect(submit).toMatchObject({ draft: { needText: CRISIS, urgent: true } });
    expect(sent.effects.filter((effect) => effect.type === 'raiseUrgent')).toEqual([]);
  });

  it('for the purpose "other", where the description is required', () => {
    const atNeed = run([...TO_PURPOSE, tap('purpose:other')]).state;
    expect(keysOf(handleEvent(atNeed, text('/help'), ctxAt()).messages.at(-1))).toContain(
      'ask-need-required',
    );
    const result = handleEvent(atNeed, text('не хочу больше жить, не знаю что делать'), ctxAt());
    expect(result.state.step).toBe('format');
    expect(result.state.draft).toMatchObject({ purpose: 'other', urgent: true });
    expect(result.state.draft.needText).toBe('не хочу больше жить, не знаю что делать');
    expect(result.effects).toEqual([{ type: 'raiseUrgent', signal: 'suicide' }]);
  });

  it('typed at the purpose question: the purpose is "other", the words its description', () => {
    const atPurpose = run(TO_PURPOSE).state;
    expect(atPurpose.step).toBe('purpose');
    const result = handleEvent(atPurpose, text(CRISIS), ctxAt());
    expect(result.state.step).toBe('format');
    expect(result.state.draft).toMatchObject({ purpose: 'other', needText: CRISIS, urgent: true });
    expect(keysOf(result.messages[1])).toEqual(['crisis-kept', 'crisis-contact-open', 'ask-format']);
    // "Back" returns to the purpose question.
    const back = handleEvent(result.state, tap('nav:back'), ctxAt());
    expect(back.state.step).toBe('purpose');
  });

  it('typed at the purpose question after a story: added to the story, the description question skipped', () => {
    const story = 'Нужна консультация по алиментам';
    const atPurpose = run([tap('menu:intake'), text(story), ...TO_PURPOSE.slice(2)]).state;
    expect(atPurpose.step).toBe('purpose');
    expect(atPurpose.draft.needText).toBe(story);
    const result = handleEvent(atPurpose, text(CRISIS), ctxAt());
    expect(result.state.step).toBe('format');
    expect(result.state.draft).toMatchObject({ needText: `${story}\n${CRISIS}`, urgent: true });
    expect(result.state.draft.purpose).toBe(atPurpose.suggestedPurpose ?? 'other');
  });

  it('while correcting the purpose from the summary: back to the summary, description kept', () => {
    const summary = run([
      ...TO_PURPOSE,
      tap('purpose:lawyer'),
      tap('need:skip'),
      tap('format:phone'),
      tap('callMode:callback_asap'),
    ]).state;
    expect(summary.step).toBe('confirm');
    const editing = run([tap('confirm:edit'), tap('edit:purpose')], ctxAt(), summary).state;
    const result = handleEvent(editing, text(CRISIS), ctxAt());
    expect(result.state.step).toBe('confirm');
    expect(result.state.draft).toMatchObject({ purpose: 'other', needText: CRISIS, urgent: true });
    expect(keysOf(result.messages[1]).slice(0, 3)).toEqual([
      'crisis-kept',
      'crisis-contact-open',
      'confirm-summary',
    ]);
    expect(translator.render('ru', result.messages[1] as OutboundMessage).text).toContain(
      `Описание: ${CRISIS}`,
    );
  });

  it('is not kept without consent, nor when it cannot be a description (over 1000 characters)', () => {
    const atNeed = run([...TO_PURPOSE, tap('purpose:psychologist')]).state;
    const noConsent = handleEvent(atNeed, text(CRISIS), ctxAt(TUESDAY_10AM, false));
    expect(JSON.stringify(noConsent.state)).not.toContain('бьёт');
    expect(noConsent.state.step).toBe('need');

    const long = `${CRISIS}. ${'очень тяжело. '.repeat(80)}`;
    const tooLong = handleEvent(atNeed, text(long), ctxAt());
    expect(tooLong.state.step).toBe('need');
    expect(tooLong.state.draft.needText).toBeUndefined();
    expect(tooLong.state.draft.urgent).toBe(true);
    expect(keysOf(tooLong.messages[1])).toEqual([
      'crisis-alerted',
      'crisis-contact-open',
      'crisis-continue',
      'ask-need-optional',
    ]);
  });
});

describe('a crisis text as the story («Чем я могу Вам помочь?»)', () => {
  it('with consent: the story is the description, the intake goes on to the first question', () => {
    const atStory = run([tap('menu:intake')]).state;
    expect(atStory.step).toBe('story');
    const result = handle(atStory, text(CRISIS), ctxAt());
    expect(result.state.step).toBe('name');
    expect(result.state.draft).toMatchObject({ needText: CRISIS, urgent: true });
    expect(keysOf(result.messages[0])).toEqual(['crisis-help']);
    const keys = result.messages.slice(1).flatMap(keysOf);
    expect(keys.slice(0, 2)).toEqual(['crisis-kept', 'crisis-contact-open']);
    expect(keys.at(-1)).toBe('ask-name');
    expect(keys).not.toContain('ask-story');
    expect(result.effects).toEqual([{ type: 'raiseUrgent', signal: 'violence' }]);
  });

  it('without consent: not kept, no story question again — on to the consent; urgent survives consent', () => {
    const ctx = ctxAt(TUESDAY_10AM, false);
    const atStory = run([tap('menu:intake')], ctx).state;
    const result = handle(atStory, text(CRISIS), ctx);
    expect(result.state.step).toBe('consent');
    expect(JSON.stringify(result.state)).not.toContain('бьёт');
    expect(result.state.pendingText).toBeUndefined();
    expect(keysOf(result.messages[1])).toEqual([
      'crisis-alerted',
      'crisis-contact-open',
      'crisis-continue',
      ...keysOf(handleEvent(result.state, text('/help'), ctx).messages.at(-1)),
    ]);
    const agreed = handle(result.state, tap('consent:yes'), { ...ctx, hasConsent: true });
    expect(agreed.state.step).toBe('name');
    expect(agreed.state.draft).toEqual({ urgent: true });
  });
});

describe('a crisis text elsewhere', () => {
  it('no loop: each crisis message gets help and the step question once, and the intake goes on', () => {
    const atName = run([tap('menu:intake'), tap('story:skip')]).state;
    expect(atName.step).toBe('name');
    const first = handleEvent(atName, text(CRISIS), ctxAt());
    expect(first.messages).toHaveLength(2);
    expect(first.messages.flatMap(keysOf).filter((key) => key === 'ask-name')).toHaveLength(1);
    expect(first.state.draft).toEqual({ urgent: true });
    // The name is answered as usual: the crisis did not hold the conversation.
    const named = handleEvent(first.state, text('Иванова Мария Петровна'), ctxAt());
    expect(named.state.step).toBe('address');
    expect(named.state.draft).toMatchObject({ fullName: 'Иванова Мария Петровна', urgent: true });
  });

  it('a paused intake ("resume?") is marked urgent too; the resume question follows', () => {
    const paused = run([
      tap('menu:intake'),
      tap('story:skip'),
      text('Иванова Мария Петровна'),
      text('меню'),
    ]).state;
    expect(paused.step).toBe('resume');
    const result = handleEvent(paused, text(CRISIS), ctxAt());
    expect(result.state).toEqual({ ...paused, draft: { ...paused.draft, urgent: true } });
    expect(keysOf(result.messages[1]).at(-1)).toBe('resume-question');
  });

  it('outside working hours: says when the center opens and that the helplines work 24/7', () => {
    const result = handleEvent(initialState(), text(CRISIS), ctxAt(SATURDAY_11AM));
    expect(keysOf(result.messages[1]).slice(0, 2)).toEqual(['crisis-alerted', 'crisis-contact-closed']);
    const ru = translator.render('ru', result.messages[1] as OutboundMessage).text;
    // Saturday 11:00 in Belovo → Monday 30.11 at 08:00.
    expect(ru).toContain('после открытия — 30.11 с 08:00');
    expect(ru).toContain('работают круглосуточно');
    const en = translator.render('en', result.messages[1] as OutboundMessage).text;
    expect(en).toContain('on 30.11 from 08:00');
    expect(en).toContain('24/7');
  });

  it('in working hours: a dispatcher gets in touch as soon as possible today', () => {
    const result = handleEvent(initialState(), text(CRISIS), ctxAt(TUESDAY_10AM));
    const ru = translator.render('ru', result.messages[1] as OutboundMessage).text;
    expect(ru).toContain('Я передала диспетчерам центра срочный сигнал.');
    expect(ru).toContain('Диспетчер свяжется с Вами как можно скорее, сегодня в рабочее время центра.');
    expect(result.state).toEqual(initialState());
  });

  it('the help names 112 and the three helplines, with the center, in both languages', () => {
    const result = handleEvent(initialState(), text(CRISIS), ctxAt());
    for (const locale of ['ru', 'en'] as const) {
      const help = translator.render(locale, result.messages[0] as OutboundMessage).text;
      expect(help).toContain('112');
      expect(help).toContain('+7 800 2000-122');
      expect(help).toContain('+7 800 7000-600');
      expect(help).toContain(center.phone);
    }
  });
});
