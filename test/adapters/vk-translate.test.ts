import { describe, expect, it } from 'vitest';
import { fromVkEvent, type VkEvent } from '../../adapters/vk/inbound.ts';
import { toVkKeyboard, toVkSends } from '../../adapters/vk/render.ts';
import { randomIdFor } from '../../adapters/vk/sender.ts';

const message = (fields: Record<string, unknown>): VkEvent => ({
  type: 'message_new',
  group_id: 1,
  event_id: 'ev1',
  object: {
    message: {
      id: 10,
      peer_id: 42,
      from_id: 42,
      conversation_message_id: 7,
      text: '',
      attachments: [],
      ...fields,
    },
    client_info: {},
  },
});

// Table: VK events → neutral updates.
const UPDATES: Array<[string, VkEvent, unknown]> = [
  ['text', message({ text: 'Здравствуйте' }), { type: 'text', text: 'Здравствуйте' }],
  ['"Начать"', message({ text: 'Начать' }), { type: 'start' }],
  ['VK start button payload', message({ text: 'Начать', payload: '{"command":"start"}' }), { type: 'start' }],
  [
    'text button with our payload',
    message({ text: 'Юрист', payload: '{"b":"purpose:lawyer"}' }),
    { type: 'button', payload: 'purpose:lawyer' },
  ],
  [
    'broken payload falls back to text',
    message({ text: 'Юрист', payload: '{oops' }),
    { type: 'text', text: 'Юрист' },
  ],
  ['photo', message({ text: '', attachments: [{ type: 'photo' }] }), { type: 'unsupported' }],
  [
    'old API shape (no wrapper)',
    {
      type: 'message_new',
      object: { id: 1, peer_id: 42, from_id: 42, conversation_message_id: 7, text: 'hi' },
    },
    { type: 'text', text: 'hi' },
  ],
];

describe('VK event → neutral update', () => {
  it.each(UPDATES)('%s', (_name, event, expected) => {
    const result = fromVkEvent(event);
    expect(result).toMatchObject({
      kind: 'update',
      update: { channel: 'vk', externalId: '42', updateId: 'm:42:7', event: expected },
    });
  });

  it('callback button → button event with an answer to send', () => {
    const result = fromVkEvent({
      type: 'message_event',
      object: {
        user_id: 42,
        peer_id: 42,
        event_id: 'abc',
        payload: { b: 'consent:yes' },
        conversation_message_id: 9,
      },
    });
    expect(result).toEqual({
      kind: 'update',
      update: {
        channel: 'vk',
        externalId: '42',
        updateId: 'e:abc',
        event: { type: 'button', payload: 'consent:yes' },
      },
      eventAnswer: { eventId: 'abc', userId: 42, peerId: 42 },
    });
  });

  it.each([
    ['message_allow', true],
    ['message_deny', false],
  ] as const)('%s changes the permission', (type, allowed) => {
    expect(fromVkEvent({ type, object: { user_id: 42 } })).toEqual({
      kind: 'permission',
      externalId: '42',
      allowed,
    });
  });

  it.each([
    ['group chat', message({ peer_id: 2_000_000_001, text: 'привет' }), 'not-private'],
    ['community message', message({ from_id: -1, text: 'привет' }), 'from-community'],
    ['wall post', { type: 'wall_post_new', object: {} }, 'unhandled-kind'],
    ['no peer', { type: 'message_new', object: { message: { text: 'x' } } }, 'malformed'],
    ['callback without event id', { type: 'message_event', object: { user_id: 1, peer_id: 1 } }, 'malformed'],
  ] as const)('ignores %s', (_name, event, reason) => {
    expect(fromVkEvent(event as VkEvent)).toEqual({ kind: 'ignored', reason });
  });
});

describe('neutral message → VK sends', () => {
  it('uses an inline keyboard of callback buttons within VK limits', () => {
    const [send] = toVkSends({
      text: 'Вопрос?',
      buttons: [
        [
          { label: 'Да', payload: 'consent:yes' },
          { label: 'Отменить', payload: 'nav:cancel' },
        ],
      ],
    });
    expect(send?.message).toBe('Вопрос?');
    expect(JSON.parse(send?.keyboard ?? '')).toEqual({
      inline: true,
      buttons: [
        [
          { action: { type: 'callback', label: 'Да', payload: '{"b":"consent:yes"}' }, color: 'positive' },
          {
            action: { type: 'callback', label: 'Отменить', payload: '{"b":"nav:cancel"}' },
            color: 'negative',
          },
        ],
      ],
    });
  });

  it('falls back to a one-time keyboard of text buttons beyond 10 buttons', () => {
    const rows = Array.from({ length: 4 }, (_, r) =>
      Array.from({ length: 3 }, (_, c) => ({ label: `${r}${c}`, payload: `x:${r}${c}` })),
    );
    const keyboard = JSON.parse(toVkKeyboard(rows));
    expect(keyboard.inline).toBe(false);
    expect(keyboard.one_time).toBe(true);
    expect(keyboard.buttons.flat().every((b: { action: { type: string } }) => b.action.type === 'text')).toBe(
      true,
    );
  });

  it('shortens labels to 40 characters and refuses impossible keyboards', () => {
    const keyboard = JSON.parse(
      toVkKeyboard([[{ label: 'Очень длинная подпись кнопки, длиннее сорока символов', payload: 'a' }]]),
    );
    expect(keyboard.buttons[0][0].action.label).toHaveLength(40);
    const tooMany = Array.from({ length: 11 }, () => [{ label: 'x', payload: 'y' }]);
    expect(() => toVkKeyboard(tooMany)).toThrow(/too many buttons/);
    expect(() => toVkKeyboard([[{ label: 'x', payload: 'p'.repeat(250) }]])).toThrow(/255/);
  });

  it('splits text over 4096 characters, keyboard on the last part', () => {
    const sends = toVkSends({
      text: `${'а'.repeat(4000)}\n\n${'б'.repeat(200)}`,
      buttons: [[{ label: 'Ок', payload: 'ok' }]],
    });
    expect(sends.map((s) => s.message.length)).toEqual([4000, 200]);
    expect(sends[0]?.keyboard).toBeUndefined();
    expect(sends[1]?.keyboard).toBeDefined();
  });

  it('derives a stable positive 32-bit random_id from the ledger key', () => {
    expect(randomIdFor('15-0')).toBe(randomIdFor('15-0'));
    expect(randomIdFor('15-0')).not.toBe(randomIdFor('15-1'));
    for (const key of ['1-0', '2-0', '999999-3']) {
      expect(randomIdFor(key)).toBeGreaterThanOrEqual(0);
      expect(randomIdFor(key)).toBeLessThan(2 ** 31);
    }
  });
});
