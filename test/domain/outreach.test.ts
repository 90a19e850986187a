import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type CenterProfile, loadCenterProfile } from '../../config/center.ts';
import {
  dueReminders,
  entryId,
  localInstant,
  nextVisits,
  type OutreachChange,
  occursOn,
  pendingChangeNotices,
  quietUntil,
  settlementInText,
  settlementKey,
  settlementsOf,
  visitsBetween,
} from '../../domain/outreach.ts';
import { BARNAUL, loadBelovo } from '../support/fixtures.ts';

const belovo = await loadBelovo();
const barnaul = await loadCenterProfile(BARNAUL);
const ZONE = 'Asia/Novokuznetsk';
/** Wall-clock time in Belovo/Barnaul (both UTC+7, no DST). */
const at = (local: string, zone = ZONE) => DateTime.fromISO(local, { zone }).toJSDate();

const entry = (center: CenterProfile, settlement: string, weekday?: string) => {
  const found = center.outreach.find(
    (e) => e.settlement === settlement && (!weekday || ('weekday' in e.rule && e.rule.weekday === weekday)),
  );
  if (!found) throw new Error(`no entry ${settlement} ${weekday}`);
  return found;
};
const days = (
  center: CenterProfile,
  settlement: string,
  from: string,
  to: string,
  changes: OutreachChange[] = [],
) =>
  visitsBetween(center, changes, from, to)
    .filter((v) => v.settlement === settlement && v.status !== 'cancelled')
    .map((v) => v.date);

let nextId = 1;
const change = (
  c: Partial<OutreachChange> & Pick<OutreachChange, 'kind' | 'settlement' | 'date'>,
): OutreachChange => ({
  id: nextId++,
  createdAt: '2026-11-25T05:00:00Z',
  ...c,
});

describe('settlements', () => {
  it('keys are short ASCII transliterations, unique per settlement', () => {
    expect(settlementsOf(belovo).map((s) => s.key)).toEqual([
      'babanakovo',
      'chertinskiy',
      'gramoteino',
      'belovo',
      'inskoy',
      '8-marta',
      'novyy-gorodok',
      'bachatskiy',
      'staro-belovo',
    ]);
    expect(settlementsOf(barnaul)).toEqual([{ name: 'Барнаул', key: 'barnaul' }]);
    expect(settlementKey('Новый Городок')).toBe('novyy-gorodok');
    // Payloads "out:uns:<key>" stay far below Telegram's 64-byte limit.
    for (const { key } of settlementsOf(belovo)) expect(Buffer.byteLength(`out:uns:${key}`)).toBeLessThan(64);
  });

  it.each([
    ['когда приедете в Инской?', 'Инской'],
    ['Когда вы в Инском?', 'Инской'],
    ['а в Грамотеино когда приём', 'Грамотеино'],
    ['к нам в Бачатский когда приедете', 'Бачатский'],
    ['выезд в бачатском', 'Бачатский'],
    ['в Новом Городке будете?', 'Новый Городок'],
    ['на 8 Марта когда', '8 Марта'],
    ['в Старо-Белово', 'Старо-Белово'],
    ['в Белово', 'Белово'],
    ['в Чертинском', 'Чертинский'],
    ['Бабанаково', 'Бабанаково'],
    ['When do you come to Bachatsky?', 'Бачатский'],
    ['Gramoteino', 'Грамотеино'],
  ])('finds the settlement in %j', (text, name) => {
    expect(settlementInText(belovo, text)?.name).toBe(name);
  });

  it.each([['в Бачатах'], ['Беловский район'], ['новая городская больница'], ['инспектор'], ['привет']])(
    'does not see a settlement in %j',
    (text) => {
      expect(settlementInText(belovo, text)).toBeUndefined();
    },
  );

  it('finds Barnaul in its case forms', () => {
    expect(settlementInText(barnaul, 'приём в Барнауле')?.key).toBe('barnaul');
  });
});

