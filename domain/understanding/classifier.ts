import { performance } from 'node:perf_hooks';
import { containerBootstrap } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en-min';
import { LangRu } from '@nlpjs/lang-ru';
import { Nlp } from '@nlpjs/nlp';
import { normalizeText, scriptLocale } from './normalize.ts';
import {
  DEFAULT_DATA_DIR,
  loadTrainingDocuments,
  mergeDocuments,
  type NluLocale,
  type TrainingDocument,
} from './training-data.ts';
import { Vocabulary } from './vocabulary.ts';

/**
 * Intent classification with nlp.js: a small neural network per language over stemmed words (Russian
 * stemmer from @nlpjs/lang-ru), trained at start from the `nlu/*.yaml` phrasings in milliseconds, no network.
 */

export type Classification = {
  /** The best intent, or undefined when its score is below the threshold (never guess an action). */
  intent?: string;
  score: number;
  /** The closest intents, best first (at most three, each above ALTERNATIVE_FLOOR), also below threshold. */
  alternatives: Array<{ intent: string; score: number }>;
};

export type ClassifierOptions = {
  /** Folder with `ru.yaml` / `en.yaml`; the repository's `nlu/` by default. */
  dataDir?: string;
  /** A center's own training files (same format), merged by intent into the default data. */
  extraFiles?: string[];
  /** Phrasings from elsewhere, e.g. knowledge-base articles (intents `kb.<articleId>`). */
  extraDocuments?: TrainingDocument[];
  /** Minimal score to act on the best intent; see DEFAULT_THRESHOLD. */
  threshold?: number;
};

/**
 * Chosen on the development messages (nlu/eval/dev.yaml; `npm run bench -- nlu` prints the curve): 0.6 and up
 * turn more right answers into fallbacks than they save wrong ones.
 */
export const DEFAULT_THRESHOLD = 0.5;
/** Intents scoring less than this are no "closest topic" worth a button. */
export const ALTERNATIVE_FLOOR = 0.05;
const MAX_ALTERNATIVES = 3;
/** Below this share of known content words a message is out of scope whatever the network says. */
export const MIN_COVERAGE = 0.5;
/** Phrasings under this intent teach what is out of scope (adverts, small talk); it is never returned. */
export const OUT_OF_SCOPE = 'none';

type NlpProcessResult = {
  intent: string;
  score: number;
  classifications?: Array<{ intent: string; score: number }>;
};
type NlpInstance = {
  settings: Record<string, unknown>;
  addLanguage(locale: string): void;
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<unknown>;
  process(locale: string, text: string): Promise<NlpProcessResult>;
};

export class IntentClassifier {
  private constructor(
    private readonly nlp: NlpInstance,
    private readonly locales: Set<NluLocale>,
    private readonly vocabulary: Vocabulary,
    readonly threshold: number,
    /** Milliseconds the training took (reported by the bench). */
    readonly trainingMs: number,
    readonly intents: readonly string[],
  ) {}

  static async create(options: ClassifierOptions = {}): Promise<IntentClassifier> {
    const fromFiles = await loadTrainingDocuments(
      options.dataDir ?? DEFAULT_DATA_DIR,
      options.extraFiles ?? [],
    );
    const documents = mergeDocuments([...fromFiles, ...(options.extraDocuments ?? [])]);
    const container = await containerBootstrap();
    container.use(Nlp);
    container.use(LangRu);
    container.use(LangEn);
    // The nlu defaults with `log: false` (it prints every training epoch otherwise) and a spell check that
    // forgives one wrong letter against the known vocabulary («записатся», «спосибо»).
    container.registerConfiguration(
      'nlu-??',
      {
        keepStopwords: true,
        nonefeatureValue: 1,
        nonedeltaMultiplier: 1.2,
        spellCheck: true,
        spellCheckDistance: 1,
        filterZeros: true,
        log: false,
      },
      true,
    );
    const nlp = container.get('nlp') as NlpInstance;
    nlp.settings.autoSave = false;
    nlp.settings.log = false;
    // nlp.js answers "None" below its own 0.5; the threshold here is ours (configurable, chosen by evaluation).
    nlp.settings.threshold = 0;
    const locales = new Set<NluLocale>();
    const vocabulary = new Vocabulary();
    for (const document of documents) {
      if (!locales.has(document.locale)) {
        nlp.addLanguage(document.locale);
        locales.add(document.locale);
      }
      for (const utterance of document.utterances) {
        const text = normalizeText(utterance);
        if (text === '') continue;
        // nlp.js's own "None" class learns the out-of-scope examples; they add nothing to the vocabulary.
        if (document.intent === OUT_OF_SCOPE) {
          nlp.addDocument(document.locale, text, 'None');
          continue;
        }
        nlp.addDocument(document.locale, text, document.intent);
        vocabulary.add(document.locale, text);
      }
    }
    if (locales.size === 0) throw new Error('NLU: no training data (expected nlu/ru.yaml)');
    const started = performance.now();
    await nlp.train();
    const trainingMs = performance.now() - started;
    const intents = [...new Set(documents.map((document) => document.intent))]
      .filter((intent) => intent !== OUT_OF_SCOPE)
      .sort();
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    return new IntentClassifier(nlp, locales, vocabulary, threshold, trainingMs, intents);
  }

  async classify(text: string, locale: NluLocale): Promise<Classification> {
    const normalized = normalizeText(text);
    if (normalized === '') return { score: 0, alternatives: [] };
    // The script of the text picks the model: a Russian sentence in an English conversation is still Russian.
    let model = scriptLocale(normalized, locale);
    if (!this.locales.has(model)) model = this.locales.has(locale) ? locale : 'ru';
    const result = await this.nlp.process(model, normalized);
    const ranked = (result.classifications ?? [])
      .filter((entry) => entry.intent !== 'None')
      .sort((a, b) => b.score - a.score);
    const alternatives = ranked
      .filter((entry) => entry.score >= ALTERNATIVE_FLOOR)
      .slice(0, MAX_ALTERNATIVES)
      .map(({ intent, score }) => ({ intent, score: round(score) }));
    const best = ranked[0];
    const score = round(best?.score ?? 0);
    // "None" wins when the text has no (or too few) words the training data knows: nothing to act on.
    const noneScore = result.classifications?.find((entry) => entry.intent === 'None')?.score ?? 0;
    const confident =
      best !== undefined &&
      best.score >= this.threshold &&
      best.score > noneScore &&
      this.vocabulary.coverage(model, normalized) >= MIN_COVERAGE;
    return confident ? { intent: best.intent, score, alternatives } : { score, alternatives };
  }
}

const round = (score: number) => Math.round(score * 1000) / 1000;
