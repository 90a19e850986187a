import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CenterProfile, Specialist } from '../../config/center.ts';
import {
  type BookingRole,
  freeSlots,
  reminderTimes,
  type Slot,
  slotsByDay,
  specialistSlots,
  specialistsFor,
} from '../../domain/slots.ts';
import { loadBelovo } from '../support/fixtures.ts';

const belovo = await loadBelovo();
const ZONE = 'Asia/Novokuznetsk';

/**
 * Local wall-clock moments in Belovo (UTC+7). Week of 23–29.11.2026: Mon 23, Tue 24, Wed 25, Thu 26, Fri 27,
 * Sat 28, Sun 29. `at('2026-11-24 09:00')` is that local moment; `local(date)` renders an instant back the same way.
 */
function at(spec: string): Date {
  const moment = DateTime.fromFormat(spec, 'yyyy-MM-dd HH:mm', { zone: ZONE });
  if (!moment.isValid) throw new Error(`bad moment ${spec}`);
  return moment.toJSDate();
}

function local(date: Date): string {
  return DateTime.fromJSDate(date).setZone(ZONE).toFormat('yyyy-MM-dd HH:mm');
}

function specialist(id: string): Specialist {
  const found = belovo.specialists.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no specialist ${id} in the Belovo profile`);
  return found;
}

/** Local start times of one specialist's slots on one local day. */
function startsOn(center: CenterProfile, id: string, date: string): string[] {
  const found = center.specialists.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no specialist ${id}`);
  return specialistSlots(center, found, at(`${date} 00:00`), 1).map((slot) => local(slot.startsAt).slice(11));
}

function patched(change: (profile: CenterProfile) => void): CenterProfile {
  const profile = structuredClone(belovo);
  change(profile);
  return profile;
}

const LAWYER_DAY = ['09:00', '09:45', '10:30', '11:15', '13:00', '13:45', '14:30', '15:15'];
// After the 12:00–12:48 lunch the first slot is on the quarter-hour grid: 13:00, not 12:48.
const PSYCHOLOGIST_DAY = ['09:00', '09:50', '10:40', '13:00', '13:50', '14:40'];

describe('the calendar used by these tests', () => {
  it('is UTC+7 with the weekdays the tables assume', () => {
    expect(at('2026-11-24 09:00').toISOString()).toBe('2026-11-24T02:00:00.000Z');
    expect(DateTime.fromJSDate(at('2026-11-24 09:00')).setZone(ZONE).weekday).toBe(2);
    expect(DateTime.fromJSDate(at('2026-11-28 09:00')).setZone(ZONE).weekday).toBe(6);
    expect(DateTime.fromJSDate(at('2027-01-05 09:00')).setZone(ZONE).weekday).toBe(2);
    expect(DateTime.fromJSDate(at('2026-11-04 09:00')).setZone(ZONE).weekday).toBe(3);
  });
});

describe('specialistsFor', () => {
  it.each([
    ['lawyer', ['lawyer-1']],
    ['psychologist', ['psychologist-1']],
    ['other', ['family-specialist-1']],
  ] as const)('%s → %j', (role, ids) => {
    expect(specialistsFor(belovo, role).map((found) => found.id)).toEqual(ids);
  });
});

