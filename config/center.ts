import { readFile } from 'node:fs/promises';
import { DateTime, IANAZone } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isHoliday } from '../domain/holidays.ts';
import { ConfigError } from './env.ts';

export const LOCALES = ['ru', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const isLocale = (value: string | undefined): value is Locale =>
  value !== undefined && (LOCALES as readonly string[]).includes(value);

/** A stored or requested language, falling back to Russian (the default) when unknown. */
export const toLocale = (value: string | undefined): Locale => (isLocale(value) ? value : 'ru');

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Text in every supported language; Russian is required, English falls back to Russian. */
const LocalizedText = z.object({ ru: z.string().min(1), en: z.string().min(1).optional() });
export type LocalizedText = z.infer<typeof LocalizedText>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
/** "HH:MM-HH:MM", start before end. */
export const TimeRange = z
  .string()
  .regex(/^\d\d:\d\d-\d\d:\d\d$/, 'expected "HH:MM-HH:MM"')
  .transform((value, ctx) => {
    const [from = '', to = ''] = value.split('-');
    if (!clock.safeParse(from).success || !clock.safeParse(to).success || from >= to) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid time range` });
      return z.NEVER;
    }
    return { from, to };
  });
export type TimeRange = z.output<typeof TimeRange>;

const isoDate = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'expected YYYY-MM-DD');
/** A real calendar date (used by the booking fields; `isoDate` above only checks the shape). */
const calendarDate = isoDate.refine((value) => DateTime.fromISO(value).isValid, 'not a calendar date');
const weekday = z.enum(WEEKDAYS);
/** Working periods per weekday; a lunch break is the gap between two periods. */
const WorkingHours = z.partialRecord(weekday, z.array(TimeRange));

export const MEETING_FORMATS = ['in_person', 'phone', 'video'] as const;
export type MeetingFormat = (typeof MEETING_FORMATS)[number];

const Specialist = z.object({
  id: z.string().min(1),
  role: z.enum(['lawyer', 'psychologist', 'speech_therapist', 'family_specialist', 'other']),
  name: LocalizedText,
  /** The services[].id this specialist provides. */
  service: z.string().min(1).optional(),
  formats: z.array(z.enum(MEETING_FORMATS)).min(1).default(['in_person']),
  /** Room or address of in-person appointments; the center's address when omitted (see specialistPlace). */
  place: LocalizedText.optional(),
  /** The specialist's own periods per weekday; the center's workingHours when omitted. */
  workingHours: WorkingHours.optional(),
  slotMinutes: z.number().int().min(15).max(240).default(45),
  /** Local dates the specialist does not receive (leave, training). */
  daysOff: z.array(calendarDate).default([]),
});

const Service = z.object({
  id: z.string().min(1),
  name: LocalizedText,
  /** What the family should bring; omitted when nothing is needed. */
  whatToBring: LocalizedText.optional(),
});

/**
 * The yearly Government decree on top of the law: the fixed public holidays (Labour Code art. 112) are
 * computed (domain/holidays.ts); the profile lists only the decree's extra days off and working weekends, and
 * the years whose decree it reflects (a warning starts in October when next year's is missing).
 */
const Calendar = z.object({
  /** Extra days off set by the decree (e.g. 2026: 9 January and 31 December); not the fixed holidays. */
  holidays: z.array(calendarDate).default([]),
  /** A transferred working Saturday/Sunday works with the periods of weekday `as`. */
  workingWeekends: z.array(z.object({ date: calendarDate, as: weekday })).default([]),
  /** Years whose decree transfers are in `holidays`/`workingWeekends` (an empty decree still counts: list it). */
  transfersConfigured: z.array(z.number().int().min(2000).max(2200)).default([]),
});

const Booking = z.object({
  /** How long a slot is held while the family confirms. */
  holdMinutes: z.number().int().min(1).max(60).default(10),
  /** The earliest bookable slot starts this long after now. */
  minLeadMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(120),
  /** How many local days ahead slots are offered. */
  searchDays: z.number().int().min(1).max(60).default(14),
  /** Local time of the reminder on the day before the appointment. */
  dayBeforeReminderAt: clock.default('12:00'),
  /** No messages are sent from `from` to `to` local time (may wrap past midnight). */
  quietHours: z.object({ from: clock.default('21:00'), to: clock.default('08:00') }).prefault({}),
});

/** The follow-up after a visit (cases.md step 8): «no later than 5 working days after the visit». */
const FollowUp = z.object({
  workingDays: z.number().int().min(1).max(20).default(5),
  /** Local time of the question on that working day. */
  at: clock.default('10:00'),
});

/** The satisfaction survey (survey.md): one reminder when it is not completed this long after it was sent. */
const Survey = z.object({
  reminderAfterHours: z
    .number()
    .int()
    .min(1)
    .max(14 * 24)
    .default(48),
});

/** Recurrence of an outreach visit (outreach.md "Rules implied"). */
const OutreachRule = z.discriminatedUnion('type', [
  z.object({ type: z.literal('weekly'), weekday }),
  z.object({ type: z.literal('biweekly'), weekday, anchor: isoDate }),
  z.object({ type: z.literal('monthly_nth'), weekday, nth: z.array(z.number().int().min(1).max(5)).min(1) }),
  z.object({ type: z.literal('once'), date: isoDate }),
  /** A mobile point with no fixed days («по предварительной договорённости»): dates are added by staff. */
  z.object({ type: z.literal('by_arrangement') }),
]);

/** When outreach reminders go out (local times); quiet hours default to the booking ones. */
const OutreachReminders = z.object({
  dayBeforeAt: clock.default('18:00'),
  morningAt: clock.default('08:00'),
  quietHours: z.object({ from: clock, to: clock }).optional(),
});

/**
 * How long personal data is kept (152-ФЗ art. 5 p. 7: no longer than its purpose needs; art. 21: destroyed when
 * the purpose is reached). Days; the daily retention job applies them (scheduler/retention.ts). Defaults and
 * their reasons are in the README section "Personal data".
 */
const days = (min: number, fallback: number) =>
  z
    .number()
    .int()
    .min(min)
    .max(20 * 365)
    .default(fallback);
const Retention = z.object({
  /** The chat transcript, after the last message, once no appeal of the family is open or recently closed. */
  transcriptDays: days(30, 365),
  /** A visitor who never gave consent (no appeal, booking or subscription): the contact row and its chat. */
  anonymousContactDays: days(1, 30),
  /** An unfinished draft (intake, booking) in the conversation state, after the last activity. */
  draftDays: days(1, 7),
  /** A closed appeal's personal fields are anonymised this long after closing (statistics stay). */
  closedAppealDays: days(90, 3 * 365),
  /** A crisis alert, after a dispatcher acknowledged it. */
  urgentAlertDays: days(7, 90),
  /** The log of dispatchers' access to personal data. */
  auditLogDays: days(365, 3 * 365),
  /** Raw platform payloads of updates that failed processing (diagnostics only). */
  inboundEventDays: days(1, 7),
  /** Local time of the daily run (quiet hours for the families are irrelevant: nothing is sent). */
  runAt: clock.default('03:30'),
});

const CenterProfileSchema = z
  .object({
    name: LocalizedText,
    organisation: LocalizedText,
    phone: z.string().min(3),
    address: LocalizedText,
    timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'unknown IANA time zone'),
    /** Working periods per weekday; a lunch break is the gap between two periods. */
    workingHours: z.partialRecord(weekday, z.array(TimeRange)),
    callbackPromiseMinutes: z
      .number()
      .int()
      .min(15)
      .max(24 * 60)
      .default(120),
    consent: z.object({ version: z.string().min(1) }),
    specialists: z.array(Specialist).default([]),
    services: z.array(Service).default([]),
    outreach: z
      .array(
        z.object({
          place: LocalizedText,
          settlement: z.string().min(1),
          rule: OutreachRule,
          /** Required except for a visit "by arrangement", whose hours are agreed each time. */
          hours: TimeRange.optional(),
        }),
      )
      .default([]),
    outreachReminders: OutreachReminders.prefault({}),
    calendar: Calendar.prefault({}),
    booking: Booking.prefault({}),
    followUp: FollowUp.prefault({}),
    survey: Survey.prefault({}),
    /** The navigator's folder of Markdown articles (config/knowledge.ts); `knowledge/` when omitted. */
    knowledge: z.string().min(1).optional(),
    /** The center's own training phrases (YAML in the nlu/ format), merged by intent into nlu/*.yaml. */
    nluExtraFiles: z.array(z.string().min(1)).default([]),
    retention: Retention.prefault({}),
  })
  .refine((profile) => Object.values(profile.workingHours).some((periods) => periods && periods.length > 0), {
    message: 'workingHours must have at least one working period',
    path: ['workingHours'],
  })
  .superRefine((profile, ctx) => {
    const serviceIds = profile.services.map((service) => service.id);
    profile.specialists.forEach((specialist, index) => {
      if (specialist.service !== undefined && !serviceIds.includes(specialist.service)) {
        ctx.addIssue({
          code: 'custom',
          path: ['specialists', index, 'service'],
          message: `unknown service "${specialist.service}"; expected one of: ${serviceIds.join(', ') || '(no services)'}`,
        });
      }
      const hours = specialist.workingHours;
      if (hours && !Object.values(hours).some((periods) => periods && periods.length > 0)) {
        ctx.addIssue({
          code: 'custom',
          path: ['specialists', index, 'workingHours'],
          message: 'workingHours must have at least one working period (omit it to use the center hours)',
        });
      }
    });
    profile.calendar.workingWeekends.forEach((entry, index) => {
      const day = DateTime.fromISO(entry.date);
      if (day.weekday < 6) {
        ctx.addIssue({
          code: 'custom',
          path: ['calendar', 'workingWeekends', index, 'date'],
          message: `${entry.date} is a ${day.setLocale('en').toFormat('cccc')}, not a Saturday or Sunday`,
        });
      }
      if (isHoliday(entry.date, profile.calendar)) {
        ctx.addIssue({
          code: 'custom',
          path: ['calendar', 'workingWeekends', index, 'date'],
          message: `${entry.date} is also a holiday (calendar.holidays or a public holiday)`,
        });
      }
    });
    profile.outreach.forEach((entry, index) => {
      if (entry.rule.type !== 'by_arrangement' && !entry.hours) {
        ctx.addIssue({ code: 'custom', path: ['outreach', index, 'hours'], message: 'hours are required' });
      }
    });
    const outreachQuiet = profile.outreachReminders.quietHours ?? profile.booking.quietHours;
    for (const key of ['dayBeforeAt', 'morningAt'] as const) {
      const time = profile.outreachReminders[key];
      if (isQuietClock(time, outreachQuiet)) {
        ctx.addIssue({
          code: 'custom',
          path: ['outreachReminders', key],
          message: `${time} falls in quiet hours ${outreachQuiet.from}–${outreachQuiet.to}`,
        });
      }
    }
    const { dayBeforeReminderAt, quietHours } = profile.booking;
    if (isQuietClock(dayBeforeReminderAt, quietHours)) {
      ctx.addIssue({
        code: 'custom',
        path: ['booking', 'dayBeforeReminderAt'],
        message: `${dayBeforeReminderAt} falls in quiet hours ${quietHours.from}–${quietHours.to}`,
      });
    }
    if (isQuietClock(profile.followUp.at, quietHours)) {
      ctx.addIssue({
        code: 'custom',
        path: ['followUp', 'at'],
        message: `${profile.followUp.at} falls in quiet hours ${quietHours.from}–${quietHours.to}`,
      });
    }
  });

export type CenterProfile = z.output<typeof CenterProfileSchema>;
export type Specialist = CenterProfile['specialists'][number];
export type Service = CenterProfile['services'][number];
export type OutreachEntry = CenterProfile['outreach'][number];

/** Quiet hours of outreach messages: their own when configured, else the center's (booking) ones. */
export const outreachQuietHours = (center: Pick<CenterProfile, 'outreachReminders' | 'booking'>) =>
  center.outreachReminders.quietHours ?? center.booking.quietHours;

/** Whether a local "HH:MM" lies in quiet hours [from, to), which may wrap past midnight; from = to means none. */
export function isQuietClock(time: string, quietHours: { from: string; to: string }): boolean {
  const { from, to } = quietHours;
  if (from === to) return false;
  return from < to ? time >= from && time < to : time >= from || time < to;
}

/** Where a specialist receives in person: their own place, else the center's address. */
export function specialistPlace(center: CenterProfile, specialist: Specialist): LocalizedText {
  return specialist.place ?? center.address;
}

export function parseCenterProfile(raw: unknown, source = 'center profile'): CenterProfile {
  const parsed = CenterProfileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`Invalid ${source}:\n${lines.join('\n')}`);
}

export async function loadCenterProfile(path: string): Promise<CenterProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read CENTER_CONFIG file "${path}": ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`CENTER_CONFIG file "${path}" is not valid YAML: ${(error as Error).message}`);
  }
  return parseCenterProfile(raw, `CENTER_CONFIG file "${path}"`);
}

export function localized(text: LocalizedText, locale: Locale): string {
  return (locale === 'en' ? text.en : undefined) ?? text.ru;
}
