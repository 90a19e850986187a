import { describe, expect, it } from 'vitest';
import {
  type ConversationState,
  ConversationStateSchema,
  handleEvent,
  initialState,
} from '../../flows/assistant.ts';
import type { FlowContext, FlowEvent, FlowResult, Msg } from '../../flows/types.ts';
import { loadBelovo, TUESDAY_10AM } from '../support/fixtures.ts';

const center = await loadBelovo();
const ctx = (hasConsent = true): FlowContext => ({ now: TUESDAY_10AM, center, locale: 'ru', hasConsent });
const tap = (payload: string): FlowEvent => ({ type: 'button', payload });
const text = (value: string): FlowEvent => ({ type: 'text', text: value });

type Result = FlowResult<ConversationState>;

/** Folds events through the pure flow; every state must survive the JSON round trip the runtime does. */
function run(events: FlowEvent[], from: ConversationState = initialState(), hasConsent = true): Result {
  let state = from;
  let result: Result | undefined;
  for (const event of events) {
    result = handleEvent(state, event, ctx(hasConsent));
    expect(ConversationStateSchema.parse(JSON.parse(JSON.stringify(result.state)))).toEqual(result.state);
    state = result.state;
  }
  if (!result) throw new Error('no events');
  return result;
}
const keys = (result: Result) =>
  result.messages.flatMap((m) => m.parts.flatMap((p) => (Array.isArray(p) ? p : [p])).map((p: Msg) => p.key));
const payloads = (result: Result) =>
  result.messages.flatMap((m) => m.buttons?.flat() ?? []).map((b) => b.payload);

const TWO: FlowEvent = {
  type: 'openAppealsListed',
  appeals: [
    { id: 7, number: '2026-00007' },
    { id: 3, number: '2026-00003' },
  ],
};

describe('«Сообщить о результате» flow', () => {
  it('asks the runtime for open appeals, offers a choice, then the four answers', () => {
    const listed = run([tap('menu:progress')]);
    expect(listed.effects).toEqual([{ type: 'listOpenAppeals' }]);
    const choose = run([tap('menu:progress'), TWO]);
    expect(choose.state.step).toBe('progressChoose');
    expect(payloads(choose)).toEqual(['progress:appeal:7', 'progress:appeal:3']);
    const asked = run([tap('menu:progress'), TWO, tap('progress:appeal:3')]);
    expect(asked.state.step).toBe('progressAnswer');
    expect(payloads(asked)).toEqual(['fu:3:yes', 'fu:3:partly', 'fu:3:no', 'fu:3:help']);
    // A forged choice is not taken.
    const forged = run([tap('menu:progress'), TWO, tap('progress:appeal:99')]);
    expect(forged.state.step).toBe('progressChoose');
    expect(keys(forged)[0]).toBe('error-stale-button');
  });

  it('understands typed answers, and asks again when it cannot', () => {
    const one: FlowEvent = { type: 'openAppealsListed', appeals: [{ id: 3, number: '2026-00003' }] };
    const cases: Array<[string, string]> = [
      ['Да, всё решилось', 'yes'],
      ['частично', 'partly'],
      ['Нет', 'no'],
      ['не решился', 'no'],
      ['нужна помощь', 'help'],
    ];
    for (const [typed, answer] of cases) {
      expect(run([tap('menu:progress'), one, text(typed)]).effects, typed).toEqual([
        { type: 'progressAnswer', appealId: 3, answer },
      ]);
    }
    const unclear = run([tap('menu:progress'), one, text('даже не знаю')]);
    expect(unclear.effects).toEqual([]);
    expect(keys(unclear)).toEqual(['error-choose-button', 'progress-question']);
  });

  it('after the answer: the comment with consent; a crisis message in it gets help, not stored', () => {
    const one: FlowEvent = { type: 'openAppealsListed', appeals: [{ id: 3, number: '2026-00003' }] };
    const recorded = {
      type: 'progressRecorded',
      ok: true,
      appealId: 3,
      number: '2026-00003',
      answer: 'no',
    } as const satisfies FlowEvent;
    const asked = run([tap('menu:progress'), one, tap('fu:3:no'), recorded]);
    expect(asked.state.step).toBe('progressComment');
    expect(keys(asked)).toEqual(['progress-thanks', 'progress-dispatcher', 'progress-comment-ask']);
    const crisis = run([text('не хочу жить')], asked.state);
    expect(crisis.effects.map((effect) => effect.type)).toEqual(['raiseUrgent']);
    expect(crisis.state.step).toBe('progressComment');
    const comment = run([text('Стало лучше')], asked.state);
    expect(comment.effects).toEqual([{ type: 'progressComment', appealId: 3, text: 'Стало лучше' }]);
    expect(run([text('меню')], asked.state).state.step).toBe('menu');
    // Without consent there is no comment step: straight back to the menu.
    const noConsent = run([tap('fu:3:yes'), { ...recorded, answer: 'yes' }], initialState(), false);
    expect(noConsent.state.step).toBe('menu');
    expect(keys(noConsent)).toEqual(['progress-thanks']);
    expect(payloads(noConsent)).toContain('menu:progress');
  });

  it('takes the answer buttons at any step without moving the conversation', () => {
    const intake = run([tap('menu:intake'), tap('story:skip'), tap('consent:yes')], initialState(), false);
    const tapped = run([tap('fu:5:partly')], intake.state);
    expect(tapped.effects).toEqual([{ type: 'progressAnswer', appealId: 5, answer: 'partly' }]);
    const back = run(
      [{ type: 'progressRecorded', ok: true, appealId: 5, number: '2026-00005', answer: 'partly' }],
      tapped.state,
    );
    expect(back.state.step).toBe(intake.state.step);
    expect(keys(back)).toEqual(['progress-thanks', 'ask-name']);
  });
});
