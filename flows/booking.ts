import { DateTime } from 'luxon';
import { z } from 'zod';
import { localized } from '../config/center.ts';
import type { ConversationState } from './assistant.ts';
import { menuMessage } from './menu.ts';
import { decodeSlotPayload, encodeSlotPayload } from './slot-payload.ts';
import type {
  Button,
  Effect,
  FlowContext,
  FlowResult,
  OutboundMessage,
  SlotInfo,
  SystemEvent,
  UserEvent,
} from './types.ts';
import { msg } from './types.ts';

/**
 * Booking in chat (issue 5): choose the kind of specialist, a day, a time; the slot is held for a few
 * minutes while the family confirms; "my appointments" lists, cancels and reschedules. Slot search, holds
 * and confirmations are effects the runtime performs against the database, which alone decides who gets a
 * slot; the flow only shows what it answers.
 */
export const BOOKING_STEPS = [
  'bookRole',
  'bookDay',
  'bookTime',
  'bookConfirm',
  'myBookings',
  'bookCancel',
] as const;
export const BOOKING_ROLES = ['lawyer', 'psychologist', 'other'] as const;
export type BookingRole = (typeof BOOKING_ROLES)[number];

const SlotInfoSchema = z.object({ specialistId: z.string(), startsAt: z.string(), endsAt: z.string() });

export const BookingStateSchema = z.object({
  role: z.enum(BOOKING_ROLES).optional(),
  /** Free slots found by the last search (first days only), ISO instants. */
  slots: z.array(SlotInfoSchema).optional(),
  day: z.string().optional(),
  held: z.object({ bookingId: z.number(), slot: SlotInfoSchema }).optional(),
  rescheduleOf: z.number().optional(),
  appealId: z.number().optional(),
  /** The family's upcoming bookings as last listed (for the cancel/move buttons). */
  listed: z
    .array(
      z.object({
        id: z.number(),
        startsAt: z.string(),
        role: z.enum(BOOKING_ROLES).optional(),
        specialistId: z.string().optional(),
      }),
    )
    .optional(),
  /** The start (ISO) of the booking being moved: the confirmation says that time is freed. */
  rescheduleFrom: z.string().optional(),
  cancelId: z.number().optional(),
  /** A day the family named («к психологу в четверг»): its times are shown first if it has any. */
  wantedDate: z.string().optional(),
});
export type BookingState = z.infer<typeof BookingStateSchema>;

type Result = FlowResult<ConversationState>;
const reply = (state: ConversationState, messages: OutboundMessage[], effects: Effect[] = []): Result => ({
  state,
  messages,
  effects,
});

const MAX_DAYS_SHOWN = 5;
const MAX_TIMES_SHOWN = 8;
const MAX_BOOKINGS_SHOWN = 4;

export const isBookingStep = (step: string): boolean => (BOOKING_STEPS as readonly string[]).includes(step);

/** Which kind of specialist an appeal's purpose needs. */
export function roleForPurpose(purpose: string | undefined): BookingRole {
  return purpose === 'lawyer' ? 'lawyer' : purpose === 'psychologist' ? 'psychologist' : 'other';
}

const local = (iso: string, ctx: FlowContext) =>
  DateTime.fromISO(iso).setZone(ctx.center.timeZone).setLocale(ctx.locale);

/** The specialist's name and in-person place (their own, else the center's address). */
function whoAndWhere(specialistId: string | undefined, ctx: FlowContext) {
  const specialist = ctx.center.specialists.find((candidate) => candidate.id === specialistId);
  return {
    specialist: specialist ? localized(specialist.name, ctx.locale) : (specialistId ?? '—'),
    place: localized(specialist?.place ?? ctx.center.address, ctx.locale),
  };
}

