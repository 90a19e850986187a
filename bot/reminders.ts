import type { Logger } from 'pino';
import { type CenterProfile, toLocale } from '../config/center.ts';
import type { BookingReminderKind } from '../scheduler/jobs.ts';
import type { BookingReminderHandler } from '../scheduler/scheduler.ts';
import {
  claimBookingReminder,
  getBooking,
  type ReminderLedgerColumn,
  releaseBookingReminder,
} from '../storage/bookings.ts';
import { getContact } from '../storage/contacts.ts';
import type { Db } from '../storage/db.ts';
import { attendanceQuestion, bookingReminder } from './booking-messages.ts';
import type { Runtime } from './runtime.ts';

export type ReminderHandlerDeps = {
  db: Db;
  center: CenterProfile;
  runtime: Pick<Runtime, 'sendSystemMessage'>;
  clock?: () => Date;
  logger?: Logger;
};

const LEDGER: Record<BookingReminderKind, ReminderLedgerColumn> = {
  dayBefore: 'reminded_day_before_at',
  twoHours: 'reminded_two_hours_at',
  attendance: 'attendance_asked_at',
};

/**
 * Sends one reminder of a booking when its job fires. Only a confirmed booking with a contact is reminded, and
 * only once: the ledger column is claimed atomically before the message is stored, so a retried job or one
 * re-created at start-up finds it taken. A reminder whose appointment has already begun (a job delayed by an
 * outage) is not sent.
 */
export function createReminderHandler(deps: ReminderHandlerDeps): BookingReminderHandler {
  const clock = deps.clock ?? (() => new Date());
  return async (kind, bookingId) => {
    const booking = await getBooking(deps.db, bookingId);
    if (booking?.status !== 'confirmed' || booking.contact_id === null) return;
    const now = clock();
    if (kind !== 'attendance' && booking.starts_at.getTime() <= now.getTime()) return;
    const contact = await getContact(deps.db, booking.contact_id);
    if (!contact) return;
    const column = LEDGER[kind];
    if (!(await claimBookingReminder(deps.db, booking.id, column, now))) return;
    const locale = toLocale(contact.locale);
    const message =
      kind === 'attendance'
        ? attendanceQuestion(booking, deps.center, now, locale)
        : bookingReminder(booking, kind, deps.center, now, locale);
    try {
      await deps.runtime.sendSystemMessage(contact.id, [message]);
    } catch (error) {
      await releaseBookingReminder(deps.db, booking.id, column, now);
      throw error;
    }
    deps.logger?.info({ bookingId, kind }, 'booking reminder sent');
  };
}
