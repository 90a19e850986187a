import { describe, expect, it } from 'vitest';
import { type CenterProfile, loadCenterProfile } from '../../config/center.ts';
import { formatOutreachLines, formatWorkingHours } from '../../domain/center-info.ts';
import type { Msg } from '../../flows/types.ts';
import { BARNAUL, loadBelovo } from '../support/fixtures.ts';

const belovo = await loadBelovo();
const barnaul = await loadCenterProfile(BARNAUL);

type Outreach = CenterProfile['outreach'][number];
const visit = (place: string, rule: Outreach['rule'], hours = { from: '09:00', to: '12:00' }): Outreach => ({
  place: { ru: place, en: `${place} (en)` },
  settlement: place,
  rule,
  hours,
});

const argsOf = (lines: Msg[]) => lines.map((line) => line.args ?? {});

describe('formatWorkingHours', () => {
  it.each([
    ['Belovo', 'ru', 'пн–пт 08:00–17:00 (перерыв 12:00–12:48)'],
    ['Belovo', 'en', 'Mon–Fri 08:00–17:00 (break 12:00–12:48)'],
    // Barnaul closes an hour earlier on Friday: Friday is a group of its own.
    ['Barnaul', 'ru', 'пн–чт 08:00–17:00 (перерыв 12:00–12:48); пт 08:00–16:00 (перерыв 12:00–12:48)'],
    ['Barnaul', 'en', 'Mon–Thu 08:00–17:00 (break 12:00–12:48); Fri 08:00–16:00 (break 12:00–12:48)'],
  ] as const)('%s, %s → %s', (name, locale, expected) => {
    expect(formatWorkingHours(name === 'Belovo' ? belovo : barnaul, locale)).toBe(expected);
  });

  const nine = [{ from: '09:00', to: '18:00' }];
  const short = [{ from: '10:00', to: '14:00' }];

  it.each([
    ['a single day without a break', { wed: nine }, 'ср 09:00–18:00'],
    [
      'every day, no breaks',
      { mon: nine, tue: nine, wed: nine, thu: nine, fri: nine, sat: nine, sun: nine },
      'пн–вс 09:00–18:00',
    ],
    // Same hours on Monday and Wednesday, but Tuesday is off: not "пн–ср".
    ['same hours on non-adjacent days', { mon: nine, wed: nine }, 'пн 09:00–18:00; ср 09:00–18:00'],
    [
      'a different day in the middle',
      { mon: nine, tue: short, wed: nine },
      'пн 09:00–18:00; вт 10:00–14:00; ср 09:00–18:00',
    ],
    ['an empty day is skipped', { mon: nine, tue: [], wed: nine }, 'пн 09:00–18:00; ср 09:00–18:00'],
    [
      'two breaks',
      {
        sat: [
          { from: '09:00', to: '11:00' },
          { from: '12:00', to: '13:00' },
          { from: '14:00', to: '15:00' },
        ],
      },
      'сб 09:00–15:00 (перерыв 11:00–12:00, 13:00–14:00)',
    ],
  ] satisfies Array<[string, CenterProfile['workingHours'], string]>)(
    '%s',
    (_title, workingHours, expected) => {
      expect(formatWorkingHours({ workingHours }, 'ru')).toBe(expected);
    },
  );
});

