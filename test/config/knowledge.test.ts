import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadCenterProfile, parseCenterProfile } from '../../config/center.ts';
import { ConfigError } from '../../config/env.ts';
import { centerIdOf, knowledgeDirOf, loadKnowledge } from '../../config/knowledge.ts';
import {
  articleAnswer,
  articlesForIntent,
  paragraphs,
  rankArticles,
  splitBody,
  trainingPhrases,
} from '../../domain/knowledge.ts';

const GOOD = `---
id: free
title: { ru: Сколько стоят услуги, en: What the services cost }
category: center
intents: [kb.free]
phrasings:
  ru: [сколько стоит консультация, это бесплатно]
  en: [is it free]
documents:
  ru: [паспорт, СНИЛС]
service: legal-consultation
next: [book:lawyer, dispatcher]
links:
  - { title: { ru: Госуслуги }, url: "https://www.gosuslugi.ru" }
---
Консультации бесплатные.

С чем приходят:
- юрист;
- психолог.

Если остались вопросы — передам диспетчеру.

## en
Consultations are free.
`;

const CENTER_ONLY = `---
id: rental
title: { ru: Пункт проката }
category: services
phrasings: { ru: [где взять коляску] }
centers: [barnaul]
---
Коляску можно взять напрокат. Нажмите «Оставить обращение».
`;