/** Who, where, what to bring, for a slot of a configured specialist. */
function slotArgs(slot: SlotInfo, ctx: FlowContext) {
  const specialist = ctx.center.specialists.find((candidate) => candidate.id === slot.specialistId);
  const service = ctx.center.services.find((candidate) => candidate.id === specialist?.service);
  const start = local(slot.startsAt, ctx);
  return {
    ...whoAndWhere(slot.specialistId, ctx),
    date: start.toFormat('cccc, dd.MM'),
    time: start.toFormat('HH:mm'),
    bring: service?.whatToBring ? localized(service.whatToBring, ctx.locale) : 'none',
  };
}

const roleQuestion = (): OutboundMessage => ({
  parts: [msg('book-ask-role')],
  buttons: [
    BOOKING_ROLES.map((role) => ({ label: msg(`book-role-${role}`), payload: `bookRole:${role}` })),
    [{ label: msg('button-cancel'), payload: 'nav:cancel' }],
  ],
});

function dayQuestion(booking: BookingState, ctx: FlowContext): OutboundMessage {
  const days = [...new Set((booking.slots ?? []).map((slot) => local(slot.startsAt, ctx).toISODate() ?? ''))];
  const buttons: Button[] = days.slice(0, MAX_DAYS_SHOWN).map((day) => ({
    label: msg('book-day', { day: DateTime.fromISO(day).setLocale(ctx.locale).toFormat('ccc, dd.MM') }),
    payload: `bookDay:${day}`,
  }));
  return {
    parts: [msg('book-ask-day')],
    buttons: [...chunk(buttons, 3), [{ label: msg('button-cancel'), payload: 'nav:cancel' }]],
  };
}

/** Time buttons; alternatives may fall on other days, so they carry the date too. */
function timeButtons(slots: SlotInfo[], ctx: FlowContext, withDate = false): Button[][] {
  const buttons = slots.slice(0, MAX_TIMES_SHOWN).map((slot) => ({
    label: msg('book-time', {
      time: local(slot.startsAt, ctx).toFormat(withDate ? 'ccc dd.MM HH:mm' : 'HH:mm'),
    }),
    payload: encodeSlotPayload({ specialistId: slot.specialistId, startsAt: new Date(slot.startsAt) }),
  }));
  return chunk(buttons, 4);
}

function timeQuestion(booking: BookingState, ctx: FlowContext): OutboundMessage {
  const slots = (booking.slots ?? []).filter((slot) => local(slot.startsAt, ctx).toISODate() === booking.day);
  const day = booking.day ? DateTime.fromISO(booking.day).setLocale(ctx.locale).toFormat('cccc, dd.MM') : '';
  // Who receives that day and where, before the family picks a time (one line per specialist).
  const specialists = [...new Set(slots.map((slot) => slot.specialistId))];
  const who = specialists.map((id) => msg('book-who-where', whoAndWhere(id, ctx)));
  return {
    parts: [[msg('book-ask-time-day', { day }), ...who, msg('book-ask-time')]],
    buttons: [...timeButtons(slots, ctx), [{ label: msg('book-other-day'), payload: 'nav:back' }]],
  };
}

