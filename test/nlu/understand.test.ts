import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { Understander } from '../../domain/understanding/understand.ts';
import { loadBelovo } from '../support/fixtures.ts';

const center = await loadBelovo();
const understander = await Understander.create();
const NOW = DateTime.fromISO('2026-12-01T10:00', { zone: center.timeZone }).toJSDate();
const LATER = DateTime.fromISO('2028-03-15T10:00', { zone: center.timeZone }).toJSDate();

describe('Understander: intent and entities of one message', () => {
  it('reads a booking from one sentence: role and day filled in', async () => {
    expect(
      await understander.understand('к психологу в четверг', { locale: 'ru', now: NOW, center }),
    ).toMatchObject({
      intent: 'book',
      entities: { role: 'psychologist', date: '2026-12-03', service: 'psychological-consultation' },
      articles: [],
    });
    expect(
      (
        await understander.understand('хочу записаться к юристу на завтра', {
          locale: 'ru',
          now: LATER,
          center,
        })
      ).entities,
    ).toMatchObject({ role: 'lawyer', date: '2028-03-16' });
  });

  it('reads the settlement of an outreach question', async () => {
    const result = await understander.understand('когда приедете к нам в Инской?', {
      locale: 'ru',
      now: NOW,
      center,
    });
    expect(result.intent).toBe('outreach.schedule');
    expect(result.entities.settlement).toBe('Инской');
  });

  it('gives no intent for an out-of-scope message, with the entities it has', async () => {
    const result = await understander.understand('продам гараж недорого', { locale: 'ru', now: NOW, center });
    expect(result.intent).toBeUndefined();
    expect(result.entities).toEqual({});
    expect(result.articles).toEqual([]);
  });
});
