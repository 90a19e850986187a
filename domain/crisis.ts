/**
 * Crisis signals in a family's message (safety.md): suicide, domestic violence, sexual violence, a threat to a
 * child, the loss of a close person, an emergency. The text is lower-cased, "ё" folded into "е" and punctuation
 * turned into single spaces, then matched against a short table of stems. Rules are ordered: the first match
 * names the signal, so the more specific dangers come first ("угрожает убить ребёнка" is about a child).
 *
 * Words are matched whole at their start (`(?<!\p{L})`); stems end where a word may go on (`\p{L}*`). Phrases
 * allow at most one or two words in between, so a stem alone far from its object does not fire. False alarms
 * cost a help text and a dispatcher's call; misses cost more — but look-alikes ("убить время", "жить негде",
 * "пожарная инспекция") must stay quiet, or families learn to ignore the help text.
 */

export type CrisisSignal = 'suicide' | 'violence' | 'sexual_violence' | 'child_danger' | 'loss' | 'emergency';

/** One or two words in between, but never "не" (so "муж меня не бьёт" stays quiet). */
const GAP = '(?:(?!не )\\p{L}+ ){0,2}';
const GAP1 = '(?:(?!не )\\p{L}+ )?';
/** A child as the subject of a sentence (nominative): "ребёнок пропал", not "у ребёнка пропал аппетит". */
const CHILD = '(?:ребенок|дети|сын|дочь|дочка|малыш|девочка|мальчик|подросток)';
/** A child as an object (accusative/genitive): "угрожает убить ребёнка". */
const CHILD_OBJ = '(?:ребенка|детей|сына|дочь|дочку|дочерей|малыша|девочку|мальчика)';
/** A child as the one threatened (dative): "ребёнку угрожают". */
const CHILD_DAT = '(?:ребенку|детям|сыну|дочери|дочке|малышу)';
/** Blows: beat, hit, strangle — in the forms families write them. */
const BEAT =
  '(?:(?:бь(?:ет|ют|ешь)|бил[аи]?|ударил[аи]?|души(?:т|л|ла)|колотит|лупит|пина(?:ет|ют))(?![\\p{L}\\p{N}])' +
  '|избива\\p{L}*|избил\\p{L}*|изобь\\p{L}*)' +
  // …but not "бьёт рекорды", "бьют тревогу", "меня бьёт озноб", "била посуду".
  '(?! (?:рекорд|ключом|тревог|баклуш|в ладоши|по карману|по мячу|мяч|озноб|дрож|током|ток|посуд|копыт|фонтан))';
const VICTIM = '(?:меня|нас|детей|ребенка|сына|дочь|дочку|жену|маму|мать|бабушку)';
const ABUSER =
  '(?:муж|бывший|сожитель|отчим|отец|папа|брат|сын|свекровь|свекор|теща|мать|мама|мачеха|партнер|парень|он|она|они|жена)';
/** Killing and maiming, as a threat ("угрожает убить", "сказал, что зарежет"). */
const KILL =
  '(?:убить|убьет|убьют|зарезать|зарежет|задушить|задушит|утопить|утопит|покалечить|покалечит|прибить|прибьет)';
const WEAPON = '(?:ножом|топором|пистолетом|ружьем|оружием)';
/** A close person as the subject ("умерла мама") and as the object ("похоронила маму", "не стало мамы"). */
const KIN =
  '(?:мама|мать|папа|отец|муж|жена|сын|дочь|дочка|ребенок|дети|бабушка|дедушка|брат|сестра|малыш|сыночек|доченька)';
const KIN_OBJ =
  '(?:мамы|маму|матери|мать|папы|папу|отца|мужа|жены|жену|сына|дочери|дочь|дочку|ребенка|детей|бабушки|бабушку|дедушки|дедушку|брата|сестры|сестру|малыша|близкого человека)';
const MY = '(?:(?:мой|моя|мои|моего|моей|моих|наш|наша|наши|нашего|нашей|наших|у меня) )?';
const DIED = '(?:умер|умерла|умерли|погиб|погибла|погибли|скончал(?:ся|ась|ись))(?! со смеху| от смеха)';

const rule = (signal: CrisisSignal, source: string) => ({ signal, pattern: new RegExp(source, 'u') });
/** Whole words: nothing letter-like right before the start or right after the end. */
const w = (source: string) => `(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`;
/** A stem: whole at its start, any ending. */
const s = (source: string) => `(?<![\\p{L}\\p{N}])(?:${source})`;

