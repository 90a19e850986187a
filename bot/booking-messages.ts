import { DateTime } from 'luxon';
import {
  type CenterProfile,
  type Locale,
  localized,
  type Specialist,
  specialistPlace,
  WEEKDAYS,
} from '../config/center.ts';
import { relativeMomentArgs } from '../domain/moments.ts';
import type { Slot } from '../domain/slots.ts';
import { encodeSlotPayload } from '../flows/slot-payload.ts';
import { type Button, type Msg, msg, type OutboundMessage } from '../flows/types.ts';
import type { BookingReminderKind } from '../scheduler/jobs.ts';
import type { Booking } from '../storage/schema.ts';

/**
 * Messages the system sends about a booking on its own initiative: reminders, the attendance question, a
 * cancellation by the center, a route-sheet item a dispatcher added. Channel-neutral and pure: the runtime
 * renders them in the contact's language. Names and places come from the center profile, so the caller passes
 * the contact's locale for them (Russian by default).
 */

export type ReminderKind = Exclude<BookingReminderKind, 'attendance'>;

/** The button every booking message carries: the family's list of appointments, to cancel or reschedule. */
export const MY_BOOKINGS_PAYLOAD = 'menu:bookings';
const myBookingsButton: Button = { label: msg('my-bookings-button'), payload: MY_BOOKINGS_PAYLOAD };

/** Attendance answers: "attend:yes:<bookingId>" / "attend:no:<bookingId>". */
export const attendancePayload = (answer: 'yes' | 'no', bookingId: number) => `attend:${answer}:${bookingId}`;

export function parseAttendancePayload(
  payload: string,
): { attended: boolean; bookingId: number } | undefined {
  const match = /^attend:(yes|no):(\d{1,10})$/.exec(payload);
  if (!match?.[2]) return undefined;
  return { attended: match[1] === 'yes', bookingId: Number(match[2]) };
}

/** At most this many alternative slots are offered when the center cancels. */
export const MAX_ALTERNATIVES = 3;

/** A moment as Fluent args `whenDay` (today | tomorrow | other), `whenDate`, `whenTime`, `whenWeekday` (mon…sun). */
export function whenArgs(at: Date, now: Date, timeZone: string): Record<string, string> {
  const weekday = WEEKDAYS[DateTime.fromJSDate(at).setZone(timeZone).weekday - 1] ?? 'mon';
  return { ...relativeMomentArgs(at, now, timeZone, 'when'), whenWeekday: weekday };
}

function specialistOf(center: CenterProfile, booking: Booking): Specialist | undefined {
  return booking.specialist_id
    ? center.specialists.find((specialist) => specialist.id === booking.specialist_id)
    : undefined;
}

/** Who the appointment is with, in one phrase: the specialist's name or the partner organisation. */
function who(center: CenterProfile, booking: Booking, locale: Locale): string {
  if (booking.kind === 'partner') return booking.partner_org ?? '—';
  const specialist = specialistOf(center, booking);
  return specialist ? localized(specialist.name, locale) : (booking.specialist_id ?? '—');
}

/** Who, where and what to bring, one line each; lines without data are left out. */
function details(center: CenterProfile, booking: Booking, locale: Locale): Msg[] {
  if (booking.kind === 'partner') {
    const lines: Msg[] = [];
    if (booking.partner_org) lines.push(msg('reminder-partner-org', { org: booking.partner_org }));
    if (booking.partner_address)
      lines.push(msg('reminder-partner-address', { address: booking.partner_address }));
    if (booking.partner_person)
      lines.push(msg('reminder-partner-person', { person: booking.partner_person }));
    if (booking.partner_phone) lines.push(msg('reminder-partner-phone', { phone: booking.partner_phone }));
    return lines;
  }
  const specialist = specialistOf(center, booking);
  if (!specialist) return [];
  const lines: Msg[] = [msg('reminder-with', { specialist: localized(specialist.name, locale) })];
  if (booking.format === 'phone') lines.push(msg('reminder-by-phone'));
  else if (booking.format === 'video') lines.push(msg('reminder-by-video'));
  else lines.push(msg('reminder-place', { place: localized(specialistPlace(center, specialist), locale) }));
  const service = center.services.find((candidate) => candidate.id === specialist.service);
  // Documents matter only when the family comes in: a phone or video consultation needs none.
  const inPerson = booking.format !== 'phone' && booking.format !== 'video';
  if (inPerson && service?.whatToBring)
    lines.push(msg('reminder-bring', { items: localized(service.whatToBring, locale) }));
  return lines;
}

/** How to change plans: in chat for the center's own appointments; with the partner (or us) for route items. */
function changeHint(center: CenterProfile, booking: Booking): Msg {
  return booking.kind === 'partner'
    ? msg('reminder-change-partner', { phone: center.phone })
    : msg('reminder-change');
}

/** The reminder the day before or two hours before: when, who, where, what to bring, how to change plans. */
export function bookingReminder(
  booking: Booking,
  kind: ReminderKind,
  center: CenterProfile,
  now: Date,
  locale: Locale = 'ru',
): OutboundMessage {
  const when = whenArgs(booking.starts_at, now, center.timeZone);
  const lines = details(center, booking, locale);
  return {
    parts: [
      msg(kind === 'dayBefore' ? 'reminder-day-before' : 'reminder-two-hours', when),
      ...(lines.length > 0 ? [lines] : []),
      changeHint(center, booking),
    ],
    buttons: [[myBookingsButton]],
  };
}

/** After the appointment: did it take place? The answer marks attendance. */
export function attendanceQuestion(
  booking: Booking,
  center: CenterProfile,
  now: Date,
  locale: Locale = 'ru',
): OutboundMessage {
  return {
    parts: [
      msg('attendance-question', {
        ...whenArgs(booking.starts_at, now, center.timeZone),
        who: who(center, booking, locale),
      }),
    ],
    buttons: [
      [
        { label: msg('attend-yes'), payload: attendancePayload('yes', booking.id) },
        { label: msg('attend-no'), payload: attendancePayload('no', booking.id) },
      ],
    ],
  };
}

/**
 * The center had to cancel: an apology, and the nearest free times as buttons (a tap starts booking that
 * slot), or the center's phone when nothing is free.
 */
export function staffCancellation(
  booking: Booking,
  center: CenterProfile,
  alternatives: Slot[],
  now: Date,
  locale: Locale = 'ru',
): OutboundMessage {
  const offered = alternatives.slice(0, MAX_ALTERNATIVES);
  return {
    parts: [
      msg('staff-cancelled', {
        ...whenArgs(booking.starts_at, now, center.timeZone),
        who: who(center, booking, locale),
      }),
      offered.length > 0
        ? msg('staff-cancelled-alternatives')
        : msg('staff-cancelled-no-alternatives', { phone: center.phone }),
    ],
    buttons: [
      ...offered.map((slot) => [
        {
          label: msg('alt-slot-button', whenArgs(slot.startsAt, now, center.timeZone)),
          payload: encodeSlotPayload(slot),
        },
      ]),
      [myBookingsButton],
    ],
  };
}

/** A dispatcher booked an appointment for the family (a route-sheet item): what, where, and that we remind. */
export function routeItemConfirmation(
  booking: Booking,
  center: CenterProfile,
  now: Date,
  locale: Locale = 'ru',
): OutboundMessage {
  const lines = details(center, booking, locale);
  return {
    parts: [
      msg('route-item-booked', whenArgs(booking.starts_at, now, center.timeZone)),
      ...(lines.length > 0 ? [lines] : []),
      msg('route-item-next', { phone: center.phone }),
    ],
    buttons: [[myBookingsButton]],
  };
}
