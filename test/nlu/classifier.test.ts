import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IntentClassifier } from '../../domain/understanding/classifier.ts';
import { normalizeText } from '../../domain/understanding/normalize.ts';

const classifier = await IntentClassifier.create();

describe('normalizeText', () => {
  it.each([
    ['Спасибооо!!! 😊', 'спасибо'],
    ['СПС', 'спасибо'],
    ['Алё, вы тут?', 'алло вы тут'],
    ['щас приеду', 'сейчас приеду'],
    ['где вы находитесь вопросительный знак', 'где вы находитесь'],
    ['чё  по   выплатам', 'что по выплатам'],
    ['🙏🙏🙏', ''],
  ])('%s → %s', (text, expected) => {
    expect(normalizeText(text)).toBe(expected);
  });
});

describe('IntentClassifier', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['спасибо', 'thanks'],
    ['Спасибооо!!!', 'thanks'],
    ['алло вы тут?', 'presence'],
    ['где вы находитесь', 'contacts'],
    ['консультация платная?', 'kb.free'],
    ['хочу записаться к юристу на завтра', 'book'],
    ['thank you', 'thanks'],
  ])('%s → %s', async (text, intent) => {
    expect((await classifier.classify(text, 'ru')).intent).toBe(intent);
  });

  it('reads a Russian message in an English conversation with the Russian model, and the other way round', async () => {
    expect((await classifier.classify('позвоните мне', 'en')).intent).toBe('callback.request');
    expect((await classifier.classify('are you open on saturday', 'ru')).intent).toBe('hours');
  });

  it('gives no intent, and no alternatives, for text without words', async () => {
    expect(await classifier.classify('🙂👍', 'ru')).toEqual({ score: 0, alternatives: [] });
    expect(await classifier.classify('   ', 'ru')).toEqual({ score: 0, alternatives: [] });
  });

  it('falls back on out-of-scope messages made of unknown words', async () => {
    expect((await classifier.classify('продам гараж недорого', 'ru')).intent).toBeUndefined();
    expect((await classifier.classify('где купить зимнюю резину', 'ru')).intent).toBeUndefined();
  });

  it('below the threshold gives no intent but still the closest topics, best first', async () => {
    const strict = await IntentClassifier.create({ threshold: 0.999 });
    const result = await strict.classify('а это у вас за деньги или бесплатно к юристу', 'ru');
    expect(result.intent).toBeUndefined();
    expect(result.alternatives.length).toBeGreaterThanOrEqual(1);
    expect(result.alternatives.length).toBeLessThanOrEqual(3);
    expect(result.alternatives[0]?.intent).toBe('kb.free');
    const scores = result.alternatives.map((alternative) => alternative.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(result.score).toBe(scores[0]);
  });

  it('learns a knowledge article’s phrasings given as extra documents', async () => {
    const text = 'где получить бесплатные подгузники';
    expect((await classifier.classify(text, 'ru')).intent).not.toBe('kb.diapers');
    const withArticle = await IntentClassifier.create({
      extraDocuments: [
        {
          locale: 'ru',
          intent: 'kb.diapers',
          utterances: ['подгузники', 'бесплатные подгузники', 'где взять памперсы', 'выдаете подгузники'],
        },
      ],
    });
    expect((await withArticle.classify(text, 'ru')).intent).toBe('kb.diapers');
    expect(withArticle.intents).toContain('kb.diapers');
  });

  it('merges a center’s extra file by intent: new phrasings for a known intent, and a new intent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nlu-'));
    const file = join(dir, 'center.yaml');
    await writeFile(
      file,
      [
        'locale: ru',
        'intents:',
        '  contacts:',
        '    - как найти ваш кабинет на втором этаже',
        '  center.parking:',
        '    - где оставить машину',
        '    - есть ли парковка',
        '    - парковка у центра',
      ].join('\n'),
    );
    const extended = await IntentClassifier.create({ extraFiles: [file] });
    expect((await extended.classify('а парковка у вас есть?', 'ru')).intent).toBe('center.parking');
    expect((await extended.classify('где найти ваш кабинет', 'ru')).intent).toBe('contacts');
    // The default data is still there.
    expect((await extended.classify('спасибо', 'ru')).intent).toBe('thanks');
  });

  it('refuses a broken training file with its path and the problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nlu-'));
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'locale: ru\nintents:\n  Bad Intent:\n    - привет\n');
    await expect(IntentClassifier.create({ extraFiles: [file] })).rejects.toThrow(
      /broken\.yaml: intents\.Bad Intent/,
    );
  });

  it('trains silently (no "Epoch" lines) and quickly', async () => {
    const log = vi.spyOn(console, 'log');
    const fresh = await IntentClassifier.create();
    expect(log).not.toHaveBeenCalled();
    // Well under a second on a developer machine; generous here, the machine is shared (bench/nlu.ts measures).
    expect(fresh.trainingMs).toBeLessThan(5000);
  });
});
