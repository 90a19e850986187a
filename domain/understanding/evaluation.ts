import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { scriptLocale } from './normalize.ts';
import { DEFAULT_DATA_DIR, type TrainingDocument } from './training-data.ts';

/**
 * The labelled evaluation set (`nlu/eval/train.yaml`, `dev.yaml`, `dev-2.yaml`,
 * `heldout.yaml`) and how a classifier is scored
 * on it: used by `bench/nlu.ts` and `test/nlu/accuracy.test.ts`. The intent `none` marks an out-of-scope
 * message: its right answer is "no intent" (fall back).
 */

export type LabelledMessage = { text: string; intent: string; locale: 'ru' | 'en' };
export const NONE = 'none';

const EvaluationFile = z.record(z.string(), z.array(z.string().trim().min(1)).nullable());

export const DEFAULT_EVAL_DIR = join(DEFAULT_DATA_DIR, 'eval');

export async function readLabelledMessages(path: string): Promise<LabelledMessage[]> {
  const parsed = EvaluationFile.parse(parseYaml(await readFile(path, 'utf8')));
  return Object.entries(parsed).flatMap(([intent, texts]) =>
    (texts ?? []).map((text) => ({ text, intent, locale: scriptLocale(text, 'ru') })),
  );
}

export async function loadEvaluationSet(dir = DEFAULT_EVAL_DIR) {
  return {
    train: await readLabelledMessages(join(dir, 'train.yaml')),
    /** Never trained on, but looked at while writing the training data and choosing the threshold. */
    dev: [
      ...(await readLabelledMessages(join(dir, 'dev.yaml'))),
      ...(await readLabelledMessages(join(dir, 'dev-2.yaml'))),
    ],
    /** Never trained on, never used to tune: the figure to report. */
    heldout: await readLabelledMessages(join(dir, 'heldout.yaml')),
  };
}

/** The training split as classifier documents (out-of-scope examples train nothing: nlp.js has "None"). */
export function asTrainingDocuments(messages: LabelledMessage[]): TrainingDocument[] {
  return messages
    .filter((message) => message.intent !== NONE)
    .map((message) => ({ locale: message.locale, intent: message.intent, utterances: [message.text] }));
}

export type Prediction = { intent?: string };
export type Outcome = LabelledMessage & { predicted?: string; ms: number };

export type Scores = {
  total: number;
  right: number;
  /** In-scope messages left without an intent (the assistant offers topics instead of acting). */
  fallback: number;
  /** An intent given, and a wrong one (or any intent for an out-of-scope message): a wrong action. */
  wrong: number;
  accuracy: number;
  fallbackRate: number;
  wrongRate: number;
  msPerMessage: { p50: number; p99: number };
  outcomes: Outcome[];
};

export async function score(
  messages: LabelledMessage[],
  predict: (message: LabelledMessage) => Promise<Prediction> | Prediction,
): Promise<Scores> {
  const outcomes: Outcome[] = [];
  for (const message of messages) {
    const started = performance.now();
    const prediction = await predict(message);
    outcomes.push({ ...message, predicted: prediction.intent, ms: performance.now() - started });
  }
  const expected = (outcome: Outcome) => (outcome.intent === NONE ? undefined : outcome.intent);
  const right = outcomes.filter((outcome) => outcome.predicted === expected(outcome)).length;
  const fallback = outcomes.filter(
    (outcome) => outcome.predicted === undefined && outcome.intent !== NONE,
  ).length;
  const wrong = outcomes.length - right - fallback;
  const times = outcomes.map((outcome) => outcome.ms).sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  const total = outcomes.length;
  return {
    total,
    right,
    fallback,
    wrong,
    accuracy: right / total,
    fallbackRate: fallback / total,
    wrongRate: wrong / total,
    msPerMessage: { p50: at(0.5), p99: at(0.99) },
    outcomes,
  };
}