describe('specialistSlots', () => {
  it("gives the lawyer's Tuesday back to back, none crossing the 12:00–13:00 break", () => {
    const slots = specialistSlots(belovo, specialist('lawyer-1'), at('2026-11-23 06:00'), 2);
    expect(slots.map((slot) => local(slot.startsAt))).toEqual(LAWYER_DAY.map((time) => `2026-11-24 ${time}`));
    for (const slot of slots) {
      expect(slot.specialistId).toBe('lawyer-1');
      expect(slot.endsAt.getTime() - slot.startsAt.getTime()).toBe(45 * 60_000);
      const [start, end] = [local(slot.startsAt).slice(11), local(slot.endsAt).slice(11)];
      expect(end <= '12:00' || start >= '13:00').toBe(true);
    }
    expect(local(slots[3]?.endsAt ?? new Date(0))).toBe('2026-11-24 12:00');
    expect(local(slots[7]?.endsAt ?? new Date(0))).toBe('2026-11-24 16:00');
  });

  it.each([
    ['lawyer-1', '2026-11-23', []], // Monday: the lawyer receives on Tuesdays and Thursdays only
    ['lawyer-1', '2026-11-24', LAWYER_DAY],
    ['lawyer-1', '2026-11-26', LAWYER_DAY],
    ['lawyer-1', '2026-11-28', []], // Saturday
    // 50 minutes: 11:30 would end at 12:20, 15:30 at 16:20 — both dropped.
    ['psychologist-1', '2026-11-25', PSYCHOLOGIST_DAY],
    ['psychologist-1', '2026-11-29', []], // Sunday
    // Center hours 08:00–12:00, 12:48–17:00 in 30-minute slots; the afternoon starts at 13:00 (grid).
    [
      'family-specialist-1',
      '2026-11-27',
      [
        ...['08:00', '08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30'],
        ...['13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30'],
      ],
    ],
  ])('%s on %s → %j', (id, date, times) => {
    expect(startsOn(belovo, id, date)).toEqual(times);
  });

  it.each([
    // from → first lawyer slot; lead time is 120 minutes.
    ['2026-11-24 06:00', '2026-11-24 09:00'],
    ['2026-11-24 07:00', '2026-11-24 09:00'], // exactly two hours ahead is allowed
    ['2026-11-24 07:01', '2026-11-24 09:45'],
    ['2026-11-24 08:00', '2026-11-24 10:30'],
    ['2026-11-24 08:30', '2026-11-24 10:30'],
    ['2026-11-24 08:31', '2026-11-24 11:15'],
    ['2026-11-24 10:00', '2026-11-24 13:00'], // 12:00 is within two hours, the break follows
    ['2026-11-24 13:16', '2026-11-26 09:00'], // 15:15 is 1 h 59 min ahead
    ['2026-11-24 23:30', '2026-11-26 09:00'],
  ])('from %s the first lawyer slot is %s', (from, first) => {
    const slots = specialistSlots(belovo, specialist('lawyer-1'), at(from));
    expect(local(slots[0]?.startsAt ?? new Date(0))).toBe(first);
    expect(slots.every((slot) => slot.startsAt.getTime() >= at(from).getTime() + 120 * 60_000)).toBe(true);
  });

  it('covers searchDays local days from the day of `from` by default', () => {
    const slots = specialistSlots(belovo, specialist('lawyer-1'), at('2026-11-23 06:00'));
    const days = new Set(slots.map((slot) => local(slot.startsAt).slice(0, 10)));
    // 14 days: 23.11–06.12, Tuesdays and Thursdays.
    expect([...days]).toEqual(['2026-11-24', '2026-11-26', '2026-12-01', '2026-12-03']);
    expect(specialistSlots(belovo, specialist('lawyer-1'), at('2026-11-23 06:00'), 3)).toHaveLength(8);
  });

  it.each([
    ['lawyer-1', '2027-01-05'], // Tuesday in the New Year holidays
    ['lawyer-1', '2027-01-07'],
    ['psychologist-1', '2026-11-04'], // Unity Day, a Wednesday
    ['family-specialist-1', '2026-11-04'],
    ['psychologist-1', '2026-01-09'], // transferred from Sat 3 January by the 2026 decree
    ['psychologist-1', '2026-03-09'], // 8 March is a Sunday
    ['psychologist-1', '2026-12-31'],
  ])('%s has no slots on the holiday %s', (id, date) => {
    expect(startsOn(belovo, id, date)).toEqual([]);
  });

  it('skips holidays when searching ahead', () => {
    expect(startsOn(belovo, 'psychologist-1', '2026-11-05')).toEqual(PSYCHOLOGIST_DAY);
    const slots = specialistSlots(belovo, specialist('lawyer-1'), at('2027-01-04 00:00'));
    expect(local(slots[0]?.startsAt ?? new Date(0))).toBe('2027-01-12 09:00');
  });

  it("skips the specialist's own days off, not the others'", () => {
    const profile = patched((p) => {
      const psychologist = p.specialists.find((s) => s.id === 'psychologist-1');
      if (psychologist) psychologist.daysOff = ['2026-11-25'];
    });
    expect(startsOn(profile, 'psychologist-1', '2026-11-25')).toEqual([]);
    expect(startsOn(profile, 'psychologist-1', '2026-11-26')).toEqual(PSYCHOLOGIST_DAY);
    expect(startsOn(profile, 'family-specialist-1', '2026-11-25')).toHaveLength(16);
  });

  it('rounds every period start up to the quarter-hour grid, then goes back to back', () => {
    const offGrid = patched((p) => {
      const lawyer = p.specialists.find((candidate) => candidate.id === 'lawyer-1');
      if (lawyer)
        lawyer.workingHours = {
          tue: [
            { from: '09:07', to: '11:00' },
            { from: '12:48', to: '14:00' },
          ],
        };
    });
    // 09:07 → 09:15, 10:00 (10:45 would end at 11:30); 12:48 → 13:00 (13:45 would end at 14:30).
    expect(startsOn(offGrid, 'lawyer-1', '2026-11-24')).toEqual(['09:15', '10:00', '13:00']);
  });

  it('works a transferred Saturday with the periods of its weekday', () => {
    const asTuesday = patched((p) => {
      p.calendar.workingWeekends = [{ date: '2026-11-28', as: 'tue' }];
    });
    expect(startsOn(asTuesday, 'lawyer-1', '2026-11-28')).toEqual(LAWYER_DAY);
    expect(startsOn(asTuesday, 'psychologist-1', '2026-11-28')).toEqual(PSYCHOLOGIST_DAY);
    expect(startsOn(asTuesday, 'lawyer-1', '2026-11-29')).toEqual([]); // the Sunday stays off
    const asWednesday = patched((p) => {
      p.calendar.workingWeekends = [{ date: '2026-11-28', as: 'wed' }];
    });
    expect(startsOn(asWednesday, 'lawyer-1', '2026-11-28')).toEqual([]); // no Wednesday hours
    expect(startsOn(asWednesday, 'family-specialist-1', '2026-11-28')).toHaveLength(16);
  });
});

