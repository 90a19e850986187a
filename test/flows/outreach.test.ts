import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { loadCenterProfile } from '../../config/center.ts';
import { dueReminders } from '../../domain/outreach.ts';
import { type ConversationState, handleEvent, initialState } from '../../flows/assistant.ts';
import { changeNotice, reminderMessage } from '../../flows/outreach.ts';
import type { FlowContext, FlowEvent, FlowResult, OutboundMessage } from '../../flows/types.ts';
import { BARNAUL, loadBelovo } from '../support/fixtures.ts';

const belovo = await loadBelovo();
const barnaul = await loadCenterProfile(BARNAUL);
const translator = new Translator((key, error) => {
  throw new Error(`${key}: ${error.message}`);
});
/** Thursday 19 November 2026, 12:00 in Belovo: Бачатский comes tomorrow. */
const NOW = DateTime.fromISO('2026-11-19T12:00', { zone: 'Asia/Novokuznetsk' }).toJSDate();
const ctx = (center = belovo, hasConsent = false): FlowContext => ({
  now: NOW,
  center,
  locale: 'ru',
  hasConsent,
});
const tap = (payload: string): FlowEvent => ({ type: 'button', payload });
const text = (value: string): FlowEvent => ({ type: 'text', text: value });
const data = (
  action: 'show' | 'subscribe' | 'unsubscribe' | 'mine',
  settlement?: string,
  subscriptions: string[] = [],
): FlowEvent => ({
  type: 'outreachData',
  action,
  settlement,
  subscriptions,
  changes: [],
});

const step = (event: FlowEvent, state: ConversationState = initialState(), c = ctx()) =>
  handleEvent(state, event, c);
const rendered = (message: OutboundMessage | undefined) =>
  message ? translator.render('ru', message) : undefined;
const payloads = (result: FlowResult<ConversationState>) =>
  result.messages.flatMap((m) => m.buttons?.flat().map((b) => b.payload) ?? []);

describe('outreach in chat', () => {
  it('a settlement button asks the runtime for the data, without consent', () => {
    const result = step(tap('out:s:bachatskiy'));
    expect(result.effects).toEqual([{ type: 'outreach', action: 'show', settlement: 'Бачатский' }]);
    expect(result.state.step).toBe('menu');
    expect(result.messages).toEqual([]);
  });

  it('shows the next dates with place and hours, and offers a subscription', () => {
    const result = step(data('show', 'Бачатский'));
    const message = rendered(result.messages[0]);
    expect(message?.text).toContain('Бачатский — ближайшие выезды');
    expect(message?.text).toContain('• пт, 20.11 — пгт Бачатский, ул. 50 лет Октября, 30, 09:00–15:30');
    expect(message?.text).toContain('• пт, 04.12 —');
    expect(message?.text).not.toContain('27.11');
    expect(payloads(result)).toEqual(['out:sub:bachatskiy', 'out:list', 'out:my', 'nav:menu']);
  });

  it('after subscribing: confirmation (what is stored), the dates and an unsubscribe button', () => {
    const tapped = step(tap('out:sub:bachatskiy'));
    expect(tapped.effects).toEqual([{ type: 'outreach', action: 'subscribe', settlement: 'Бачатский' }]);
    const result = step(data('subscribe', 'Бачатский', ['Бачатский']));
    const message = rendered(result.messages[0]);
    expect(message?.text).toContain('Буду напоминать о выездах (Бачатский)');
    expect(message?.text).toContain('только номер этого чата');
    expect(message?.text).toContain('20.11');
    expect(payloads(result)[0]).toBe('out:uns:bachatskiy');
  });

  it('my subscriptions, with an unsubscribe button per settlement', () => {
    expect(step(text('мои подписки')).effects).toEqual([{ type: 'outreach', action: 'mine' }]);
    const result = step(data('mine', undefined, ['Инской', 'Бачатский']));
    expect(rendered(result.messages[0])?.text).toContain('• Инской\n• Бачатский');
    expect(payloads(result)).toEqual(['out:uns:inskoy', 'out:uns:bachatskiy', 'out:list', 'nav:menu']);
    expect(rendered(step(data('mine')).messages[0])?.text).toContain('пока нет подписок');
  });

  it.each([
    ['когда приедете в Инской?', 'Инской'],
    ['к нам в Бачатский когда?', 'Бачатский'],
    ['Грамотеино', 'Грамотеино'],
    ['график выездов в Новый Городок', 'Новый Городок'],
  ])('free text %j shows that settlement', (input, settlement) => {
    expect(step(text(input)).effects).toEqual([{ type: 'outreach', action: 'show', settlement }]);
  });

  it('a question about booking that names a settlement stays a booking question', () => {
    const result = step(text('когда можно записаться к юристу в Белово'));
    expect(result.effects).toEqual([]);
    expect(result.state.step).toBe('consent');
  });

  it('the mobile point by arrangement: how to arrange, and a subscription for when a date is set', () => {
    const message = rendered(step(data('show', 'Старо-Белово')).messages[0]);
    expect(message?.text).toContain('по предварительной договорённости');
    expect(message?.text).toContain('+7 (38452) 3-06-56');
  });

  it('an unknown settlement key gets a polite answer and the list', () => {
    const result = step(tap('out:s:atlantida'));
    expect(result.messages[0]?.parts).toEqual([{ key: 'outreach-unknown-settlement' }]);
    expect(payloads(result)).toContain('out:list');
    // The runtime found no such settlement (removed from the profile since the button was sent).
    expect(step(data('show', undefined)).messages[0]?.parts).toEqual([
      { key: 'outreach-unknown-settlement' },
    ]);
  });

  it('unsubscribing from a reminder during an intake keeps the intake and asks its question again', () => {
    const intake: ConversationState = {
      ...initialState(),
      step: 'address',
      draft: { fullName: 'Иванова Мария' },
      trail: ['name'],
    };
    const tapped = step(tap('out:uns:inskoy'), intake, ctx(belovo, true));
    expect(tapped.state).toEqual(intake);
    expect(tapped.effects).toEqual([{ type: 'outreach', action: 'unsubscribe', settlement: 'Инской' }]);
    const answered = step(data('unsubscribe', 'Инской'), intake, ctx(belovo, true));
    expect(answered.state).toEqual(intake);
    expect(answered.messages.map((m) => m.parts[0])).toEqual([
      { key: 'outreach-unsubscribed', args: { settlement: 'Инской' } },
      { key: 'ask-address' },
    ]);
    // Browsing the schedule waits until the intake is done.
    expect(step(tap('out:s:inskoy'), intake, ctx(belovo, true)).effects).toEqual([]);
  });

  it('Barnaul has one settlement (the one-window partner schedule): its dates at once', () => {
    const result = step(tap('menu:outreach'), initialState(), ctx(barnaul));
    expect(result.messages[0]?.parts[0]).toEqual({ key: 'outreach-title' });
    expect(result.effects).toEqual([{ type: 'outreach', action: 'show', settlement: 'Барнаул' }]);
  });

  it('every payload fits Telegram callback data (64 bytes)', () => {
    const all = [
      ...payloads(step(tap('menu:outreach'))),
      ...payloads(step(data('show', 'Новый Городок', ['Новый Городок']))),
      ...payloads(step(data('mine', undefined, ['Новый Городок', 'Старо-Белово']))),
    ];
    for (const payload of all) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(64);
  });
});

