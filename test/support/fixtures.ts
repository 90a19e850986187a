import { pino } from 'pino';
import { type CenterProfile, loadCenterProfile } from '../../config/center.ts';

export const silentLogger = pino({ level: 'silent' });

export const BELOVO = 'config/centers/belovo.yaml';
export const BARNAUL = 'config/centers/barnaul.yaml';

export function loadBelovo(): Promise<CenterProfile> {
  return loadCenterProfile(BELOVO);
}

/** A Tuesday at 10:00 in Belovo (UTC+7): the center is open. */
export const TUESDAY_10AM = new Date('2026-11-24T03:00:00Z');
/** A Friday at 16:30 in Belovo: half an hour before closing. */
export const FRIDAY_4_30PM = new Date('2026-11-27T09:30:00Z');
/** A Saturday at 11:00 in Belovo: closed. */
export const SATURDAY_11AM = new Date('2026-11-28T04:00:00Z');