describe('recurrence', () => {
  it('weekly: every Tuesday in Инской, none on a public holiday', () => {
    expect(days(belovo, 'Инской', '2026-11-01', '2026-11-30')).toEqual([
      '2026-11-03',
      '2026-11-10',
      '2026-11-17',
      '2026-11-24',
    ]);
    // 2026-12-31 is a holiday (Thursday): no Thursday visits that day, the week before is normal.
    expect(days(belovo, '8 Марта', '2026-12-20', '2027-01-10')).toEqual(['2026-12-24']);
  });

  it('biweekly: Бачатский every other Friday from the anchor, both ways, skipping 1 January', () => {
    expect(days(belovo, 'Бачатский', '2026-10-01', '2027-01-31')).toEqual([
      '2026-10-09',
      '2026-10-23',
      '2026-11-06',
      '2026-11-20',
      '2026-12-04',
      '2026-12-18',
      // 2027-01-01 is the visit week but a holiday.
      '2027-01-15',
      '2027-01-29',
    ]);
    const bachatsky = entry(belovo, 'Бачатский');
    expect(occursOn(bachatsky, '2026-11-27', belovo)).toBe(false);
    expect(occursOn(bachatsky, '2026-11-19', belovo)).toBe(false); // a Thursday of a visit week
  });

  it('biweekly: an anchor on another weekday still fixes the parity of weeks', () => {
    const rule = { type: 'biweekly' as const, weekday: 'fri' as const, anchor: '2026-11-02' }; // a Monday
    const e = { ...entry(belovo, 'Бачатский'), rule };
    expect(occursOn(e, '2026-11-06', belovo)).toBe(true);
    expect(occursOn(e, '2026-11-13', belovo)).toBe(false);
    expect(occursOn(e, '2026-11-20', belovo)).toBe(true);
  });

  it('2nd and 4th Wednesday (Barnaul employment center) across month and year boundaries', () => {
    const employment = barnaul.outreach.find((e) => e.rule.type === 'monthly_nth');
    if (!employment) throw new Error('no monthly_nth entry');
    const wednesdays = visitsBetween(barnaul, [], '2026-11-01', '2027-02-28')
      .filter((v) => v.entryId === entryId(employment))
      .map((v) => v.date);
    expect(wednesdays).toEqual([
      '2026-11-11',
      '2026-11-25',
      '2026-12-09', // not 2 December (the 1st Wednesday), though it is a week after 25 November
      '2026-12-23', // not 30 December (the 5th)
      '2027-01-13',
      '2027-01-27',
      '2027-02-10',
      '2027-02-24',
    ]);
  });

  it('once: only on its date, even on a holiday; by arrangement: never by itself', () => {
    const once = { ...entry(belovo, 'Инской'), rule: { type: 'once' as const, date: '2026-12-31' } };
    expect(occursOn(once, '2026-12-31', belovo)).toBe(true);
    expect(occursOn(once, '2027-12-31', belovo)).toBe(false);
    expect(days(belovo, 'Старо-Белово', '2026-11-01', '2027-03-01')).toEqual([]);
  });
});