function confirmQuestion(booking: BookingState, ctx: FlowContext): OutboundMessage {
  const slot = booking.held?.slot;
  if (!slot) return roleQuestion();
  return {
    parts: [
      msg('book-confirm-question', { ...slotArgs(slot, ctx), holdMinutes: ctx.center.booking.holdMinutes }),
    ],
    buttons: [
      [{ label: msg('book-confirm-yes'), payload: 'bookConfirm:yes' }],
      [
        { label: msg('book-other-time'), payload: 'bookConfirm:other' },
        { label: msg('button-cancel'), payload: 'nav:cancel' },
      ],
    ],
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}

/** The question of the booking step the person is on (re-asked after bad input or a stale button). */
export function bookingQuestion(state: ConversationState, ctx: FlowContext): OutboundMessage {
  const booking = state.booking ?? {};
  switch (state.step) {
    case 'bookDay':
      return dayQuestion(booking, ctx);
    case 'bookTime':
      return timeQuestion(booking, ctx);
    case 'bookConfirm':
      return confirmQuestion(booking, ctx);
    case 'myBookings':
      return myBookingsMessage(booking, ctx);
    case 'bookCancel':
      return cancelQuestion(booking, ctx);
    default:
      return roleQuestion();
  }
}

/** Entry from the menu (or after an in-person appeal): straight to the search when the need is known. */
export function startBooking(
  state: ConversationState,
  role?: BookingRole,
  appealId?: number,
  wantedDate?: string,
): Result {
  const booking: BookingState = { role, appealId, ...(wantedDate ? { wantedDate } : {}) };
  if (!role) return reply({ ...state, step: 'bookRole', booking }, [roleQuestion()]);
  return reply({ ...state, step: 'bookDay', booking }, [], [{ type: 'findSlots', role }]);
}

export function showMyBookings(state: ConversationState): Result {
  return reply(
    { ...state, step: 'myBookings', booking: { ...state.booking } },
    [],
    [{ type: 'listBookings' }],
  );
}

const buttonValue = (event: UserEvent, owner: string) =>
  event.type === 'button' && event.payload.startsWith(`${owner}:`)
    ? event.payload.slice(owner.length + 1)
    : undefined;

/** A tap on a concrete slot (time buttons, alternatives after "taken", a staff cancellation's suggestions). */
export function holdFromPayload(state: ConversationState, payload: string): Result | undefined {
  const slot = decodeSlotPayload(payload);
  if (!slot) return undefined;
  const booking = state.booking ?? {};
  return reply(
    { ...state, step: 'bookConfirm', booking },
    [],
    [{ type: 'holdSlot', specialistId: slot.specialistId, startsAt: slot.startsAt.toISOString() }],
  );
}

/** Answers on booking steps; `reask` repeats the current question with a reason. */
export function onBookingAnswer(
  state: ConversationState,
  event: UserEvent,
  ctx: FlowContext,
  reask: (reason: string) => Result,
): Result {
  const booking = state.booking ?? {};
  switch (state.step) {
    case 'bookRole': {
      const role = BOOKING_ROLES.find((candidate) => candidate === buttonValue(event, 'bookRole'));
      if (!role) return reask(event.type === 'button' ? 'error-stale-button' : 'error-choose-button');
      return reply(
        { ...state, step: 'bookDay', booking: { ...booking, role } },
        [],
        [{ type: 'findSlots', role }],
      );
    }
    case 'bookDay': {
      const day = buttonValue(event, 'bookDay');
      const known = (booking.slots ?? []).some((slot) => local(slot.startsAt, ctx).toISODate() === day);
      if (!day || !known)
        return reask(event.type === 'button' ? 'error-stale-button' : 'error-choose-button');
      const next = { ...state, step: 'bookTime' as const, booking: { ...booking, day } };
      return reply(next, [timeQuestion(next.booking, ctx)]);
    }
    case 'bookTime': {
      const held = event.type === 'button' ? holdFromPayload(state, event.payload) : undefined;
      return held ?? reask(event.type === 'button' ? 'error-stale-button' : 'error-choose-button');
    }
    case 'bookConfirm': {
      const answer = buttonValue(event, 'bookConfirm');
      if (answer === 'yes' && booking.held) {
        return reply(
          state,
          [],
          [
            {
              type: 'confirmBooking',
              bookingId: booking.held.bookingId,
              rescheduleOf: booking.rescheduleOf,
              appealId: booking.appealId,
            },
          ],
        );
      }
      if (answer === 'other' && booking.role) {
        // The hold is released by the next search's hold or runs out by itself in a few minutes.
        return reply(
          { ...state, step: 'bookDay', booking: { ...booking, held: undefined } },
          [],
          [{ type: 'findSlots', role: booking.role }],
        );
      }
      const slotHold = event.type === 'button' ? holdFromPayload(state, event.payload) : undefined;
      return slotHold ?? reask(event.type === 'button' ? 'error-stale-button' : 'error-choose-button');
    }
    case 'myBookings': {
      const cancelId = Number(buttonValue(event, 'myCancel'));
      const moveId = Number(buttonValue(event, 'myMove'));
      const listed = booking.listed ?? [];
      if (listed.some((item) => item.id === cancelId)) {
        const next = { ...state, step: 'bookCancel' as const, booking: { ...booking, cancelId } };
        return reply(next, [cancelQuestion(next.booking, ctx)]);
      }
      const move = listed.find((item) => item.id === moveId);
      if (move) {
        const role = move.role ?? 'other';
        return reply(
          {
            ...state,
            step: 'bookDay',
            booking: { role, rescheduleOf: move.id, rescheduleFrom: move.startsAt },
          },
          [],
          [{ type: 'findSlots', role }],
        );
      }
      return reask(event.type === 'button' ? 'error-stale-button' : 'error-choose-button');
    }
    case 'bookCancel': {
      const answer = buttonValue(event, 'bookCancel');
      if (answer === 'yes' && booking.cancelId) {
        return reply(state, [], [{ type: 'cancelBooking', bookingId: booking.cancelId }]);
      }
      if (answer === 'no')
        return reply({ ...state, step: 'menu', booking: undefined }, [
          menuMessage([msg('book-cancel-kept')]),
        ]);
      return reask(event.type === 'button' ? 'error-stale-button' : 'error-choose-button');
    }
    default:
      return reask('error-choose-button');
  }
}

/** "Back" inside booking: time → day, confirm → times, anything else → menu. */
export function bookingBack(state: ConversationState, ctx: FlowContext): Result {
  const booking = state.booking ?? {};
  if (state.step === 'bookTime') {
    const next = { ...state, step: 'bookDay' as const, booking: { ...booking, day: undefined } };
    return reply(next, [dayQuestion(next.booking, ctx)]);
  }
  if (state.step === 'bookConfirm' && booking.day) {
    const next = { ...state, step: 'bookTime' as const, booking: { ...booking, held: undefined } };
    return reply(next, [timeQuestion(next.booking, ctx)]);
  }
  return reply({ ...state, step: 'menu', booking: undefined }, [menuMessage([msg('menu-prompt')])]);
}

function myBookingsMessage(booking: BookingState, ctx: FlowContext): OutboundMessage {
  const listed = booking.listed ?? [];
  if (listed.length === 0) return menuMessage([msg('my-bookings-empty')]);
  const when = (iso: string) => local(iso, ctx).toFormat('dd.MM HH:mm');
  const shown = listed.slice(0, MAX_BOOKINGS_SHOWN);
  // Each booking in full (date, time, who, where); the buttons name the booking by its date and time.
  const lines = shown.map((item) =>
    msg('my-booking-line', {
      date: local(item.startsAt, ctx).toFormat('cccc, dd.MM'),
      time: local(item.startsAt, ctx).toFormat('HH:mm'),
      ...whoAndWhere(item.specialistId, ctx),
    }),
  );
  return {
    parts: [msg('my-bookings-title'), lines],
    buttons: [
      ...shown.map((item) => [
        { label: msg('my-booking-move', { when: when(item.startsAt) }), payload: `myMove:${item.id}` },
        { label: msg('my-booking-cancel', { when: when(item.startsAt) }), payload: `myCancel:${item.id}` },
      ]),
      [{ label: msg('button-back'), payload: 'nav:back' }],
    ],
  };
}

function cancelQuestion(booking: BookingState, ctx: FlowContext): OutboundMessage {
  const item = booking.listed?.find((candidate) => candidate.id === booking.cancelId);
  return {
    parts: [
      msg('book-cancel-question', {
        when: item ? local(item.startsAt, ctx).toFormat('dd.MM HH:mm') : '',
        ...whoAndWhere(item?.specialistId, ctx),
      }),
    ],
    buttons: [
      [
        { label: msg('book-cancel-yes'), payload: 'bookCancel:yes' },
        { label: msg('book-cancel-no'), payload: 'bookCancel:no' },
      ],
    ],
  };
}

/** What the runtime answered after performing a booking effect. */
export function onBookingResult(
  state: ConversationState,
  event: SystemEvent,
  ctx: FlowContext,
): Result | undefined {
  const booking = state.booking ?? {};
  switch (event.type) {
    case 'slotsFound': {
      if (event.slots.length === 0) {
        return reply({ ...state, step: 'menu', booking: undefined }, [
          menuMessage([
            msg('book-no-slots', { days: ctx.center.booking.searchDays, phone: ctx.center.phone }),
          ]),
        ]);
      }
      const next = {
        ...state,
        step: 'bookDay' as const,
        booking: { ...booking, slots: event.slots, day: undefined, held: undefined, wantedDate: undefined },
      };
      const wanted = booking.wantedDate;
      if (wanted) {
        const onThatDay = event.slots.some((slot) => local(slot.startsAt, ctx).toISODate() === wanted);
        if (onThatDay) {
          const atDay = { ...next, step: 'bookTime' as const, booking: { ...next.booking, day: wanted } };
          return reply(atDay, [timeQuestion(atDay.booking, ctx)]);
        }
        const day = DateTime.fromISO(wanted).setLocale(ctx.locale).toFormat('cccc, dd.MM');
        const question = dayQuestion(next.booking, ctx);
        return reply(next, [
          { ...question, parts: [msg('book-wanted-day-full', { day }), ...question.parts] },
        ]);
      }
      return reply(next, [dayQuestion(next.booking, ctx)]);
    }
    case 'slotHeld': {
      const next = {
        ...state,
        step: 'bookConfirm' as const,
        booking: { ...booking, held: { bookingId: event.bookingId, slot: event.slot } },
      };
      return reply(next, [confirmQuestion(next.booking, ctx)]);
    }
    case 'slotTaken': {
      const next = { ...state, step: 'bookTime' as const, booking: { ...booking, held: undefined } };
      if (event.alternatives.length === 0) {
        return reply({ ...state, step: 'menu', booking: undefined }, [
          menuMessage([
            msg('book-taken'),
            msg('book-no-slots', { days: ctx.center.booking.searchDays, phone: ctx.center.phone }),
          ]),
        ]);
      }
      return reply(next, [
        {
          parts: [msg('book-taken')],
          buttons: [
            ...timeButtons(event.alternatives, ctx, true),
            [{ label: msg('button-cancel'), payload: 'nav:cancel' }],
          ],
        },
      ]);
    }
    case 'bookingConfirmed': {
      const slot = booking.held?.slot;
      const args = slot ? slotArgs(slot, ctx) : undefined;
      // A move first says the old time is cancelled and freed, then gives the new booking in full.
      const freed = booking.rescheduleFrom
        ? [msg('book-moved-freed', { when: local(booking.rescheduleFrom, ctx).toFormat('dd.MM HH:mm') })]
        : [];
      return reply({ ...state, step: 'menu', booking: undefined }, [
        menuMessage(args ? [...freed, msg('book-confirmed', args)] : [msg('menu-prompt')]),
      ]);
    }
    case 'holdExpired':
      return reply(
        { ...state, step: 'bookDay', booking: { ...booking, held: undefined } },
        [{ parts: [msg('book-hold-expired')] }],
        booking.role ? [{ type: 'findSlots', role: booking.role }] : [],
      );
    case 'bookingsListed': {
      const next = { ...state, step: 'myBookings' as const, booking: { listed: event.bookings } };
      return reply(next, [myBookingsMessage(next.booking, ctx)]);
    }
    case 'bookingCancelled':
      return reply({ ...state, step: 'menu', booking: undefined }, [
        menuMessage([msg(event.ok ? 'book-cancelled' : 'book-cancel-failed')]),
      ]);
    case 'attendanceRecorded':
      return undefined;
    default:
      return undefined;
  }
}
