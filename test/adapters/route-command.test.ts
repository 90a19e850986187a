import { describe, expect, it } from 'vitest';
import { parseRouteCommand } from '../../adapters/telegram/route-command.ts';

const ZONE = 'Asia/Novokuznetsk'; // UTC+7, like Belovo
const NOW = new Date('2026-11-25T05:00:00Z'); // 12:00 local, 25.11.2026

describe('"/route" typed in the staff chat', () => {
  it.each([
    ['/route 26.11 14:30; Центр занятости', '2026-11-26T07:30:00.000Z', { org: 'Центр занятости' }],
    [
      '/route 3.12.2026 9:05; МФЦ; ул. Ленина, 1; Иванова И. И., 8-3842-00-00-00',
      '2026-12-03T02:05:00.000Z',
      { org: 'МФЦ', address: 'ул. Ленина, 1', person: 'Иванова И. И., 8-3842-00-00-00' },
    ],
    // No year and the date is behind us: the next such date.
    ['/route 10.01 10:00; Соцзащита', '2027-01-10T03:00:00.000Z', { org: 'Соцзащита' }],
    ['/route@family_bot 25.11 15.00; УСЗН', '2026-11-25T08:00:00.000Z', { org: 'УСЗН' }],
  ])('%s', (text, startsAt, fields) => {
    const parsed = parseRouteCommand(text, NOW, ZONE);
    expect(parsed?.ok).toBe(true);
    if (parsed?.ok) {
      expect(parsed.item.startsAt.toISOString()).toBe(startsAt);
      expect(parsed.item).toMatchObject(fields);
    }
  });

  it.each([
    '/route',
    '/route завтра в 14; МФЦ',
    '/route 31.02 10:00; МФЦ',
    '/route 26.11 25:00; МФЦ',
    '/route 26.11 14:30',
    '/route 26.11 14:30;   ',
  ])('explains the format for %j', (text) => {
    expect(parseRouteCommand(text, NOW, ZONE)).toEqual({ ok: false });
  });

  it.each(['Здравствуйте!', 'route 26.11 14:30; МФЦ', '/routes 26.11 14:30; МФЦ'])(
    'is not a command: %j',
    (text) => {
      expect(parseRouteCommand(text, NOW, ZONE)).toBeUndefined();
    },
  );
});