describe('staff changes', () => {
  it('a cancellation removes the visit but keeps it listed as cancelled, with the reason', () => {
    const cancel = change({
      kind: 'cancel',
      settlement: 'Бачатский',
      date: '2026-12-04',
      reason: 'карантин',
    });
    expect(days(belovo, 'Бачатский', '2026-11-28', '2026-12-31', [cancel])).toEqual(['2026-12-18']);
    const listed = visitsBetween(belovo, [cancel], '2026-12-04', '2026-12-04').filter(
      (v) => v.settlement === 'Бачатский',
    );
    expect(listed).toMatchObject([{ status: 'cancelled', reason: 'карантин' }]);
  });

  it('a cancellation of one entry leaves the other visits of that day (Barnaul Thursday)', () => {
    const thursday = visitsBetween(barnaul, [], '2026-12-03', '2026-12-03');
    expect(thursday).toHaveLength(3);
    const mfc = thursday.find((v) => v.place.ru === 'МФЦ Алтайского края');
    const cancel = change({
      kind: 'cancel',
      settlement: 'Барнаул',
      date: '2026-12-03',
      entryId: mfc?.entryId,
    });
    const after = visitsBetween(barnaul, [cancel], '2026-12-03', '2026-12-03');
    expect(after.filter((v) => v.status === 'cancelled').map((v) => v.place.ru)).toEqual([
      'МФЦ Алтайского края',
    ]);
    expect(after.filter((v) => v.status === 'scheduled')).toHaveLength(2);
  });

  it('a change moves the visit (also into a range from outside it) and remembers where it was', () => {
    const move = change({
      kind: 'change',
      settlement: 'Бачатский',
      date: '2026-12-04',
      newDate: '2026-12-05',
      hours: { from: '10:00', to: '14:00' },
    });
    const saturday = visitsBetween(belovo, [move], '2026-12-05', '2026-12-05');
    expect(saturday).toMatchObject([
      {
        settlement: 'Бачатский',
        date: '2026-12-05',
        hours: { from: '10:00', to: '14:00' },
        status: 'changed',
        was: { date: '2026-12-04', hours: { from: '09:00', to: '15:30' } },
      },
    ]);
    expect(days(belovo, 'Бачатский', '2026-12-04', '2026-12-04', [move])).toEqual([]);
    // Cancelling the moved visit refers to its new day.
    const cancel = change({ kind: 'cancel', settlement: 'Бачатский', date: '2026-12-05' });
    expect(days(belovo, 'Бачатский', '2026-12-01', '2026-12-10', [move, cancel])).toEqual([]);
  });

  it('an extra date adds a visit, e.g. the Старо-Белово mobile point', () => {
    const extra = change({
      kind: 'extra',
      settlement: 'Старо-Белово',
      date: '2026-12-02',
      hours: { from: '10:00', to: '13:00' },
      place: { ru: 'мкр Старо-Белово, ул. Ленина, 1' },
    });
    expect(
      visitsBetween(belovo, [extra], '2026-12-01', '2026-12-07').filter((v) => v.status === 'extra'),
    ).toMatchObject([
      { settlement: 'Старо-Белово', date: '2026-12-02', entryId: `x${extra.id}`, rule: 'extra' },
    ]);
  });

  it('next visits: the first days ahead, cancelled ones shown, a visit already over today left out', () => {
    const cancel = change({ kind: 'cancel', settlement: 'Бачатский', date: '2026-12-04' });
    const next = nextVisits(belovo, [cancel], 'Бачатский', at('2026-11-20T16:00'), 2);
    expect(next.map((v) => `${v.date} ${v.status}`)).toEqual([
      '2026-12-04 cancelled',
      '2026-12-18 scheduled',
      '2027-01-15 scheduled',
    ]);
    // In the morning of a visit day, that visit is still "next".
    expect(nextVisits(belovo, [], 'Бачатский', at('2026-11-20T10:00'), 1).map((v) => v.date)).toEqual([
      '2026-11-20',
    ]);
  });

  it('pending notices: made already and about a day not yet past', () => {
    const old = change({ kind: 'cancel', settlement: 'Инской', date: '2026-11-24' });
    const future = change({
      kind: 'cancel',
      settlement: 'Инской',
      date: '2026-12-01',
      createdAt: '2026-11-26T00:00:00Z',
    });
    expect(pendingChangeNotices([old, future], at('2026-11-25T12:00'), ZONE)).toEqual([]);
    expect(pendingChangeNotices([old, future], at('2026-11-26T12:00'), ZONE)).toEqual([future]);
  });
});

