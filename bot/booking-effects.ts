import type { Logger } from 'pino';
import type { CenterProfile } from '../config/center.ts';
import { type BookingRole, freeSlots, type Slot, slotsByDay } from '../domain/slots.ts';
import type { Effect, SlotInfo, SystemEvent } from '../flows/types.ts';
import type { JobScheduler } from '../scheduler/scheduler.ts';
import {
  cancelBooking,
  confirmBooking,
  getBooking,
  holdSlot,
  markAttendance,
  takenSlots,
  upcomingBookings,
} from '../storage/bookings.ts';
import type { Db } from '../storage/db.ts';
import { planFollowUpAfterVisit } from './follow-ups.ts';

export type BookingEffect = Extract<
  Effect,
  { type: 'findSlots' | 'holdSlot' | 'confirmBooking' | 'listBookings' | 'cancelBooking' | 'markAttendance' }
>;

export type BookingEffectContext = {
  tx: Db;
  contactId: number;
  now: Date;
  center: CenterProfile;
  scheduler: JobScheduler;
  afterCommit: Array<() => Promise<void>>;
  logger: Logger;
};

const DAYS_OFFERED = 5;
const TIMES_PER_DAY = 8;
const ALTERNATIVES = 4;

export const isBookingEffect = (effect: Effect): effect is BookingEffect =>
  ['findSlots', 'holdSlot', 'confirmBooking', 'listBookings', 'cancelBooking', 'markAttendance'].includes(
    effect.type,
  );

const toInfo = (slot: Slot): SlotInfo => ({
  specialistId: slot.specialistId,
  startsAt: slot.startsAt.toISOString(),
  endsAt: slot.endsAt.toISOString(),
});

function roleOf(center: CenterProfile, specialistId: string | null): BookingRole | undefined {
  const role = center.specialists.find((specialist) => specialist.id === specialistId)?.role;
  if (!role) return undefined;
  return role === 'lawyer' || role === 'psychologist' ? role : 'other';
}

/** Free slots for a need, as the database sees them now (holds of other families excluded). */
async function searchFree(context: BookingEffectContext, role: BookingRole): Promise<Slot[]> {
  const { tx, now, center } = context;
  const until = new Date(now.getTime() + (center.booking.searchDays + 1) * 24 * 3600_000);
  return freeSlots(center, role, now, await takenSlots(tx, now, until, now));
}

/** Booking effects against the database; each answers with the event the flow continues from. */
export async function applyBookingEffect(
  effect: BookingEffect,
  context: BookingEffectContext,
): Promise<SystemEvent> {
  const { tx, contactId, now, center, scheduler, afterCommit } = context;
  switch (effect.type) {
    case 'findSlots': {
      // The first days with free time, a handful of times each: enough to choose, short enough to read.
      const days = slotsByDay(await searchFree(context, effect.role), center.timeZone).slice(0, DAYS_OFFERED);
      return {
        type: 'slotsFound',
        slots: days.flatMap((day) => day.slots.slice(0, TIMES_PER_DAY)).map(toInfo),
      };
    }
    case 'holdSlot': {
      const role = roleOf(center, effect.specialistId);
      const startsAt = new Date(effect.startsAt);
      const free = role ? await searchFree(context, role) : [];
      // Only a slot the schedule really offers can be held: a forged or outdated button gets alternatives.
      const slot = free.find(
        (candidate) =>
          candidate.specialistId === effect.specialistId &&
          candidate.startsAt.getTime() === startsAt.getTime(),
      );
      if (slot) {
        const held = await holdSlot(tx, { ...slot, contactId, now, holdMinutes: center.booking.holdMinutes });
        if (held.ok) return { type: 'slotHeld', bookingId: held.booking.id, slot: toInfo(slot) };
      }
      // The nearest free times to the one wanted, then in time order.
      const distance = (candidate: Slot) => Math.abs(candidate.startsAt.getTime() - startsAt.getTime());
      const alternatives = free
        .filter((candidate) => candidate !== slot)
        .sort((a, b) => distance(a) - distance(b))
        .slice(0, ALTERNATIVES)
        .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      return { type: 'slotTaken', alternatives: alternatives.map(toInfo) };
    }
    case 'confirmBooking': {
      const booking = await confirmBooking(tx, effect.bookingId, contactId, now);
      if (!booking) return { type: 'holdExpired' };
      if (effect.appealId) {
        await tx
          .updateTable('bookings')
          .set({ appeal_id: effect.appealId })
          .where('id', '=', booking.id)
          .execute();
      }
      if (effect.rescheduleOf) {
        const old = await cancelBooking(tx, effect.rescheduleOf, 'family', now, contactId);
        if (old) {
          await tx
            .updateTable('bookings')
            .set({ rescheduled_from: old.id })
            .where('id', '=', booking.id)
            .execute();
          afterCommit.push(() => scheduler.cancelBookingReminders(old.id));
        }
      }
      afterCommit.push(() =>
        scheduler.scheduleBookingReminders({
          id: booking.id,
          startsAt: booking.starts_at,
          endsAt: booking.ends_at,
          // The row's time, as start-up reconciliation uses it: both compute the same reminder times.
          createdAt: booking.created_at,
        }),
      );
      context.logger.info(
        { bookingId: booking.id, rescheduled: Boolean(effect.rescheduleOf) },
        'booking confirmed',
      );
      return { type: 'bookingConfirmed', bookingId: booking.id };
    }
    case 'listBookings': {
      const bookings = await upcomingBookings(tx, contactId, now);
      return {
        type: 'bookingsListed',
        bookings: bookings.map((booking) => ({
          id: booking.id,
          startsAt: booking.starts_at.toISOString(),
          role: roleOf(center, booking.specialist_id),
          ...(booking.specialist_id ? { specialistId: booking.specialist_id } : {}),
        })),
      };
    }
    case 'cancelBooking': {
      const cancelled = await cancelBooking(tx, effect.bookingId, 'family', now, contactId);
      if (cancelled) afterCommit.push(() => scheduler.cancelBookingReminders(cancelled.id));
      return { type: 'bookingCancelled', ok: Boolean(cancelled) };
    }
    case 'markAttendance': {
      const booking = await getBooking(tx, effect.bookingId);
      const marked =
        booking?.contact_id === contactId
          ? await markAttendance(tx, effect.bookingId, effect.attended, now)
          : undefined;
      // A visit that took place calls for «Решился ли ваш вопрос?» 5 working days later (cases.md step 8).
      if (marked?.status === 'attended')
        await planFollowUpAfterVisit({ ...context, db: tx }, marked, afterCommit);
      return { type: 'attendanceRecorded', ok: Boolean(marked) };
    }
  }
}

/** Deletion on request: upcoming appointments are cancelled (nobody could be reminded) and unlinked. */
export async function releaseBookingsOfContact(context: BookingEffectContext): Promise<void> {
  const { tx, contactId, now, scheduler, afterCommit } = context;
  const cancelled = await tx
    .updateTable('bookings')
    .set({ status: 'cancelled', cancelled_by: 'family', updated_at: now })
    .where('contact_id', '=', contactId)
    .where('status', 'in', ['held', 'confirmed'])
    .returning('id')
    .execute();
  await tx.updateTable('bookings').set({ contact_id: null }).where('contact_id', '=', contactId).execute();
  for (const { id } of cancelled) afterCommit.push(() => scheduler.cancelBookingReminders(id));
}