describe('freeSlots', () => {
  const from = at('2026-11-23 06:00');
  const describeSlots = (slots: Slot[]) =>
    slots.map((slot) => `${local(slot.startsAt)} ${slot.specialistId}`);

  it('leaves out the taken slots of that specialist only', () => {
    const taken = [
      { specialistId: 'lawyer-1', startsAt: at('2026-11-24 09:45') },
      { specialistId: 'lawyer-1', startsAt: at('2026-11-24 13:00') },
      { specialistId: 'psychologist-1', startsAt: at('2026-11-24 09:00') }, // another specialist
      { specialistId: 'lawyer-1', startsAt: at('2026-11-24 09:10') }, // not a slot start: no effect
    ];
    const slots = freeSlots(belovo, 'lawyer', from, taken, 2);
    expect(slots.map((slot) => local(slot.startsAt).slice(11))).toEqual(
      LAWYER_DAY.filter((time) => time !== '09:45' && time !== '13:00'),
    );
    expect(freeSlots(belovo, 'lawyer', from, [], 2)).toHaveLength(8);
  });

  it.each([
    ['lawyer', 2, 8],
    ['psychologist', 2, 12], // Mon and Tue
    ['other', 1, 16],
  ] as const)('%s over %d days → %d slots', (role: BookingRole, days, count) => {
    expect(freeSlots(belovo, role, from, [], days)).toHaveLength(count);
  });

  it("merges everyone else's slots for 'other' in time order", () => {
    const speechTherapist: Specialist = {
      id: 'speech-therapist-1',
      role: 'speech_therapist',
      name: { ru: 'Логопед' },
      formats: ['in_person'],
      workingHours: { mon: [{ from: '09:15', to: '10:45' }] },
      slotMinutes: 45,
      daysOff: [],
    };
    const profile = patched((p) => {
      p.specialists.push(speechTherapist);
    });
    const taken = [{ specialistId: 'family-specialist-1', startsAt: at('2026-11-23 09:30') }];
    const slots = freeSlots(profile, 'other', at('2026-11-23 06:00'), taken, 1);
    expect(describeSlots(slots).slice(0, 6)).toEqual([
      '2026-11-23 08:00 family-specialist-1',
      '2026-11-23 08:30 family-specialist-1',
      '2026-11-23 09:00 family-specialist-1',
      '2026-11-23 09:15 speech-therapist-1',
      '2026-11-23 10:00 family-specialist-1', // 09:30 is taken
      '2026-11-23 10:00 speech-therapist-1', // same time: profile order
    ]);
    expect(slots).toHaveLength(15 + 2);
    expect(
      slots.some((slot) => slot.specialistId === 'lawyer-1' || slot.specialistId === 'psychologist-1'),
    ).toBe(false);
  });
});

describe('slotsByDay', () => {
  it('groups by local day, days and times in order', () => {
    const slots = specialistSlots(belovo, specialist('lawyer-1'), at('2026-11-23 06:00'), 7).reverse();
    const days = slotsByDay(slots, ZONE);
    expect(days.map((day) => day.date)).toEqual(['2026-11-24', '2026-11-26']);
    expect(days.map((day) => day.slots.map((slot) => local(slot.startsAt).slice(11)))).toEqual([
      LAWYER_DAY,
      LAWYER_DAY,
    ]);
  });

  it("uses the given zone's calendar day", () => {
    // 06:30 in Belovo is still the previous day in UTC.
    const early = { specialistId: 'x', startsAt: at('2026-11-24 06:30'), endsAt: at('2026-11-24 07:00') };
    const late = { specialistId: 'x', startsAt: at('2026-11-24 09:00'), endsAt: at('2026-11-24 09:30') };
    expect(slotsByDay([late, early], ZONE).map((day) => [day.date, day.slots.length])).toEqual([
      ['2026-11-24', 2],
    ]);
    expect(slotsByDay([late, early], 'UTC').map((day) => day.date)).toEqual(['2026-11-23', '2026-11-24']);
    expect(slotsByDay([], ZONE)).toEqual([]);
  });
});

