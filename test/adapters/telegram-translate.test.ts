import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { fromTelegramUpdate } from '../../adapters/telegram/inbound.ts';
import { MAX_TEXT, toTelegramSends } from '../../adapters/telegram/render.ts';
import type { RenderedMessage } from '../../bot/i18n.ts';
import { splitText } from '../../bot/text.ts';

const user = { id: 42, is_bot: false, first_name: 'Мария' };
const privateChat = { id: 42, type: 'private' as const, first_name: 'Мария' };
const group = { id: -100123, type: 'supergroup' as const, title: 'Диспетчеры' };
const base = { message_id: 7, date: 1_700_000_000, chat: privateChat, from: user };

// Table: incoming Telegram updates → neutral updates (or the reason they are ignored).
const INBOUND: Array<[string, Update, unknown]> = [
  [
    'text',
    { update_id: 1, message: { ...base, text: 'Здравствуйте' } },
    { type: 'text', text: 'Здравствуйте' },
  ],
  [
    '/start',
    {
      update_id: 2,
      message: { ...base, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] },
    },
    { type: 'start' },
  ],
  ['/start with payload', { update_id: 3, message: { ...base, text: '/start ref123' } }, { type: 'start' }],
  ['/start@bot', { update_id: 4, message: { ...base, text: '/start@test_bot' } }, { type: 'start' }],
  [
    '/menu stays text for the flow',
    { update_id: 5, message: { ...base, text: '/menu' } },
    { type: 'text', text: '/menu' },
  ],
  [
    '/startle is not /start',
    { update_id: 6, message: { ...base, text: '/startle' } },
    { type: 'text', text: '/startle' },
  ],
  [
    'shared contact',
    {
      update_id: 7,
      message: { ...base, contact: { phone_number: '79131234567', first_name: 'М', user_id: 42 } },
    },
    { type: 'contact', phone: '79131234567' },
  ],
  [
    'photo',
    {
      update_id: 8,
      message: { ...base, photo: [{ file_id: 'x', file_unique_id: 'y', width: 1, height: 1 }] },
    },
    { type: 'unsupported' },
  ],
  [
    'voice',
    { update_id: 9, message: { ...base, voice: { file_id: 'x', file_unique_id: 'y', duration: 3 } } },
    { type: 'unsupported' },
  ],
  ['sticker-like (no text)', { update_id: 10, message: { ...base } as never }, { type: 'unsupported' }],
  [
    'button',
    {
      update_id: 11,
      callback_query: {
        id: 'q1',
        from: user,
        chat_instance: 'c',
        data: 'purpose:lawyer',
        message: { ...base, text: 'x' },
      },
    },
    { type: 'button', payload: 'purpose:lawyer' },
  ],
  [
    'button without message',
    { update_id: 12, callback_query: { id: 'q2', from: user, chat_instance: 'c', data: 'nav:back' } },
    { type: 'button', payload: 'nav:back' },
  ],
];

const IGNORED: Array<[string, Update, string]> = [
  ['group message', { update_id: 20, message: { ...base, chat: group, text: 'привет' } }, 'not-private'],
  [
    'group button',
    {
      update_id: 21,
      callback_query: {
        id: 'q',
        from: user,
        chat_instance: 'c',
        data: 'x',
        message: { ...base, chat: group, text: 'x' },
      },
    },
    'not-private',
  ],
  [
    'channel post',
    {
      update_id: 22,
      channel_post: { message_id: 1, date: 1, chat: { id: -1, type: 'channel', title: 't' }, text: 'x' },
    } as Update,
    'unhandled-kind',
  ],
  [
    'edited message',
    { update_id: 23, edited_message: { ...base, text: 'x', edit_date: 2 } },
    'unhandled-kind',
  ],
  [
    'message without sender',
    { update_id: 24, message: { message_id: 1, date: 1, chat: privateChat, text: 'x' } as never },
    'no-sender',
  ],
  // Shapes Telegram never sends but a fuzzer (or a leaked webhook secret) does: ignored, never a crash.
  [
    'button on a message whose chat is null',
    { update_id: 25, callback_query: { id: 'q', from: user, message: { chat: null } } } as never,
    'malformed',
  ],
  ['button without sender', { update_id: 26, callback_query: { id: 'q', data: 'x' } } as never, 'malformed'],
  [
    'non-numeric chat id',
    { update_id: 27, message: { ...base, chat: { id: 'abc', type: 'private' }, text: 'x' } } as never,
    'malformed',
  ],
  ['fractional update id', { update_id: 1.5, message: { ...base, text: 'x' } } as never, 'malformed'],
];

