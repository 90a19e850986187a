import { StemmerRu } from '@nlpjs/lang-ru';
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import type { CenterProfile } from '../../config/center.ts';
import type { RoleEntity, Understanding } from '../../flows/types.ts';
import { settlementInText } from '../outreach.ts';
import { normalizeText } from './normalize.ts';

/**
 * Entities a parent names in free text: who («к юристу»), where («в Инском»), when («в пятницу после
 * обеда»), which service, and the family's situation («мы многодетные»). Pure: the clock comes in `now`.
 */

export type Entities = Understanding['entities'];
export type EntityContext = {
  center: Pick<CenterProfile, 'outreach' | 'services' | 'specialists' | 'timeZone'>;
  now: Date;
  locale: 'ru' | 'en';
};

export function extractEntities(text: string, context: EntityContext): Entities {
  const normalized = normalizeText(text);
  const entities: Entities = {};
  const role = roleIn(normalized);
  if (role) entities.role = role;
  const settlement = settlementInText(context.center, text);
  if (settlement) entities.settlement = settlement.name;
  Object.assign(entities, whenIn(text, context));
  const service = serviceIn(normalized, context.center) ?? serviceOfRole(role, context.center);
  if (service) entities.service = service;
  const situations = situationsIn(normalized);
  if (situations.length > 0) entities.situations = situations;
  return entities;
}

// ---------------------------------------------------------------------------------------------------------
// Specialist role: the word forms of «юрист», «психолог»…; the first one named wins.

const ROLE_PATTERNS: Array<[RoleEntity, RegExp]> = [
  ['lawyer', /(юрист|юрисконсульт|адвокат|юридическ|правов\p{L}* консультац|lawyer|attorney|legal)/u],
  ['psychologist', /(психолог|психотерапевт|psycholog|therapist)/u],
  [
    'other',
    /(логопед|дефектолог|семейн\p{L}* специалист|специалист\p{L}* по семь|соцработник|социальн\p{L}* работник|социальн\p{L}* педагог|speech therapist)/u,
  ],
];

function roleIn(text: string): RoleEntity | undefined {
  let best: { role: RoleEntity; at: number } | undefined;
  for (const [role, pattern] of ROLE_PATTERNS) {
    const at = text.search(pattern);
    if (at >= 0 && (best === undefined || at < best.at)) best = { role, at };
  }
  return best?.role;
}

// ---------------------------------------------------------------------------------------------------------
// Day and time: chrono-node reads the date in the center's zone; the part of the day from plain words.

const DAY_PARTS: Array<['morning' | 'afternoon' | 'evening', RegExp]> = [
  ['morning', /(утр|до обеда|первую половину|morning|before noon)/u],
  ['afternoon', /(после обеда|днем|в обед|вторую половину|afternoon|after lunch)/u],
  ['evening', /(вечер|после работы|evening|after work)/u],
];

function whenIn(
  text: string,
  { now, center, locale }: EntityContext,
): Pick<Entities, 'date' | 'time' | 'dayPart'> {
  const when: Pick<Entities, 'date' | 'time' | 'dayPart'> = {};
  const normalized = normalizeText(text);
  for (const [dayPart, pattern] of DAY_PARTS) {
    if (pattern.test(normalized)) {
      when.dayPart = dayPart;
      break;
    }
  }
  const zone = center.timeZone;
  const reference = { instant: now, timezone: DateTime.fromJSDate(now).setZone(zone).offset };
  // Russian first (the usual language); English as well so "tomorrow" in an English chat is read.
  const parsers = locale === 'en' ? [chrono.en, chrono.ru] : [chrono.ru, chrono.en];
  for (const parser of parsers) {
    const found = parser.parse(text, reference, { forwardDate: true })[0];
    if (!found) continue;
    const start = found.start;
    const hasDay = start.isCertain('day') || start.isCertain('weekday');
    if (hasDay) when.date = DateTime.fromJSDate(start.date()).setZone(zone).toISODate() ?? undefined;
    // A time only when one was named («в 15:00», «к 10 утра»); «утром» alone is a part of the day.
    if (start.isCertain('hour') && !/^\D*$/.test(found.text)) {
      when.time = DateTime.fromJSDate(start.date()).setZone(zone).toFormat('HH:mm');
    }
    if (when.date || when.time) break;
  }
  return when;
}

