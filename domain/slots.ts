import { DateTime } from 'luxon';
import {
  type CenterProfile,
  isQuietClock,
  type Specialist,
  WEEKDAYS,
  type Weekday,
} from '../config/center.ts';
import { isHoliday } from './holidays.ts';

/** One bookable appointment time of one specialist. */
export type Slot = { specialistId: string; startsAt: Date; endsAt: Date };

/** The need a family names when booking. */
export type BookingRole = 'lawyer' | 'psychologist' | 'other';

/** Specialists serving a need: lawyer → role lawyer; psychologist → psychologist; other → everyone else. */
export function specialistsFor(center: CenterProfile, role: BookingRole): Specialist[] {
  return center.specialists.filter((specialist) =>
    role === 'other'
      ? specialist.role !== 'lawyer' && specialist.role !== 'psychologist'
      : specialist.role === role,
  );
}

/** "HH:MM" on a local day. */
function atClock(day: DateTime, clock: string): DateTime {
  const [hour = 0, minute = 0] = clock.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

/**
 * Slot starts sit on a quarter-hour grid: a period that begins off the grid (the 12:48 end of lunch) starts
 * its first slot at the next quarter hour (13:00), and the slots follow back to back from there. Families get
 * times they can remember and say on the phone; a 50-minute specialist still loses no slot before lunch.
 */
export const SLOT_GRID_MINUTES = 15;

/** The first grid moment at or after `moment`. */
function onGrid(moment: DateTime): DateTime {
  const minutes = moment.hour * 60 + moment.minute;
  const rounded = Math.ceil(minutes / SLOT_GRID_MINUTES) * SLOT_GRID_MINUTES;
  return moment.startOf('day').plus({ minutes: rounded });
}

/**
 * Which weekday's periods apply on a local day: a transferred working weekend works as its `as` weekday,
 * any other day as itself; null on a center holiday or the specialist's day off.
 */
function scheduleOf(center: CenterProfile, specialist: Specialist, day: DateTime): Weekday | null {
  const date = day.toISODate() ?? '';
  if (isHoliday(date, center.calendar) || specialist.daysOff.includes(date)) return null;
  const transferred = center.calendar.workingWeekends.find((entry) => entry.date === date);
  return transferred ? transferred.as : (WEEKDAYS[day.weekday - 1] ?? null);
}

/**
 * All slots of one specialist from `from` for `days` local days: within their working periods, slotMinutes long,
 * back to back from the period's start rounded up to the quarter-hour grid (SLOT_GRID_MINUTES), a slot never crossing a break; skipping center holidays, the specialist's daysOff, and weekends
 * unless listed in calendar.workingWeekends (then using the periods of `as`); only slots starting at or after
 * from + booking.minLeadMinutes.
 *
 * Weekends are skipped because the working hours have no Saturday/Sunday periods; a profile that does give a
 * weekday like `sat` periods is taken at its word.
 */
export function specialistSlots(
  center: CenterProfile,
  specialist: Specialist,
  from: Date,
  days: number = center.booking.searchDays,
): Slot[] {
  const zone = center.timeZone;
  const hours = specialist.workingHours ?? center.workingHours;
  const earliest = DateTime.fromJSDate(from).plus({ minutes: center.booking.minLeadMinutes });
  const firstDay = DateTime.fromJSDate(from).setZone(zone).startOf('day');
  const slots: Slot[] = [];
  for (let offset = 0; offset < days; offset++) {
    const day = firstDay.plus({ days: offset });
    const weekday = scheduleOf(center, specialist, day);
    if (!weekday) continue;
    for (const period of hours[weekday] ?? []) {
      const end = atClock(day, period.to);
      let start = onGrid(atClock(day, period.from));
      while (true) {
        const slotEnd = start.plus({ minutes: specialist.slotMinutes });
        if (slotEnd > end) break;
        if (start >= earliest) {
          slots.push({ specialistId: specialist.id, startsAt: start.toJSDate(), endsAt: slotEnd.toJSDate() });
        }
        start = slotEnd;
      }
    }
  }
  return slots.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

/** Free slots for a need across its specialists, earliest first; `taken` are (specialistId, startsAt) pairs already held or booked. */
export function freeSlots(
  center: CenterProfile,
  role: BookingRole,
  from: Date,
  taken: Array<{ specialistId: string; startsAt: Date }>,
  days: number = center.booking.searchDays,
): Slot[] {
  const busy = new Set(taken.map((slot) => `${slot.specialistId}@${slot.startsAt.getTime()}`));
  return specialistsFor(center, role)
    .flatMap((specialist) => specialistSlots(center, specialist, from, days))
    .filter((slot) => !busy.has(`${slot.specialistId}@${slot.startsAt.getTime()}`))
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

/** Groups slots by local calendar day (yyyy-MM-dd), days in order. */
export function slotsByDay(slots: Slot[], timeZone: string): Array<{ date: string; slots: Slot[] }> {
  const days = new Map<string, Slot[]>();
  const ordered = [...slots].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  for (const slot of ordered) {
    const date = DateTime.fromJSDate(slot.startsAt).setZone(timeZone).toISODate() ?? '';
    const day = days.get(date);
    if (day) day.push(slot);
    else days.set(date, [slot]);
  }
  return [...days].map(([date, daySlots]) => ({ date, slots: daySlots }));
}

/**
 * When to remind and ask about attendance, never in quiet hours: dayBefore = previous local day at
 * booking.dayBeforeReminderAt (omitted if not after bookedAt); twoHoursBefore = startsAt − 2 h (omitted if in
 * quiet hours or not after bookedAt); attendanceCheck = endsAt + 1 h, moved to quietHours.to of the next
 * morning if it falls in quiet hours.
 */
export function reminderTimes(
  center: CenterProfile,
  slot: { startsAt: Date; endsAt: Date },
  bookedAt: Date,
): { dayBefore?: Date; twoHoursBefore?: Date; attendanceCheck: Date } {
  const zone = center.timeZone;
  const { dayBeforeReminderAt, quietHours } = center.booking;
  const quiet = (moment: DateTime) => isQuietClock(moment.toFormat('HH:mm'), quietHours);
  const booked = bookedAt.getTime();

  const startsAt = DateTime.fromJSDate(slot.startsAt).setZone(zone);
  const dayBefore = atClock(startsAt.minus({ days: 1 }).startOf('day'), dayBeforeReminderAt);
  const twoHoursBefore = startsAt.minus({ hours: 2 });

  let attendanceCheck: DateTime = DateTime.fromJSDate(slot.endsAt).setZone(zone).plus({ hours: 1 });
  if (quiet(attendanceCheck)) {
    // The first quietHours.to after it: the same date if past midnight, else the next one.
    const sameDate = atClock(attendanceCheck.startOf('day'), quietHours.to);
    attendanceCheck =
      sameDate > attendanceCheck ? sameDate : atClock(sameDate.plus({ days: 1 }), quietHours.to);
  }

  return {
    ...(dayBefore.toMillis() > booked && !quiet(dayBefore) ? { dayBefore: dayBefore.toJSDate() } : {}),
    ...(twoHoursBefore.toMillis() > booked && !quiet(twoHoursBefore)
      ? { twoHoursBefore: twoHoursBefore.toJSDate() }
      : {}),
    attendanceCheck: attendanceCheck.toJSDate(),
  };
}
