import { StemmerEn } from '@nlpjs/lang-en-min';
import { StemmerRu } from '@nlpjs/lang-ru';
import type { NluLocale } from './training-data.ts';

/**
 * Which words of a message the training data knows. The neural classifier scores only known words, so
 * «продам гараж недорого» or «где купить зимнюю резину» would be judged on one stray word («где») and
 * answered with confidence; when most of the words are unknown the message is out of scope.
 */

const STEMMERS: Record<NluLocale, { stemWord(word: string): string }> = {
  ru: new StemmerRu(),
  en: new StemmerEn(),
};

/** Words that carry no topic: they never count for or against coverage. */
const FUNCTION_WORDS = new Set(
  (
    'а и в во на с со к ко у о об от по за из до не ни что чтобы как я мы вы ты он она они мне нам вам меня нас ' +
    'вас его ее их это этот эта то ли же бы вот ну да нет уже еще очень пожалуйста здравствуйте добрый день ' +
    'можно а то там тут так все всё мой моя мое мои ваш ваша наш наша у при для если или но когда где кто ' +
    'the a an is are am to of in on at for and or my me i you we it be do does can please hello hi'
  ).split(' '),
);

const stemOf = (locale: NluLocale, word: string) => STEMMERS[locale].stemWord(word);

/** Content words of an already normalised text (no digits, no one- or two-letter words, no function words). */
const contentWords = (normalized: string) =>
  normalized.split(' ').filter((word) => word.length > 2 && !/\d/.test(word) && !FUNCTION_WORDS.has(word));

export class Vocabulary {
  private readonly stems: Record<NluLocale, Set<string>> = { ru: new Set(), en: new Set() };
  /** The same stems by length: a one-typo neighbour is at most one letter longer or shorter. */
  private readonly byLength: Record<NluLocale, Map<number, string[]>> = { ru: new Map(), en: new Map() };

  add(locale: NluLocale, normalized: string): void {
    for (const word of contentWords(normalized)) {
      const stem = stemOf(locale, word);
      if (this.stems[locale].has(stem)) continue;
      this.stems[locale].add(stem);
      const sameLength = this.byLength[locale].get(stem.length) ?? [];
      sameLength.push(stem);
      this.byLength[locale].set(stem.length, sameLength);
    }
  }

  /** Share of the content words that are known (1 when the text has none: then coverage says nothing). */
  coverage(locale: NluLocale, normalized: string): number {
    const words = contentWords(normalized);
    if (words.length === 0) return 1;
    const known = words.filter((word) => this.knows(locale, stemOf(locale, word))).length;
    return known / words.length;
  }

  /** Known, or one typo away from a known stem of five letters or more (as the classifier's spell check). */
  private knows(locale: NluLocale, stem: string): boolean {
    if (this.stems[locale].has(stem)) return true;
    if (stem.length < 5) return false;
    for (const length of [stem.length - 1, stem.length, stem.length + 1]) {
      for (const candidate of this.byLength[locale].get(length) ?? []) {
        if (withinOneEdit(stem, candidate)) return true;
      }
    }
    return false;
  }
}

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
