import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { type ConversationState, handleEvent, initialState } from '../../flows/assistant.ts';
import type { FlowContext, FlowEvent, OutboundMessage, SlotInfo } from '../../flows/types.ts';
import { loadBelovo } from '../support/fixtures.ts';

const belovo = await loadBelovo();
const translator = new Translator((key, error) => {
  throw new Error(`${key}: ${error.message}`);
});
const ZONE = 'Asia/Novokuznetsk';
/** Tuesday 24 November 2026, 10:00 in Belovo. */
const NOW = DateTime.fromISO('2026-11-24T10:00', { zone: ZONE }).toJSDate();
const ctx = (locale: 'ru' | 'en' = 'ru'): FlowContext => ({
  now: NOW,
  center: belovo,
  locale,
  hasConsent: true,
});
const iso = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO() ?? '';
const slot = (specialistId: string, from: string, to: string): SlotInfo => ({
  specialistId,
  startsAt: iso(from),
  endsAt: iso(to),
});
const tap = (payload: string): FlowEvent => ({ type: 'button', payload });
const render = (message: OutboundMessage | undefined, locale: 'ru' | 'en' = 'ru') =>
  message ? translator.render(locale, message) : { text: '', buttons: [] };
const labels = (message: OutboundMessage | undefined) =>
  render(message)
    .buttons?.flat()
    .map((button) => button.label) ?? [];

const lawyerThursday = [
  slot('lawyer-1', '2026-11-26T09:00', '2026-11-26T09:45'),
  slot('lawyer-1', '2026-11-26T13:00', '2026-11-26T13:45'),
];
const atStep = (step: ConversationState['step'], booking: ConversationState['booking']) => ({
  ...initialState(),
  step,
  booking,
});

describe('booking screens tell who, where and what to bring', () => {
  it('the time choice names the specialist and the place before the times', () => {
    const state = atStep('bookDay', { role: 'lawyer', slots: lawyerThursday });
    const result = handleEvent(state, tap('bookDay:2026-11-26'), ctx());
    const { text } = render(result.messages[0]);
    expect(text).toBe(
      'четверг, 26.11.\nПринимает: Юрисконсульт центра, г. Белово, ул. Маркса, 2, каб. 5.\nВыберите время:',
    );
    expect(labels(result.messages[0])).toEqual(expect.arrayContaining(['09:00', '13:00']));
  });

  it("a specialist without a place of their own is shown at the center's address; English too", () => {
    const social = [slot('family-specialist-1', '2026-11-26T13:00', '2026-11-26T13:30')];
    const state = atStep('bookDay', { role: 'other', slots: social });
    const result = handleEvent(state, tap('bookDay:2026-11-26'), ctx('en'));
    expect(render(result.messages[0], 'en').text).toContain('With: Social worker, 2 Marksa St, Belovo.');
  });

  it('the confirmation question and the confirmation give who, where and the complete list to bring', () => {
    const held = lawyerThursday[1] as SlotInfo;
    const question = handleEvent(
      atStep('bookConfirm', { role: 'lawyer', slots: lawyerThursday, day: '2026-11-26' }),
      { type: 'slotHeld', bookingId: 7, slot: held },
      ctx(),
    );
    const asked = render(question.messages[0]).text;
    expect(asked).toContain('Юрисконсульт центра');
    expect(asked).toContain('четверг, 26.11, 13:00');
    expect(asked).toContain('Место: г. Белово, ул. Маркса, 2, каб. 5');
    expect(asked).toContain('Взять с собой: паспорт, СНИЛС и документы по Вашему вопросу');
    expect(asked).toContain('заявление на социальные услуги оформят на приёме');
    const done = handleEvent(question.state, { type: 'bookingConfirmed', bookingId: 7 }, ctx());
    const confirmed = render(done.messages[0]).text;
    expect(confirmed).toContain('Вы записаны: Юрисконсульт центра, четверг, 26.11 в 13:00.');
    expect(confirmed).toContain('Место: г. Белово, ул. Маркса, 2, каб. 5');
    expect(confirmed).toContain('Взять с собой: паспорт, СНИЛС');
    expect(confirmed).not.toContain('отменена');
  });
});

describe('«Мои записи»', () => {
  const listed = {
    type: 'bookingsListed' as const,
    bookings: [
      {
        id: 11,
        startsAt: iso('2026-12-03T10:40'),
        role: 'psychologist' as const,
        specialistId: 'psychologist-1',
      },
      { id: 12, startsAt: iso('2026-12-08T13:00'), role: 'lawyer' as const, specialistId: 'lawyer-1' },
    ],
  };

  it('lists each booking with date, time, specialist and place; the buttons name the booking', () => {
    const result = handleEvent({ ...initialState(), step: 'myBookings' }, listed, ctx());
    const { text, buttons } = render(result.messages[0]);
    expect(text).toContain(
      'Ваши предстоящие записи — можно перенести или отменить:\n\n• четверг, 03.12, 10:40',
    );
    expect(text).toContain('• четверг, 03.12, 10:40 — Педагог-психолог, г. Белово, ул. Маркса, 2\n');
    expect(text).toContain('• вторник, 08.12, 13:00 — Юрисконсульт центра, г. Белово, ул. Маркса, 2, каб. 5');
    expect(buttons?.slice(0, 2)).toEqual([
      [
        { label: 'Перенести 03.12 10:40', payload: 'myMove:11' },
        { label: 'Отменить 03.12 10:40', payload: 'myCancel:11' },
      ],
      [
        { label: 'Перенести 08.12 13:00', payload: 'myMove:12' },
        { label: 'Отменить 08.12 13:00', payload: 'myCancel:12' },
      ],
    ]);
    // Telegram allows callback_data up to 64 bytes.
    for (const button of buttons?.flat() ?? [])
      expect(Buffer.byteLength(button.payload)).toBeLessThanOrEqual(64);
  });

  it('the cancel question names the booking in full', () => {
    const shown = handleEvent({ ...initialState(), step: 'myBookings' }, listed, ctx());
    const asked = handleEvent(shown.state, tap('myCancel:12'), ctx());
    expect(render(asked.messages[0]).text).toBe(
      'Отменить запись 08.12 13:00 — Юрисконсульт центра, г. Белово, ул. Маркса, 2, каб. 5?',
    );
  });

  it('a move says the old time is cancelled and freed, then gives the new booking', () => {
    const shown = handleEvent({ ...initialState(), step: 'myBookings' }, listed, ctx());
    const moving = handleEvent(shown.state, tap('myMove:11'), ctx());
    expect(moving.effects).toEqual([{ type: 'findSlots', role: 'psychologist' }]);
    const newSlot = slot('psychologist-1', '2026-12-04T13:00', '2026-12-04T13:50');
    const held = handleEvent(moving.state, { type: 'slotHeld', bookingId: 21, slot: newSlot }, ctx());
    const confirm = handleEvent(held.state, tap('bookConfirm:yes'), ctx());
    expect(confirm.effects).toEqual([
      { type: 'confirmBooking', bookingId: 21, rescheduleOf: 11, appealId: undefined },
    ]);
    const done = handleEvent(confirm.state, { type: 'bookingConfirmed', bookingId: 21 }, ctx());
    const { text } = render(done.messages[0]);
    expect(text).toContain('Запись на 03.12 10:40 отменена, время освобождено. Новая запись:');
    expect(text).toContain('Вы записаны: Педагог-психолог, пятница, 04.12 в 13:00.');
    expect(text.indexOf('отменена')).toBeLessThan(text.indexOf('Вы записаны'));
    expect(done.state.booking).toBeUndefined();
  });
});
