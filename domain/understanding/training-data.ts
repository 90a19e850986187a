import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export type NluLocale = 'ru' | 'en';
export const NLU_LOCALES: readonly NluLocale[] = ['ru', 'en'];

/** One intent's phrasings in one language: what a data file holds per intent, and what articles add. */
export type TrainingDocument = { locale: NluLocale; intent: string; utterances: string[] };

/** The repository's own training data: `nlu/<locale>.yaml`. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../nlu/', import.meta.url));

const INTENT_ID = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

const TrainingFile = z.object({
  locale: z.enum(['ru', 'en']),
  intents: z.record(
    z.string().regex(INTENT_ID, 'intent ids are lowercase words joined by dots, e.g. kb.docs'),
    z.array(z.string().trim().min(1)).min(1),
  ),
});

/** Reads one training file; a broken file names itself and the problem (a center edits these by hand). */
export async function readTrainingFile(path: string): Promise<TrainingDocument[]> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`NLU training file ${path}: ${(error as Error).message}`);
  }
  const parsed = TrainingFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`NLU training file ${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const { locale, intents } = parsed.data;
  return Object.entries(intents).map(([intent, utterances]) => ({ locale, intent, utterances }));
}

/** The data directory's `ru.yaml` and `en.yaml` (a missing one is simply absent), then the extra files. */
export async function loadTrainingDocuments(
  dataDir: string,
  extraFiles: string[],
): Promise<TrainingDocument[]> {
  const documents: TrainingDocument[] = [];
  for (const locale of NLU_LOCALES) {
    const path = join(dataDir, `${locale}.yaml`);
    try {
      documents.push(...(await readTrainingFile(path)));
    } catch (error) {
      if ((error as Error).message.includes('ENOENT')) continue;
      throw error;
    }
  }
  for (const path of extraFiles) documents.push(...(await readTrainingFile(path)));
  return documents;
}

/** Merge by locale and intent: a center's file adds phrasings to an existing intent or brings a new one. */
export function mergeDocuments(documents: TrainingDocument[]): TrainingDocument[] {
  const merged = new Map<string, TrainingDocument>();
  for (const document of documents) {
    const key = `${document.locale}\u0000${document.intent}`;
    const existing = merged.get(key);
    if (existing) existing.utterances.push(...document.utterances);
    else merged.set(key, { ...document, utterances: [...document.utterances] });
  }
  return [...merged.values()];
}