describe('Telegram update → neutral update', () => {
  it.each(INBOUND)('%s', (_name, update, event) => {
    expect(fromTelegramUpdate(update)).toEqual({
      channel: 'telegram',
      externalId: '42',
      updateId: String(update.update_id),
      event,
    });
  });

  it.each(IGNORED)('ignores %s', (_name, update, reason) => {
    expect(fromTelegramUpdate(update)).toEqual({ ignored: reason });
  });
});

// Table: neutral messages → sendMessage payloads.
const OUTBOUND: Array<[string, RenderedMessage, unknown[]]> = [
  ['plain text', { text: 'Привет' }, [{ text: 'Привет' }]],
  [
    'buttons → inline keyboard',
    {
      text: 'Вопрос?',
      buttons: [
        [
          { label: 'Да', payload: 'a:yes' },
          { label: 'Нет', payload: 'a:no' },
        ],
        [{ label: '← Назад', payload: 'nav:back' }],
      ],
    },
    [
      {
        text: 'Вопрос?',
        reply_markup: {
          inline_keyboard: [
            [
              { text: 'Да', callback_data: 'a:yes' },
              { text: 'Нет', callback_data: 'a:no' },
            ],
            [{ text: '← Назад', callback_data: 'nav:back' }],
          ],
        },
      },
    ],
  ],
  [
    'phone request → one-time reply keyboard with contact button and nav as text buttons',
    {
      text: 'Телефон?',
      requestPhone: true,
      buttons: [
        [
          { label: '← Назад', payload: 'nav:back' },
          { label: 'Отменить', payload: 'nav:cancel' },
        ],
      ],
    },
    [
      {
        text: 'Телефон?',
        reply_markup: {
          keyboard: [[{ text: 'SHARE', request_contact: true }], [{ text: '← Назад' }, { text: 'Отменить' }]],
          one_time_keyboard: true,
          resize_keyboard: true,
          is_persistent: false,
        },
      },
    ],
  ],
];

describe('neutral message → Telegram sends', () => {
  it.each(OUTBOUND)('%s', (_name, message, sends) => {
    expect(toTelegramSends(message, 'SHARE')).toEqual(sends);
  });

  it('splits long text under 4096 characters at paragraph breaks, buttons on the last part', () => {
    const paragraph = 'Строка расписания. '.repeat(100).trim();
    const text = Array.from({ length: 6 }, () => paragraph).join('\n\n');
    const sends = toTelegramSends({ text, buttons: [[{ label: 'Ок', payload: 'ok' }]] }, 'SHARE');
    expect(sends.length).toBeGreaterThan(1);
    for (const send of sends) expect(send.text.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(sends.map((s) => s.text).join('\n\n')).toBe(text);
    expect(sends.slice(0, -1).every((s) => s.reply_markup === undefined)).toBe(true);
    expect(sends.at(-1)?.reply_markup).toBeDefined();
  });

  it('hard-splits text without spaces', () => {
    const chunks = splitText('я'.repeat(10_000), MAX_TEXT);
    expect(chunks.map((c) => c.length)).toEqual([4096, 4096, 1808]);
  });

  it('refuses callback data over 64 bytes (Cyrillic counts double)', () => {
    expect(() =>
      toTelegramSends({ text: 'x', buttons: [[{ label: 'x', payload: 'ж'.repeat(33) }]] }, 'S'),
    ).toThrow(/64 bytes/);
    expect(() =>
      toTelegramSends({ text: 'x', buttons: [[{ label: 'x', payload: 'ж'.repeat(32) }]] }, 'S'),
    ).not.toThrow();
  });
});