describe('reminderTimes (day before at 12:00, quiet hours 21:00–08:00)', () => {
  const render = (slot: [string, string], bookedAt: string) => {
    const times = reminderTimes(belovo, { startsAt: at(slot[0]), endsAt: at(slot[1]) }, at(bookedAt));
    return {
      dayBefore: times.dayBefore ? local(times.dayBefore) : '—',
      twoHoursBefore: times.twoHoursBefore ? local(times.twoHoursBefore) : '—',
      attendanceCheck: local(times.attendanceCheck),
    };
  };

  it.each([
    // [slot], booked at → day before, 2 hours before, attendance check
    [
      ['2026-11-24 09:00', '2026-11-24 09:45'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '—',
      '2026-11-24 10:45',
    ], // 07:00 is quiet
    [
      ['2026-11-24 15:00', '2026-11-24 15:45'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '2026-11-24 13:00',
      '2026-11-24 16:45',
    ],
    [
      ['2026-11-24 10:00', '2026-11-24 10:45'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '2026-11-24 08:00',
      '2026-11-24 11:45',
    ], // 08:00 is no longer quiet
    [
      ['2026-11-24 09:50', '2026-11-24 10:40'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '—',
      '2026-11-24 11:40',
    ], // 07:50 is quiet
    [
      ['2026-11-30 09:00', '2026-11-30 09:45'],
      '2026-11-27 16:00',
      '2026-11-29 12:00',
      '—',
      '2026-11-30 10:45',
    ], // Monday: reminded on Sunday
    // Booked the same morning: no day-before reminder.
    [
      ['2026-11-24 15:00', '2026-11-24 15:45'],
      '2026-11-24 06:30',
      '—',
      '2026-11-24 13:00',
      '2026-11-24 16:45',
    ],
    // Booked the day before after 12:00: too late for the day-before reminder.
    [
      ['2026-11-24 15:00', '2026-11-24 15:45'],
      '2026-11-23 12:00',
      '—',
      '2026-11-24 13:00',
      '2026-11-24 16:45',
    ],
    [
      ['2026-11-24 15:00', '2026-11-24 15:45'],
      '2026-11-23 11:59',
      '2026-11-23 12:00',
      '2026-11-24 13:00',
      '2026-11-24 16:45',
    ],
    // Booked exactly two hours ahead: the two-hour reminder would be now.
    [['2026-11-24 15:00', '2026-11-24 15:45'], '2026-11-24 13:00', '—', '—', '2026-11-24 16:45'],
    // Attendance: one hour after the end, or the next morning at 08:00.
    [
      ['2026-11-24 16:15', '2026-11-24 17:00'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '2026-11-24 14:15',
      '2026-11-24 18:00',
    ],
    [
      ['2026-11-24 19:00', '2026-11-24 19:59'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '2026-11-24 17:00',
      '2026-11-24 20:59',
    ],
    [
      ['2026-11-24 19:30', '2026-11-24 20:00'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '2026-11-24 17:30',
      '2026-11-25 08:00',
    ], // 21:00 is quiet
    [
      ['2026-11-24 19:45', '2026-11-24 20:30'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '2026-11-24 17:45',
      '2026-11-25 08:00',
    ],
    [
      ['2026-11-24 22:45', '2026-11-24 23:30'],
      '2026-11-20 10:00',
      '2026-11-23 12:00',
      '2026-11-24 20:45',
      '2026-11-25 08:00',
    ], // 00:30 → the same date's morning
  ] as Array<[[string, string], string, string, string, string]>)(
    'slot %j booked %s → day before %s, 2 h before %s, attendance %s',
    (slot, bookedAt, dayBefore, twoHoursBefore, attendanceCheck) => {
      expect(render(slot, bookedAt)).toEqual({ dayBefore, twoHoursBefore, attendanceCheck });
    },
  );

  it('omits the optional reminders rather than setting them to undefined', () => {
    const times = reminderTimes(
      belovo,
      { startsAt: at('2026-11-24 09:00'), endsAt: at('2026-11-24 09:45') },
      at('2026-11-24 06:00'),
    );
    expect(Object.keys(times)).toEqual(['attendanceCheck']);
  });

  it('follows the configured hours', () => {
    const profile = patched((p) => {
      p.booking.dayBeforeReminderAt = '18:30';
      p.booking.quietHours = { from: '22:00', to: '09:00' };
    });
    const times = reminderTimes(
      profile,
      { startsAt: at('2026-11-24 10:30'), endsAt: at('2026-11-24 20:30') },
      at('2026-11-20 10:00'),
    );
    expect(local(times.dayBefore ?? new Date(0))).toBe('2026-11-23 18:30');
    expect(times.twoHoursBefore).toBeUndefined(); // 08:30 is quiet until 09:00
    expect(local(times.attendanceCheck)).toBe('2026-11-24 21:30');
  });
});
