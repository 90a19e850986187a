/**
 * Text normalisation before classification: what parents type in a messenger (emoji, no punctuation,
 * «спасибооо», «щас», voice-typing «запятая») becomes plain lowercase words the stemmer knows.
 * Training phrasings go through the same function, so both sides of the classifier see the same forms.
 */

/** Chat spellings and voice-typing forms → the word the training data uses. Whole words only. */
const WORD_FIXES: Record<string, string> = {
  спс: 'спасибо',
  спасиб: 'спасибо',
  пасиб: 'спасибо',
  пасибо: 'спасибо',
  сяп: 'спасибо',
  благодарствую: 'благодарю',
  пж: 'пожалуйста',
  пжл: 'пожалуйста',
  пжлст: 'пожалуйста',
  плиз: 'пожалуйста',
  пожалуста: 'пожалуйста',
  пожалусто: 'пожалуйста',
  здрасте: 'здравствуйте',
  здрасьте: 'здравствуйте',
  здраствуйте: 'здравствуйте',
  здравствуй: 'здравствуйте',
  драсте: 'здравствуйте',
  прив: 'привет',
  приветики: 'привет',
  але: 'алло',
  алле: 'алло',
  ало: 'алло',
  приветик: 'привет',
  приветствую: 'привет',
  щас: 'сейчас',
  ща: 'сейчас',
  счас: 'сейчас',
  че: 'что',
  чо: 'что',
  шо: 'что',
  чето: 'что',
  чта: 'что',
  скока: 'сколько',
  скоко: 'сколько',
  сколька: 'сколько',
  када: 'когда',
  кагда: 'когда',
  тел: 'телефон',
  телефончик: 'телефон',
  номерок: 'номер',
  инфа: 'информация',
  нету: 'нет',
  ок: 'хорошо',
  окей: 'хорошо',
  ладненько: 'хорошо',
  оч: 'очень',
  тыс: 'тысяч',
  мб: 'может',
  плз: 'пожалуйста',
  pls: 'please',
  plz: 'please',
  thx: 'thanks',
  thanx: 'thanks',
  ty: 'thanks',
  hi: 'hello',
  hey: 'hello',
};

/** Punctuation spoken aloud to a voice keyboard that it wrote out as words. */
const SPOKEN_PUNCTUATION =
  /(^|\s)(запятая|точка|вопросительный знак|восклицательный знак|двоеточие)(?=\s|$)/gu;

export function normalizeText(text: string): string {
  const plain = text
    .toLocaleLowerCase('ru')
    .replaceAll('ё', 'е')
    // Letters, digits and spaces only: emoji, punctuation and symbols go (a digit group stays together).
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    // «спасибооо», «аууу», «помогитеее»: a letter three or more times in a row is one letter.
    .replace(/(\p{L})\1{2,}/gu, '$1')
    .replace(SPOKEN_PUNCTUATION, '$1')
    .trim();
  if (plain === '') return '';
  return plain
    .split(/\s+/)
    .map((word) => WORD_FIXES[word] ?? word)
    .join(' ');
}

/** Which language model should read a text: its script decides, the conversation's locale breaks ties. */
export function scriptLocale(text: string, fallback: 'ru' | 'en'): 'ru' | 'en' {
  const cyrillic = (text.match(/\p{Script=Cyrillic}/gu) ?? []).length;
  const latin = (text.match(/\p{Script=Latin}/gu) ?? []).length;
  if (cyrillic > latin) return 'ru';
  if (latin > cyrillic) return 'en';
  return fallback;
}
