import { describe, expect, it } from 'vitest';
import { IntentClassifier } from '../../domain/understanding/classifier.ts';
import {
  asTrainingDocuments,
  loadEvaluationSet,
  NONE,
  score,
} from '../../domain/understanding/evaluation.ts';

/**
 * The classifier on realistic parent messages it was never trained on (nlu/eval/heldout.yaml). Training uses
 * nlu/*.yaml and the training split only. `npm run bench -- nlu` prints the same figures and the misses.
 */
const set = await loadEvaluationSet();
const classifier = await IntentClassifier.create({ extraDocuments: asTrainingDocuments(set.train) });
const heldout = await score(set.heldout, (message) => classifier.classify(message.text, message.locale));
const misses = heldout.outcomes
  .filter((outcome) => outcome.predicted !== (outcome.intent === NONE ? undefined : outcome.intent))
  .map((outcome) => `${outcome.intent} → ${outcome.predicted ?? '(fallback)'}: ${outcome.text}`);

describe('intent accuracy on the held-out parent messages', () => {
  it('is a real held-out set: enough messages, none of them in the training split', () => {
    expect(set.train.length + set.heldout.length).toBeGreaterThanOrEqual(250);
    expect(set.train.length + set.dev.length + set.heldout.length).toBeGreaterThanOrEqual(300);
    const trained = new Set(set.train.map((message) => message.text.toLocaleLowerCase('ru')));
    expect(set.heldout.filter((message) => trained.has(message.text.toLocaleLowerCase('ru')))).toEqual([]);
    expect(set.heldout.some((message) => message.intent === NONE)).toBe(true);
  });

  it('answers at least 85 % right', () => {
    expect(heldout.accuracy, misses.join('\n')).toBeGreaterThanOrEqual(0.85);
  });

  it('rarely acts on a wrong intent: the rest falls back', () => {
    expect(heldout.wrongRate, misses.join('\n')).toBeLessThanOrEqual(0.07);
  });

  it('understands the examples of issue 11', async () => {
    const examples: Array<[string, string]> = [
      ['документы для социального контракта', 'kb.social_contract'],
      ['консультация платная?', 'kb.free'],
      ['работаете в субботу?', 'hours'],
      ['где вы находитесь?', 'contacts'],
      ['спасибо', 'thanks'],
      ['позвоните мне', 'callback.request'],
      ['алло вы тут?', 'presence'],
      ['выплаты участнику СВО', 'kb.svo'],
      ['хочу записаться к юристу на завтра', 'book'],
      ['когда мне перезвонят? уже жду', 'appeal.status'],
      ['можно анонимно поговорить с психологом?', 'kb.anonymous'],
    ];
    for (const [text, intent] of examples) {
      expect((await classifier.classify(text, 'ru')).intent, text).toBe(intent);
    }
  });
});
