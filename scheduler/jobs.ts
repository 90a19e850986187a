import { z } from 'zod';

/** Retries and retention shared by all jobs of every queue: a failed job is kept a week for diagnosis. */
export const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Queue names. One queue per concern keeps priorities and rate limits independent. */
export const QUEUES = { sla: 'sla', reminders: 'reminders', followUps: 'follow-ups' } as const;

export const CallbackDeadlineJob = z.object({ appealId: z.number().int().positive() });
export type CallbackDeadlineJob = z.infer<typeof CallbackDeadlineJob>;

export const BookingReminderJob = z.object({ bookingId: z.number().int().positive() });
export type BookingReminderJob = z.infer<typeof BookingReminderJob>;

/** The follow-up after a visit (id: the appeal) and the one survey reminder (id: the survey). */
export const FollowUpJob = z.object({ id: z.number().int().positive() });
export type FollowUpJob = z.infer<typeof FollowUpJob>;
export const FOLLOW_UP_KINDS = ['followUp', 'surveyReminder'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];
export const FOLLOW_UP_JOB_NAMES = {
  followUp: 'follow-up',
  surveyReminder: 'survey-reminder',
} as const satisfies Record<FollowUpKind, string>;

/** What a booking reminder job asks for: a reminder the day before, one 2 hours before, the attendance question. */
export const BOOKING_REMINDER_KINDS = ['dayBefore', 'twoHours', 'attendance'] as const;
export type BookingReminderKind = (typeof BOOKING_REMINDER_KINDS)[number];

/** BullMQ job names of the reminders queue, per kind. */
export const REMINDER_JOB_NAMES = {
  dayBefore: 'booking-day-before',
  twoHours: 'booking-two-hours',
  attendance: 'booking-attendance',
} as const satisfies Record<BookingReminderKind, string>;

export function reminderKindOfJob(name: string): BookingReminderKind | undefined {
  return BOOKING_REMINDER_KINDS.find((kind) => REMINDER_JOB_NAMES[kind] === name);
}

/**
 * Deterministic ids make scheduling idempotent: adding the same job twice (a retried request, start-up
 * reconciliation) keeps one job. BullMQ forbids ":" in custom ids.
 */
export const jobIds = {
  callbackDeadline: (appealId: number) => `callback-deadline-${appealId}`,
  callbackDueSoon: (appealId: number) => `callback-due-soon-${appealId}`,
  bookingDayBefore: (bookingId: number) => `booking-${bookingId}-day-before`,
  bookingTwoHours: (bookingId: number) => `booking-${bookingId}-two-hours`,
  bookingAttendance: (bookingId: number) => `booking-${bookingId}-attendance`,
  followUp: (appealId: number) => `follow-up-${appealId}`,
  surveyReminder: (surveyId: number) => `survey-reminder-${surveyId}`,
  bookingReminder: (kind: BookingReminderKind, bookingId: number): string =>
    kind === 'dayBefore'
      ? jobIds.bookingDayBefore(bookingId)
      : kind === 'twoHours'
        ? jobIds.bookingTwoHours(bookingId)
        : jobIds.bookingAttendance(bookingId),
};
