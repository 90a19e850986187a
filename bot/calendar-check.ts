import type { Logger } from 'pino';
import type { CenterProfile } from '../config/center.ts';
import { missingTransfersYear } from '../domain/holidays.ts';

/**
 * Says loudly at start when the profile lacks the Government decree's holiday transfers for this year, or
 * (from October on) for next year: without them the service still knows the art. 112 holidays, but not the
 * moved days off and working Saturdays, so deadlines, slots and reminders may land on a day off.
 * Returns the missing year (undefined when all is configured).
 */
export function warnIfTransfersMissing(
  center: Pick<CenterProfile, 'timeZone' | 'calendar'>,
  logger: Pick<Logger, 'warn'>,
  now: Date,
): number | undefined {
  const year = missingTransfersYear(now, center.timeZone, center.calendar);
  if (year !== undefined) {
    logger.warn(
      { year, transfersConfigured: center.calendar.transfersConfigured },
      `calendar: the holiday transfers of the Government decree for ${year} are not in the center profile. ` +
        `Add its days off to calendar.holidays and its working weekends to calendar.workingWeekends, then ` +
        `${year} to calendar.transfersConfigured. Until then only the Labour Code art. 112 holidays are known.`,
    );
  }
  return year;
}