const RULES: Array<{ signal: CrisisSignal; pattern: RegExp }> = [
  // — Suicide and self-harm: first, because "похоронила мужа, не хочу жить" needs the psychologist most. —
  // The words themselves: "суицид", "самоубийство", "suicide".
  rule('suicide', s('суицид|самоубий|suicid')),
  // "покончить / покончу / кончать с собой".
  rule('suicide', s('(?:по)?конч\\p{L}* с собой')),
  // "не хочу (больше) жить" — but "не хочу жить с мужем / в этом доме" is about a family, not about life.
  rule(
    'suicide',
    w(
      'не (?:хочу|хочется|хочет|могу|буду) (?:(?:больше|так|уже|дальше) )?жить' +
        '(?! (?:с|со|в|во|у|на|здесь|там|тут|вместе|одна|один|отдельно|без|рядом|дома|под|при))',
    ),
  ),
  // "жить не хочу / не хочется" (and not "жить негде", "жить не на что": housing and money).
  rule('suicide', w('жить (?:больше |уже )?не (?:хочу|хочется|хочет|могу)')),
  // "незачем жить", "нет смысла жить", "смысла жить нет".
  rule('suicide', w('(?:незачем|нет смысла|не вижу смысла|смысла нет) жить|смысла жить (?:больше )?нет')),
  // "хочу умереть", "лучше бы я умерла".
  rule('suicide', w('(?:хочу|хочется|хотела?|лучше бы(?: я)?|лучше) умер(?:еть|ла|ли)?')),
  // "убью / убить себя" — "убить время" has no "себя".
  rule('suicide', w('уб(?:ью|ьет|ьешь|ить|ила|ил|ивает|ивать) себя')),
  // "наложу на себя руки", "повешусь", "вскрою вены", "выпрыгну из окна", "уйти из жизни", "свести счёты".
  rule('suicide', s('налож\\p{L}* на себя руки|повешусь|повес(?:ить|ит|ил|ила)ся|повесится')),
  rule('suicide', s('(?:вскр|порез|перерез)\\p{L}* (?:себе )?вен')),
  rule('suicide', s('(?:выпрыг|выброш|выброс|спрыг|сброш)\\p{L}* (?:из окна|с крыши|с балкона|с моста)')),
  rule('suicide', w('уй(?:ти|ду|дет) из жизни|(?:свести|сведу|свела|свел) счеты с жизнью')),
  rule('suicide', s(`наглота\\p{L}* ${GAP1}(?:таблет|лекарст)`)),
  rule('suicide', w('kill(?:ing)? myself|end (?:my|her|his) life|want to die')),

  // — Sexual violence: any mention; these stems have no everyday meaning. —
  // "изнасиловал(а)", "изнасилование", "насилует" (not "насилие" — that is the rule for violence below).
  rule('sexual_violence', s('изнасил|насил(?:ует|уют|овал)')),
  // "домогается", "домогательства", "растление", "развратные действия", "надругался", "педофил".
  rule('sexual_violence', s('домога|растл|развратн\\p{L}* действ|надругал|педофил|сексуальн\\p{L}* насили')),
  rule('sexual_violence', w('rape[ds]?|raping|sexual(?:ly)? (?:abused?|assault(?:ed)?)|molest\\p{L}*')),

  // — A child in danger: missing, threatened, hurt right now. —
  // "ребёнок пропал", "дочь не вернулась домой" — the child is the subject (not "у ребёнка пропал аппетит").
  rule(
    'child_danger',
    w(
      `${CHILD} ${GAP1}(?:пропал\\p{L}*|исчез\\p{L}*|не (?:вернул\\p{L}*|пришел|пришла|пришли|ночевал\\p{L}*) домой|(?:ушел|ушла|сбежал\\p{L}*) из дома)`,
    ),
  ),
  // "пропала дочь", "исчез наш сын".
  rule('child_danger', w(`(?:пропал\\p{L}*|исчез\\p{L}*) ${MY}${CHILD}`)),
  // "ребёнку угрожают", "угрожают сыну" — dative: the child is the one threatened ("угрожает забрать детей" is a
  // custody dispute, not a danger to life).
  rule('child_danger', w(`${CHILD_DAT} ${GAP1}угрож\\p{L}*|угрож\\p{L}* ${GAP1}${CHILD_DAT}`)),
  // "угрожает убить ребёнка", "сказал, что утопит детей".
  rule('child_danger', s(`${KILL} ${GAP1}${CHILD_OBJ}`)),
  // "жизнь ребёнка в опасности", "угроза жизни детей".
  rule('child_danger', w(`(?:${CHILD}|${CHILD_OBJ}) ${GAP1}в опасности|угроз\\p{L}* жизни ${CHILD_OBJ}`)),
  // "малыш не дышит", "сын выпал из окна", "дочка проглотила таблетки".
  rule(
    'child_danger',
    w(`${CHILD} ${GAP1}(?:не дышит|без сознания|выпал\\p{L}* из окна|проглотил\\p{L}*|отравил\\p{L}*)`),
  ),
  rule('child_danger', w('(?:child|son|daughter|kid) (?:is )?missing|missing (?:child|son|daughter|kid)')),

  // — Violence and cruelty in the family (including against children: "избивает детей"). —
  // "муж бьёт", "отчим избивает" — someone from the family beats.
  rule('violence', w(`${ABUSER} ${GAP}${BEAT}`)),
  // "бьёт меня", "избивает детей"; "меня избили".
  rule('violence', s(`${BEAT} ${GAP1}${VICTIM}(?!\\p{L})|${VICTIM} ${GAP1}${BEAT}`)),
  // "угрожает убить", "грозится зарезать", "угрожает ножом"; "сказал, что убьёт меня".
  rule('violence', s(`(?:угрож|угрожа|грози|грозит|обеща)\\p{L}* ${GAP1}(?:${KILL}|${WEAPON})`)),
  rule('violence', w(`(?:убьет|убьют|зарежет|задушит|прибьет) (?:меня|нас|тебя)`)),
  // "домашнее насилие", "насилие в семье", "побои", "издевается над детьми", "боюсь за свою жизнь".
  rule(
    'violence',
    s(
      '(?:домашн|семейн)\\p{L}* насили|насили\\p{L}* в семье|побо(?:и|ев|ями)|издева\\p{L}* над|боюсь за (?:свою )?жизнь',
    ),
  ),
  rule(
    'violence',
    w('(?:beats|hits) me|domestic (?:violence|abuse)|abus(?:es|ed|ing) (?:me|us|the kids|my)'),
  ),

  // — Loss of a close person. —
  // "мама умерла", "муж погиб" — the close person is the subject ("у дочки умер хомяк" is not).
  rule('loss', w(`${KIN} ${GAP1}${DIED}`)),
  // "умерла мама", "погиб мой муж".
  rule('loss', w(`${DIED} ${MY}${KIN}`)),
  // "не стало мамы", "похоронила мужа", "потеряла сына".
  rule('loss', w(`(?:не стало|похоронил\\p{L}*|потерял\\p{L}*) ${MY}${KIN_OBJ}`)),
  rule(
    'loss',
    w(
      'my (?:mother|mom|mum|father|dad|husband|wife|son|daughter|child|baby) (?:has |just )?(?:died|passed away)',
    ),
  ),

  // — Emergencies. —
  // "пожар" as a noun — not "пожарная инспекция", "пожарный".
  rule('emergency', w('пожар(?:а|е|у|ом|ы|ов|ами|ах)?')),
  // "горит дом", "квартира горит", "горим".
  rule(
    'emergency',
    w(
      '(?:горит|горим|загорел\\p{L}*) (?:дом|квартира|квартире|доме|наш дом)|(?:дом|квартира) горит|горим(?! желанием)',
    ),
  ),
  // "пахнет газом", "утечка газа", "взрыв" (not "взрывной характер").
  rule('emergency', w('(?:пахнет|запах|утечка) газ(?:а|ом)|газом пахнет|взрыв(?:а|е|ом)?')),
  // "вызовите скорую", "истекает кровью", "без сознания".
  rule(
    'emergency',
    w('(?:вызовите|вызвать|нужна) (?:скорую|скорая|полицию)|истекает кровью|без сознания|не дышит'),
  ),
  rule('emergency', w('on fire|gas leak|not breathing|unconscious')),
];

/** Lower case, "ё" as "е", every run of punctuation and spaces as one space. */
export function normaliseForCrisis(text: string): string {
  return ` ${text
    .toLocaleLowerCase('ru')
    .replaceAll('ё', 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

export function detectCrisis(text: string): { signal: CrisisSignal } | undefined {
  const normalised = normaliseForCrisis(text);
  const found = RULES.find((candidate) => candidate.pattern.test(normalised));
  return found ? { signal: found.signal } : undefined;
}