// ---------------------------------------------------------------------------------------------------------
// Service: the words of a service's name (stemmed) found in the text, all of them or all but one.

const stemmer = new StemmerRu();
const stemsOf = (text: string) =>
  normalizeText(text)
    .split(' ')
    .filter((word) => word.length >= 4)
    .map((word) => stemmer.stemWord(word));

function serviceIn(text: string, center: EntityContext['center']): string | undefined {
  const words = new Set(stemsOf(text));
  let best: { id: string; matched: number; ratio: number } | undefined;
  let tie = false;
  for (const service of center.services) {
    for (const name of [service.name.ru, service.name.en].filter((name): name is string => Boolean(name))) {
      const stems = stemsOf(name);
      if (stems.length === 0) continue;
      const matched = stems.filter((stem) => words.has(stem)).length;
      // «консультация» alone names every consultation: a one-word match counts only for a one-word name.
      if (matched < Math.min(2, stems.length)) continue;
      const ratio = matched / stems.length;
      if (!best || ratio > best.ratio || (ratio === best.ratio && matched > best.matched)) {
        tie = false;
        best = { id: service.id, matched, ratio };
      } else if (ratio === best.ratio && matched === best.matched && best.id !== service.id) {
        tie = true;
      }
    }
  }
  return tie ? undefined : best?.id;
}

/** «К юристу» names the lawyer's service when exactly one service is given by the center's lawyers. */
function serviceOfRole(role: RoleEntity | undefined, center: EntityContext['center']): string | undefined {
  if (!role) return undefined;
  const roles: Record<string, RoleEntity> = { lawyer: 'lawyer', psychologist: 'psychologist' };
  const services = new Set(
    center.specialists
      .filter((specialist) => (roles[specialist.role] ?? 'other') === role && specialist.service)
      .map((specialist) => specialist.service as string),
  );
  return services.size === 1 ? [...services][0] : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Family situation: the stems parents use when they describe the family.

const SITUATIONS: Array<[string, RegExp]> = [
  [
    'large_family',
    /(многодет|(трое|четверо|пятеро|шестеро|3|4|5|6) (детей|ребен|дет)|много детей|large family|three kids|four kids)/u,
  ],
  [
    'single_parent',
    /(одиноч|одна воспитыва|один воспитыва|одна с (ребен|дет)|одна растим|одна рощу|без мужа|без отца|отец не помогает|single (mom|mother|parent|dad|father))/u,
  ],
  [
    'disability',
    /(инвалид|овз|дцп|аутизм|аутист|особенн\p{L}* ребен|особ\p{L}* потребност|disab|special needs)/u,
  ],
  [
    'svo',
    /(^| )(сво|svo)( |$)|участник\p{L}* специальн|спецоперац|мобилизован|военнослужащ|контрактник|на фронте|special military/u,
  ],
  [
    'low_income',
    /(малоимущ|малообеспечен|низк\p{L}* доход|не хватает денег|нет денег|нечем платить|low income|poor family)/u,
  ],
  [
    'foster',
    /(опекун|под опекой|оформ\p{L}* опек|приемн\p{L}* (семь|ребен|дет|мам|сын|доч)|усынов|foster|adopt)/u,
  ],
  ['expecting', /(беремен|жду ребенка|ждем ребенка|ждем малыша|скоро рожать|pregnan|expecting a baby)/u],
];

function situationsIn(text: string): string[] {
  return SITUATIONS.filter(([, pattern]) => pattern.test(text)).map(([code]) => code);
}
