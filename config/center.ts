import { readFile } from 'node:fs/promises';
import { IANAZone } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './env.ts';

export const LOCALES = ['ru', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Text in every supported language; Russian is required, English falls back to Russian. */
const LocalizedText = z.object({ ru: z.string().min(1), en: z.string().min(1).optional() });
export type LocalizedText = z.infer<typeof LocalizedText>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
/** "HH:MM-HH:MM", start before end. */
const TimeRange = z
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
const weekday = z.enum(WEEKDAYS);

/** Recurrence of an outreach visit (outreach.md "Rules implied"). */
const OutreachRule = z.discriminatedUnion('type', [
  z.object({ type: z.literal('weekly'), weekday }),
  z.object({ type: z.literal('biweekly'), weekday, anchor: isoDate }),
  z.object({ type: z.literal('monthly_nth'), weekday, nth: z.array(z.number().int().min(1).max(5)).min(1) }),
  z.object({ type: z.literal('once'), date: isoDate }),
]);

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
    specialists: z
      .array(
        z.object({
          id: z.string().min(1),
          role: z.enum(['lawyer', 'psychologist', 'speech_therapist', 'family_specialist', 'other']),
          name: LocalizedText,
        }),
      )
      .default([]),
    services: z.array(z.object({ id: z.string().min(1), name: LocalizedText })).default([]),
    outreach: z
      .array(
        z.object({
          place: LocalizedText,
          settlement: z.string().min(1),
          rule: OutreachRule,
          hours: TimeRange,
        }),
      )
      .default([]),
  })
  .refine((profile) => Object.values(profile.workingHours).some((periods) => periods && periods.length > 0), {
    message: 'workingHours must have at least one working period',
    path: ['workingHours'],
  });

export type CenterProfile = z.output<typeof CenterProfileSchema>;

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
