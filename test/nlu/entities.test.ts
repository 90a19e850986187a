import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { extractEntities } from '../../domain/understanding/entities.ts';
import { loadBelovo } from '../support/fixtures.ts';

const belovo = await loadBelovo();
const ZONE = belovo.timeZone;
/** Two reference clocks: nothing may depend on today's date (CI also runs a year and more ahead). */
const NOWS = {
  'Tue 2026-12-01 10:00': DateTime.fromISO('2026-12-01T10:00', { zone: ZONE }),
  'Wed 2028-03-15 10:00': DateTime.fromISO('2028-03-15T10:00', { zone: ZONE }),
};
const entities = (text: string, now: DateTime, locale: 'ru' | 'en' = 'ru') =>
  extractEntities(text, { center: belovo, now: now.toJSDate(), locale });

describe('specialist role in any word form', () => {
  it.each([
    ['хочу записаться к юристу на завтра', 'lawyer'],
    ['нужен юрисконсульт', 'lawyer'],
    ['посоветуйте адвоката по алиментам', 'lawyer'],
    ['юридическая консультация', 'lawyer'],
    ['к психологу в четверг', 'psychologist'],
    ['Психолога можно?', 'psychologist'],
    ['есть ли логопед', 'other'],
    ['нужен дефектолог для сына', 'other'],
    ['к семейному специалисту', 'other'],
    ['соцработник не приходит', 'other'],
    ['book a lawyer', 'lawyer'],
    ['сначала к психологу, потом к юристу', 'psychologist'],
  ])('%s → %s', (text, role) => {
    expect(entities(text, NOWS['Tue 2026-12-01 10:00']).role).toBe(role);
  });

  it('names no role when there is none', () => {
    expect(entities('где вы находитесь', NOWS['Tue 2026-12-01 10:00']).role).toBeUndefined();
  });
});

describe('settlement of the outreach schedule in any word form', () => {
  it.each([
    ['когда приедете в Инской', 'Инской'],
    ['когда будете в Инском?', 'Инской'],
    ['пос. Инской', 'Инской'],
    ['к нам в Грамотеино', 'Грамотеино'],
    ['а в Новом Городке когда выезд', 'Новый Городок'],
    ['приезжаете в Бачатский?', 'Бачатский'],
    ['мы из Старо-Белово', 'Старо-Белово'],
  ])('%s → %s', (text, settlement) => {
    expect(entities(text, NOWS['Tue 2026-12-01 10:00']).settlement).toBe(settlement);
  });
});

describe('day, time and part of the day, relative to the injected now in the center zone', () => {
  // [text, { now label: expected date }, time, dayPart]
  const cases: Array<
    [string, Record<keyof typeof NOWS, string | undefined>, string | undefined, string | undefined]
  > = [
    [
      'хочу записаться к юристу на завтра',
      { 'Tue 2026-12-01 10:00': '2026-12-02', 'Wed 2028-03-15 10:00': '2028-03-16' },
      undefined,
      undefined,
    ],
    [
      'к психологу в четверг',
      { 'Tue 2026-12-01 10:00': '2026-12-03', 'Wed 2028-03-15 10:00': '2028-03-16' },
      undefined,
      undefined,
    ],
    [
      'в пятницу после обеда',
      { 'Tue 2026-12-01 10:00': '2026-12-04', 'Wed 2028-03-15 10:00': '2028-03-17' },
      undefined,
      'afternoon',
    ],
    [
      'послезавтра утром',
      { 'Tue 2026-12-01 10:00': '2026-12-03', 'Wed 2028-03-15 10:00': '2028-03-17' },
      undefined,
      'morning',
    ],
    [
      'завтра в 15:00',
      { 'Tue 2026-12-01 10:00': '2026-12-02', 'Wed 2028-03-15 10:00': '2028-03-16' },
      '15:00',
      undefined,
    ],
    [
      'в понедельник вечером',
      { 'Tue 2026-12-01 10:00': '2026-12-07', 'Wed 2028-03-15 10:00': '2028-03-20' },
      undefined,
      'evening',
    ],
    [
      'можно на утро',
      { 'Tue 2026-12-01 10:00': undefined, 'Wed 2028-03-15 10:00': undefined },
      undefined,
      'morning',
    ],
    [
      'где вы находитесь',
      { 'Tue 2026-12-01 10:00': undefined, 'Wed 2028-03-15 10:00': undefined },
      undefined,
      undefined,
    ],
  ];
  for (const [label, now] of Object.entries(NOWS) as Array<[keyof typeof NOWS, DateTime]>) {
    it.each(cases)(`${label}: %s`, (text, dates, time, dayPart) => {
      const found = entities(text, now);
      expect(found.date).toBe(dates[label]);
      expect(found.time).toBe(time);
      expect(found.dayPart).toBe(dayPart);
    });
  }

  it('reads «завтра» in the center zone late in the evening (UTC is still the day before)', () => {
    const lateEvening = DateTime.fromISO('2026-12-01T23:30', { zone: ZONE });
    expect(entities('на завтра', lateEvening).date).toBe('2026-12-02');
    const justAfterMidnight = DateTime.fromISO('2026-12-02T00:30', { zone: ZONE });
    expect(entities('на завтра', justAfterMidnight).date).toBe('2026-12-03');
  });

  it('reads English in an English conversation', () => {
    expect(entities('a psychologist tomorrow afternoon', NOWS['Tue 2026-12-01 10:00'], 'en')).toMatchObject({
      role: 'psychologist',
      date: '2026-12-02',
      dayPart: 'afternoon',
    });
  });
});

describe('service of the center profile', () => {
  it.each([
    ['нужно социальное сопровождение семьи', 'social-support'],
    ['хочу на консультацию юриста', 'legal-consultation'],
    ['консультация психолога сколько стоит', 'psychological-consultation'],
    // By the role: the center has one lawyer's service.
    ['к юристу на завтра', 'legal-consultation'],
    ['к семейному специалисту', 'social-support'],
  ])('%s → %s', (text, service) => {
    expect(entities(text, NOWS['Tue 2026-12-01 10:00']).service).toBe(service);
  });

  it('does not guess a service from «консультация» alone', () => {
    expect(entities('нужна консультация', NOWS['Tue 2026-12-01 10:00']).service).toBeUndefined();
  });
});

describe('family situation', () => {
  it.each([
    ['мы многодетная семья', ['large_family']],
    ['у меня трое детей и я мама одиночка', ['large_family', 'single_parent']],
    ['ребенок инвалид, дцп', ['disability']],
    ['муж участник СВО', ['svo']],
    ['муж мобилизован', ['svo']],
    ['мы малоимущие', ['low_income']],
    ['я опекун внучки', ['foster']],
    ['приемная семья', ['foster']],
    ['я беременна вторым', ['expecting']],
    ['свободное время есть?', undefined],
    ['где вы находитесь', undefined],
  ])('%s → %j', (text, situations) => {
    expect(entities(text, NOWS['Tue 2026-12-01 10:00']).situations).toEqual(situations);
  });
});