describe('reminders', () => {
  const kinds = (center: CenterProfile, now: Date, changes: OutreachChange[] = []) =>
    dueReminders(center, changes, now).map((r) => `${r.kind} ${r.settlement} ${r.date}`);

  it('the day before at 18:00 and on the morning at 08:00, for Бачатский only in its visit weeks', () => {
    expect(kinds(belovo, at('2026-11-19T17:59'))).toEqual([]);
    expect(kinds(belovo, at('2026-11-19T18:00'))).toEqual([
      'dayBefore Белово 2026-11-20',
      'dayBefore Грамотеино 2026-11-20',
      'dayBefore Бачатский 2026-11-20',
    ]);
    expect(kinds(belovo, at('2026-11-20T08:00'))).toEqual([
      'morning Белово 2026-11-20',
      'morning Грамотеино 2026-11-20',
      'morning Бачатский 2026-11-20',
    ]);
    // The off week: Friday 27 November has no Бачатский visit.
    expect(kinds(belovo, at('2026-11-26T18:00'))).not.toContain('dayBefore Бачатский 2026-11-27');
    expect(kinds(belovo, at('2026-11-26T18:00'))).toContain('dayBefore Грамотеино 2026-11-27');
  });

  it('a missed tick is caught up while still meaningful, then dropped', () => {
    // Day-before: until the morning reminder takes over.
    expect(kinds(belovo, at('2026-11-19T23:30'))).toContain('dayBefore Бачатский 2026-11-20');
    expect(kinds(belovo, at('2026-11-20T08:00'))).not.toContain('dayBefore Бачатский 2026-11-20');
    // Morning: until half an hour before the visit ends (09:00–15:30).
    expect(kinds(belovo, at('2026-11-20T14:59'))).toContain('morning Бачатский 2026-11-20');
    expect(kinds(belovo, at('2026-11-20T15:00'))).not.toContain('morning Бачатский 2026-11-20');
  });

  it('Barnaul: the Wednesday reminder only before the 2nd and 4th Wednesdays', () => {
    const tuesdayBefore2nd = kinds(barnaul, at('2026-12-08T18:00', 'Asia/Barnaul'));
    expect(tuesdayBefore2nd).toEqual(['dayBefore Барнаул 2026-12-09']);
    const reminder = dueReminders(barnaul, [], at('2026-12-09T08:00', 'Asia/Barnaul'))[0];
    expect(reminder?.visits.map((v) => `${v.place.ru} ${v.hours.from}–${v.hours.to}`)).toEqual([
      'Центр занятости населения 09:00–12:00',
    ]);
    expect(kinds(barnaul, at('2026-12-01T18:00', 'Asia/Barnaul'))).toEqual([]); // before the 1st Wednesday
    expect(kinds(barnaul, at('2026-12-29T18:00', 'Asia/Barnaul'))).toEqual([]); // before the 5th
  });

  it('no reminder for a cancelled visit', () => {
    const cancel = change({ kind: 'cancel', settlement: 'Бачатский', date: '2026-11-20' });
    expect(kinds(belovo, at('2026-11-19T18:00'), [cancel])).not.toContain('dayBefore Бачатский 2026-11-20');
  });

  it('quiet hours: nothing at night, postponed to 08:00 (the same or the next morning)', () => {
    expect(quietUntil(belovo, at('2026-11-19T21:30'))).toEqual(at('2026-11-20T08:00'));
    expect(quietUntil(belovo, at('2026-11-20T07:00'))).toEqual(at('2026-11-20T08:00'));
    expect(quietUntil(belovo, at('2026-11-20T12:00'))).toBeUndefined();
    const custom = {
      ...belovo,
      outreachReminders: { ...belovo.outreachReminders, quietHours: { from: '20:00', to: '09:00' } },
    };
    expect(quietUntil(custom, at('2026-11-19T20:30'))).toEqual(at('2026-11-20T09:00'));
  });

  it('local times are exact in zones without DST and across a DST change', () => {
    // Novokuznetsk and Barnaul are UTC+7 all year.
    expect(localInstant('2026-01-15', '08:00', ZONE).toISOString()).toBe('2026-01-15T01:00:00.000Z');
    expect(localInstant('2026-07-15', '08:00', 'Asia/Barnaul').toISOString()).toBe(
      '2026-07-15T01:00:00.000Z',
    );
    // Berlin leaves summer time on 25 October 2026: the 08:00 reminder moves by an hour in UTC, not locally.
    expect(localInstant('2026-10-24', '08:00', 'Europe/Berlin').toISOString()).toBe(
      '2026-10-24T06:00:00.000Z',
    );
    expect(localInstant('2026-10-26', '08:00', 'Europe/Berlin').toISOString()).toBe(
      '2026-10-26T07:00:00.000Z',
    );
    const berlin = { ...belovo, timeZone: 'Europe/Berlin' };
    expect(
      kinds(berlin, DateTime.fromISO('2026-10-26T08:00', { zone: 'Europe/Berlin' }).toJSDate()),
    ).toContain('morning Бабанаково 2026-10-26');
  });
});