describe('reminder and change messages', () => {
  it('a day-before reminder: day, place with address, hours, the center phone, unsubscribe', () => {
    const reminder = dueReminders(
      belovo,
      [],
      DateTime.fromISO('2026-11-19T18:00', { zone: 'Asia/Novokuznetsk' }).toJSDate(),
    ).find((r) => r.settlement === 'Бачатский');
    if (!reminder) throw new Error('no reminder');
    const ru = translator.render('ru', reminderMessage(reminder, belovo, 'ru'));
    expect(ru.text).toBe(
      '🔔 Напоминаем: завтра, пт, 20.11, — приём специалистов (Бачатский).\n\n' +
        '📍 пгт Бачатский, ул. 50 лет Октября, 30 — 09:00–15:30\n\n' +
        'Телефон центра: +7 (38452) 3-06-56',
    );
    expect(ru.buttons?.flat().map((b) => b.payload)).toEqual(['out:uns:bachatskiy', 'out:s:bachatskiy']);
    const en = translator.render('en', reminderMessage(reminder, belovo, 'en'));
    expect(en.text).toContain('tomorrow, Fri, 20.11');
    expect(en.text).toContain('Bachatsky, 30 50 let Oktyabrya St');
  });

  it('a cancellation notice names the day, the reason and the next visit', () => {
    const cancel = {
      id: 7,
      kind: 'cancel' as const,
      settlement: 'Бачатский',
      date: '2026-11-20',
      reason: 'ремонт дороги',
      createdAt: NOW.toISOString(),
    };
    const message = translator.render('ru', changeNotice(cancel, [cancel], belovo, NOW, 'ru'));
    expect(message.text).toContain('выезд пт, 20.11 отменён');
    expect(message.text).toContain('Причина: ремонт дороги');
    expect(message.text).toContain('Ближайший выезд:\n• пт, 04.12');
  });

  it('a moved visit and an extra date show the new day, place and hours', () => {
    const move = {
      id: 8,
      kind: 'change' as const,
      settlement: 'Бачатский',
      date: '2026-11-20',
      newDate: '2026-11-21',
      hours: { from: '10:00', to: '13:00' },
      createdAt: NOW.toISOString(),
    };
    expect(translator.render('ru', changeNotice(move, [move], belovo, NOW, 'ru')).text).toContain(
      '• сб, 21.11 — пгт Бачатский, ул. 50 лет Октября, 30, 10:00–13:00 (изменено)',
    );
    const extra = {
      id: 9,
      kind: 'extra' as const,
      settlement: 'Старо-Белово',
      date: '2026-11-24',
      hours: { from: '10:00', to: '12:00' },
      place: { ru: 'мкр Старо-Белово, ул. Ленина, 1' },
      createdAt: NOW.toISOString(),
    };
    expect(translator.render('ru', changeNotice(extra, [extra], belovo, NOW, 'ru')).text).toContain(
      '➕ Дополнительный выезд (Старо-Белово):\n\n• вт, 24.11 — мкр Старо-Белово, ул. Ленина, 1, 10:00–12:00 (дополнительный выезд)',
    );
  });
});
