import { DateTime } from 'luxon';
import { type CenterProfile, isQuietClock } from '../config/center.ts';
import { addWorkingDays } from './working-hours.ts';

/** What a family answers to «Решился ли ваш вопрос?»; «help» asks for a specialist. */
export const PROGRESS_ANSWERS = ['yes', 'partly', 'no', 'help'] as const;
export type ProgressAnswer = (typeof PROGRESS_ANSWERS)[number];

export const isProgressAnswer = (value: string): value is ProgressAnswer =>
  (PROGRESS_ANSWERS as readonly string[]).includes(value);

/** Answers after which a dispatcher gets in touch with the family. */
export const needsDispatcher = (answer: ProgressAnswer): boolean => answer === 'no' || answer === 'help';

type Profile = Pick<CenterProfile, 'timeZone' | 'workingHours' | 'calendar' | 'booking' | 'followUp'>;

function atClock(day: DateTime, clock: string): DateTime {
  const [hour = 0, minute = 0] = clock.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

/**
 * When to ask after a visit: followUp.at (10:00) local on the followUp.workingDays-th (5th) working day after
 * the visit's day — «no later than 5 working days after the visit» (cases.md step 8).
 */
export function followUpMoment(visitAt: Date, center: Profile): Date {
  const day = addWorkingDays(visitAt, center.followUp.workingDays, center);
  return outsideQuietHours(atClock(day, center.followUp.at).toJSDate(), center);
}

/** `at` itself, or — when it falls in quiet hours — the end of those quiet hours (never a message at night). */
export function outsideQuietHours(at: Date, center: Pick<CenterProfile, 'timeZone' | 'booking'>): Date {
  const { quietHours } = center.booking;
  const local = DateTime.fromJSDate(at).setZone(center.timeZone);
  if (!isQuietClock(local.toFormat('HH:mm'), quietHours)) return at;
  const sameDay = atClock(local.startOf('day'), quietHours.to);
  return (sameDay > local ? sameDay : atClock(sameDay.plus({ days: 1 }), quietHours.to)).toJSDate();
}

export const isQuietMoment = (at: Date, center: Pick<CenterProfile, 'timeZone' | 'booking'>): boolean =>
  outsideQuietHours(at, center).getTime() !== at.getTime();

/** The one survey reminder: reminderAfterHours (48 h) after the survey was sent, not at night. */
export function surveyReminderMoment(
  sentAt: Date,
  center: Pick<CenterProfile, 'timeZone' | 'booking' | 'survey'>,
): Date {
  return outsideQuietHours(new Date(sentAt.getTime() + center.survey.reminderAfterHours * 3600_000), center);
}

/** A survey reminder this late (Redis lost for days, an old survey found at start-up) is not worth sending. */
export const SURVEY_REMINDER_TOO_LATE_MS = 3 * 24 * 3600_000;