describe('formatOutreachLines', () => {
  it('lists Belovo visits in weekday order, keeping the configured order within a day', () => {
    const lines = formatOutreachLines(belovo, 'ru');
    expect(lines).toHaveLength(belovo.outreach.length);
    // The mobile point «по договорённости» has no day: it comes last, with its own wording.
    expect(lines.at(-1)).toEqual({
      key: 'outreach-line-arranged',
      args: { place: 'мкр Старо-Белово, мобильный пункт (раз в две недели)' },
    });
    const dated = lines.slice(0, -1);
    expect(dated.every((line) => line.key === 'outreach-line')).toBe(true);
    expect(dated.map((line) => `${line.args?.day}: ${line.args?.place}`)).toEqual([
      'понедельник: мкр Бабанаково, ул. Хмельницкого, 1',
      'понедельник: мкр Чертинский, ул. Клубная, 18',
      'понедельник: пгт Грамотеино, ул. Светлая, 6',
      'вторник: г. Белово, ул. Маркса, 2',
      'вторник: пгт Инской, ул. Ильича, 12',
      'вторник: пгт Грамотеино, ул. Светлая, 6',
      'четверг: мкр 8 Марта, ул. Боевая, 40',
      'четверг: пгт Новый Городок, ул. Гражданская, 4',
      'четверг: пгт Грамотеино, ул. Светлая, 6',
      'пятница: г. Белово, ул. Маркса, 2',
      'пятница: пгт Бачатский, ул. 50 лет Октября, 30',
      'пятница: пгт Грамотеино, ул. Светлая, 6',
    ]);
  });

  it('passes the biweekly rule and hours as arguments (Belovo, Bachatsky)', () => {
    const lines = formatOutreachLines(belovo, 'en');
    const bachatsky = lines.find((line) => String(line.args?.place).startsWith('Bachatsky'));
    expect(bachatsky).toEqual({
      key: 'outreach-line',
      args: {
        day: 'Friday',
        place: 'Bachatsky, 30 50 let Oktyabrya St',
        from: '09:00',
        to: '15:30',
        rule: 'biweekly',
        nth: '',
      },
    });
    expect(lines.filter((line) => line.args?.rule === 'biweekly')).toHaveLength(1);
    expect(lines.filter((line) => line.args?.rule === 'weekly')).toHaveLength(11);
  });

  it('sorts Barnaul (configured out of order) by weekday and joins monthly_nth weeks per locale', () => {
    const ru = formatOutreachLines(barnaul, 'ru');
    expect(ru.map((line) => line.args?.day)).toEqual([
      'понедельник',
      'вторник',
      'среда',
      'четверг',
      'четверг',
      'четверг',
    ]);
    // Thursday entries keep the file's order: 14:00, 14:00, then 09:00 — sorting is by day only.
    expect(ru.slice(3).map((line) => line.args?.from)).toEqual(['14:00', '14:00', '09:00']);
    expect(ru[2]).toEqual({
      key: 'outreach-line',
      args: {
        day: 'среда',
        place: 'Центр занятости населения',
        from: '09:00',
        to: '12:00',
        rule: 'monthly_nth',
        nth: '2 и 4',
      },
    });
    const en = formatOutreachLines(barnaul, 'en');
    expect(en[2]?.args).toMatchObject({
      day: 'Wednesday',
      place: 'Employment Center',
      rule: 'monthly_nth',
      nth: '2 and 4',
    });
  });

  it('falls back to the Russian place name when English is missing', () => {
    const lines = formatOutreachLines(
      { outreach: [{ ...visit('Инской', { type: 'weekly', weekday: 'tue' }), place: { ru: 'пгт Инской' } }] },
      'en',
    );
    expect(lines[0]?.args).toMatchObject({ day: 'Tuesday', place: 'пгт Инской' });
  });

  it('puts one-off visits after the weekly ones, in date order across a new year', () => {
    const lines = formatOutreachLines(
      {
        outreach: [
          visit('Январь', { type: 'once', date: '2027-01-10' }),
          visit('Воскресенье', { type: 'weekly', weekday: 'sun' }),
          visit('Декабрь', { type: 'once', date: '2026-12-20' }),
          visit('Понедельник', { type: 'monthly_nth', weekday: 'mon', nth: [1] }),
          visit('Февраль', { type: 'once', date: '2027-02-01' }),
        ],
      },
      'ru',
    );
    expect(argsOf(lines).map((args) => `${args.day} ${args.place} ${args.rule}`)).toEqual([
      'понедельник Понедельник monthly_nth',
      'воскресенье Воскресенье weekly',
      '20.12.2026 Декабрь once',
      '10.01.2027 Январь once',
      '01.02.2027 Февраль once',
    ]);
    expect(lines[0]?.args?.nth).toBe('1');
  });

  it('says the schedule is not published when there are no visits', () => {
    expect(formatOutreachLines({ outreach: [] }, 'ru')).toEqual([{ key: 'outreach-empty' }]);
  });

  it('does not reorder the profile it was given', () => {
    const before = barnaul.outreach.map((entry) => entry.place.ru);
    formatOutreachLines(barnaul, 'ru');
    expect(barnaul.outreach.map((entry) => entry.place.ru)).toEqual(before);
  });
});