describe('knowledge loader', () => {
  let root: string;
  const folder = async (name: string, files: Record<string, string>) => {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
    return dir;
  };
  const failure = async (dir: string, center?: Parameters<typeof loadKnowledge>[1]) => {
    const error = await loadKnowledge(dir, center).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  };
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sd-knowledge-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('loads good files: front matter, the Russian body and the English "## en" section; skips README and drafts', async () => {
    const dir = await folder('good', {
      'free.md': GOOD,
      'rental.md': CENTER_ONLY,
      'README.md': '# how to write articles (no front matter)',
      '_draft.md': 'not ready',
      'notes.txt': 'ignored',
    });
    const kb = await loadKnowledge(dir);
    expect(kb.articles.map((article) => article.id)).toEqual(['free', 'rental']);
    const free = kb.byId('free');
    expect(free).toMatchObject({
      title: { ru: 'Сколько стоят услуги', en: 'What the services cost' },
      intents: ['kb.free'],
      next: ['book:lawyer', 'dispatcher'],
      body: { en: 'Consultations are free.' },
    });
    expect(free?.body.ru).not.toContain('## en');
    expect(kb.byId('rental')?.intents).toEqual([]);
    expect(kb.byId('missing')).toBeUndefined();
    // Center filter: an article without `centers` applies everywhere, one with `centers` only there.
    expect(kb.forCenter('belovo').map((article) => article.id)).toEqual(['free']);
    expect(kb.forCenter('barnaul').map((article) => article.id)).toEqual(['free', 'rental']);
  });

  it('reads files saved on Windows (byte-order mark, CRLF) like any other', async () => {
    const windows = `\uFEFF${GOOD.replace(/\n/g, '\r\n')}`;
    const kb = await loadKnowledge(await folder('windows', { 'free.md': windows }));
    const free = kb.byId('free');
    expect(free?.body.en).toBe('Consultations are free.');
    expect(free && articleAnswer(free, 'ru').parts).toHaveLength(3);
  });

  it('articleAnswer gives paragraphs, lists and documents per locale, English falling back to Russian', async () => {
    const kb = await loadKnowledge(await folder('answer', { 'free.md': GOOD, 'rental.md': CENTER_ONLY }));
    const free = kb.byId('free');
    const rental = kb.byId('rental');
    if (!free || !rental) throw new Error('articles not loaded');
    expect(articleAnswer(free, 'ru')).toEqual({
      title: 'Сколько стоят услуги',
      parts: [
        'Консультации бесплатные.',
        'С чем приходят:\n- юрист;\n- психолог.',
        'Если остались вопросы — передам диспетчеру.',
      ],
      documents: ['паспорт', 'СНИЛС'],
      links: [{ title: 'Госуслуги', url: 'https://www.gosuslugi.ru' }],
      next: ['book:lawyer', 'dispatcher'],
    });
    const english = articleAnswer(free, 'en');
    expect(english.title).toBe('What the services cost');
    expect(english.parts).toEqual(['Consultations are free.']);
    expect(english.documents).toEqual(['паспорт', 'СНИЛС']);
    expect(articleAnswer(rental, 'en').title).toBe('Пункт проката');
    expect(paragraphs('- один\n- два\n\nтекст')).toEqual([['один', 'два'], 'текст']);
    expect(splitBody('Ответ.\n\n## EN\n')).toEqual({ ru: 'Ответ.' });
  });

  it('brings training phrases under kb.<id> and finds the articles of an intent', async () => {
    const kb = await loadKnowledge(await folder('intents', { 'free.md': GOOD, 'rental.md': CENTER_ONLY }));
    expect(trainingPhrases(kb.articles, 'ru')).toEqual([
      { intent: 'kb.free', utterance: 'сколько стоит консультация' },
      { intent: 'kb.free', utterance: 'это бесплатно' },
      { intent: 'kb.rental', utterance: 'где взять коляску' },
    ]);
    expect(trainingPhrases(kb.articles, 'en')).toEqual([{ intent: 'kb.free', utterance: 'is it free' }]);
    expect(articlesForIntent(kb.forCenter('barnaul'), 'kb.rental').map((article) => article.id)).toEqual([
      'rental',
    ]);
    expect(articlesForIntent(kb.forCenter('belovo'), 'kb.rental')).toEqual([]);
    expect(articlesForIntent(kb.articles, 'kb.free').map((article) => article.id)).toEqual(['free']);
  });

  it('rankArticles combines classifier intents and search hits, within the given articles only', async () => {
    const kb = await loadKnowledge(await folder('rank', { 'free.md': GOOD, 'rental.md': CENTER_ONLY }));
    const barnaul = kb.forCenter('barnaul');
    // Both signals on "free": the bonus puts it above a stronger search-only hit.
    expect(
      rankArticles(
        barnaul,
        [{ intent: 'kb.free', score: 0.5 }],
        [
          { id: 'rental', score: 0.6 },
          { id: 'free', score: 0.3 },
        ],
      ),
    ).toEqual([
      { id: 'free', score: 0.65 },
      { id: 'rental', score: 0.6 },
    ]);
    // The classifier alone (kb.<id> intent), the search alone, and an article of another center dropped.
    expect(rankArticles(barnaul, [{ intent: 'kb.rental', score: 0.9 }], [])).toEqual([
      { id: 'rental', score: 0.9 },
    ]);
    expect(
      rankArticles(
        kb.forCenter('belovo'),
        [{ intent: 'kb.rental', score: 0.9 }],
        [{ id: 'rental', score: 0.5 }],
      ),
    ).toEqual([]);
    expect(rankArticles(barnaul, [{ intent: 'booking.lawyer', score: 0.9 }], [])).toEqual([]);
    expect(
      rankArticles(barnaul, [{ intent: 'kb.free', score: 0.95 }], [{ id: 'free', score: 0.9 }])[0]?.score,
    ).toBe(1);
  });

  it('rejects a bad file with a message naming the file and each bad field, and reports every bad file', async () => {
    const dir = await folder('bad', {
      'good.md': GOOD,
      'broken.md': `---
id: Bad Id
title: { en: only English }
category: center
phrasings: { ru: [] }
next: [call-me]
colour: red
---
`,
      'plain.md': 'Просто текст без front matter.',
    });
    const message = await failure(dir);
    expect(message).toContain(`knowledge file "${path.join(dir, 'broken.md')}"`);
    expect(message).toMatch(/id: expected a slug/);
    expect(message).toMatch(/title\.ru: /);
    expect(message).toMatch(/phrasings\.ru: /);
    expect(message).toMatch(/next\.0: /);
    expect(message).toMatch(/Unrecognized key.*colour/);
    expect(message).toMatch(/body: the Russian answer .* is empty/);
    expect(message).toContain(`knowledge file "${path.join(dir, 'plain.md')}"`);
    expect(message).toMatch(/\(front matter\): missing/);
    expect(message).not.toContain('good.md');
  });

  it('rejects invalid YAML, duplicate ids and unknown profile services; a missing folder is a clear error', async () => {
    const yaml = await folder('yaml', { 'a.md': '---\nid: a\ntitle: Пункт: проката\n---\nТекст' });
    expect(await failure(yaml)).toMatch(/a\.md"[\s\S]*not valid YAML/);
    const twice = await folder('twice', { 'a.md': GOOD, 'b.md': GOOD });
    expect(await failure(twice)).toMatch(/b\.md"[\s\S]*id: "free" is already used by .*a\.md/);
    const services = await folder('services', { 'free.md': GOOD });
    const message = await failure(services, { center: { services: [] } });
    expect(message).toMatch(/service: unknown service "legal-consultation"/);
    expect(await failure(path.join(root, 'nowhere'))).toMatch(/Cannot read the knowledge folder/);
  });

  it('a center profile may name its knowledge folder; the default is knowledge/', async () => {
    const profile = await loadCenterProfile('config/centers/belovo.yaml');
    expect(knowledgeDirOf(profile)).toBe('knowledge');
    const raw = parseYaml(await readFile('config/centers/belovo.yaml', 'utf8'));
    expect(knowledgeDirOf(parseCenterProfile({ ...raw, knowledge: 'centers/belovo-kb' }))).toBe(
      'centers/belovo-kb',
    );
    expect(centerIdOf('config/centers/barnaul.yaml')).toBe('barnaul');
  });
});

/** Every classifier intent of the navigator (nlu catalogue) must have an article in every demo center. */
const KB_INTENTS = [
  'kb.free',
  'kb.anonymous',
  'kb.services',
  'kb.docs',
  'kb.social_contract',
  'kb.low_income',
  'kb.large_family',
  'kb.svo',
  'kb.partners',
  'kb.rental',
  'kb.helpline',
  'kb.benefits',
  'kb.psychologist',
  'kb.lawyer',
];

describe.each(['belovo', 'barnaul'])('demo knowledge for %s', (centerId) => {
  it('loads, checked against the profile, and answers every navigator intent', async () => {
    const profilePath = `config/centers/${centerId}.yaml`;
    const center = await loadCenterProfile(profilePath);
    const kb = await loadKnowledge(knowledgeDirOf(center), { center });
    const articles = kb.forCenter(centerIdOf(profilePath));
    expect(articles.length).toBeGreaterThanOrEqual(15);
    const covered = new Set(articles.flatMap((article) => article.intents));
    expect(KB_INTENTS.filter((intent) => !covered.has(intent))).toEqual([]);
  });

  it('every answer has both languages, offers a next step and ends by saying what happens next', async () => {
    const kb = await loadKnowledge('knowledge');
    for (const article of kb.forCenter(centerId)) {
      expect(article.next.length, article.id).toBeGreaterThan(0);
      expect(article.body.en, article.id).toBeTruthy();
      const ru = articleAnswer(article, 'ru').parts.at(-1);
      const en = articleAnswer(article, 'en').parts.at(-1);
      expect(ru, article.id).toMatch(/нажмите|передам/);
      expect(en, article.id).toMatch(/tap|I will pass/);
    }
  });
});
