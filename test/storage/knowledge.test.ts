import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../config/knowledge.ts';
import { createKnowledgeBase, type KnowledgeBase } from '../../domain/knowledge.ts';
import { openDatabase } from '../../storage/db.ts';
import { MAX_QUERY_CHARS, searchKnowledge, syncKnowledge } from '../../storage/knowledge.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { EMPTY_CASES, SEARCH_CASES, UNSEEN_CASES } from './knowledge-questions.ts';

/** Rows the demo folder produces: one per article and locale (every demo article is bilingual). */
const rowsOf = (kb: KnowledgeBase) => kb.articles.length * 2;

describe.each(ENGINES)('knowledge search on $name', (engine) => {
  let t: TestDatabase;
  let kb: KnowledgeBase;
  beforeAll(async () => {
    t = await engine.create();
    kb = await loadKnowledge('knowledge');
    await syncKnowledge(t.db, kb);
  });
  afterAll(async () => {
    await t.drop();
  });

  it.each(SEARCH_CASES)(
    '«$text» ($center) → $expected in the top $top',
    async ({ text, center, expected, top }) => {
      const locale = /[а-яё]/i.test(text) ? 'ru' : 'en';
      const hits = await searchKnowledge(t.db, text, locale, { centerId: center, limit: 3 });
      const ids = hits.map((hit) => hit.id);
      expect(ids.slice(0, top), `got ${JSON.stringify(hits)}`).toContain(expected);
      for (const hit of hits) {
        expect(hit.score).toBeGreaterThan(0);
        expect(hit.score).toBeLessThan(1);
      }
      expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));
    },
  );

  it('finds the right article in the top 3 for at least 75 % of questions worded unlike any phrasing', async () => {
    const found = [];
    for (const { text, center, expected } of UNSEEN_CASES) {
      const hits = await searchKnowledge(t.db, text, 'ru', { centerId: center, limit: 3 });
      if (hits.some((hit) => hit.id === expected)) found.push(text);
    }
    expect(found.length / UNSEEN_CASES.length).toBeGreaterThanOrEqual(0.75);
  });

  it('finds nothing for texts with no meaningful word', async () => {
    for (const text of EMPTY_CASES)
      expect(await searchKnowledge(t.db, text, 'ru'), JSON.stringify(text)).toEqual([]);
  });

  it('never fails on garbage: NUL, quotes, tsquery operators, lone surrogates, 10 kB of text', async () => {
    const garbage = [
      'коляска\u0000прокат',
      "'; drop table knowledge_articles; --",
      'соцконтракт & | ! : * ( ) <-> \\ "',
      'психолог:* & !анонимно | (юрист',
      '\ud800 юрист \udfff',
      'прокат '.repeat(2000),
      `${'ы'.repeat(MAX_QUERY_CHARS)} юрист`,
      'x'.repeat(10_240),
    ];
    for (const text of garbage) {
      const hits = await searchKnowledge(t.db, text, 'ru', { centerId: 'barnaul' });
      expect(Array.isArray(hits)).toBe(true);
    }
    expect((await searchKnowledge(t.db, 'коляска\u0000прокат', 'ru', { centerId: 'barnaul' }))[0]?.id).toBe(
      'rental',
    );
    for (const limit of [Number.NaN, -5, 0, 2.7, 1e9]) {
      const hits = await searchKnowledge(t.db, 'документы паспорт снилс', 'ru', { limit });
      expect(hits.length).toBeGreaterThanOrEqual(1);
      expect(hits.length).toBeLessThanOrEqual(20);
    }
    // Words past the bound are not searched: the cost of a flood stays bounded.
    expect(await searchKnowledge(t.db, `${'ы'.repeat(MAX_QUERY_CHARS)} юрист`, 'ru')).toEqual([]);
    expect(await t.db.selectFrom('knowledge_articles').select('id').execute()).toHaveLength(rowsOf(kb));
  });

  it('keeps to the center: another center’s article never comes back', async () => {
    const belovo = await searchKnowledge(t.db, 'социальный пункт проката коляска', 'ru', {
      centerId: 'belovo',
      limit: 10,
    });
    expect(belovo.map((hit) => hit.id)).not.toContain('rental');
    const all = await searchKnowledge(t.db, 'социальный пункт проката коляска', 'ru', { limit: 10 });
    expect(all.map((hit) => hit.id)).toContain('rental');
  });

  it('searches an English chat in English and still understands Russian there', async () => {
    expect((await searchKnowledge(t.db, 'anonymous psychologist', 'en', { centerId: 'belovo' }))[0]?.id).toBe(
      'anonymous',
    );
    expect((await searchKnowledge(t.db, 'анонимно к психологу', 'en', { centerId: 'belovo' }))[0]?.id).toBe(
      'anonymous',
    );
    // A Russian chat does not search the English rows.
    expect(await searchKnowledge(t.db, 'borrow pram', 'ru', { centerId: 'barnaul' })).toEqual([]);
  });

  it('sync is idempotent, follows edits and removals of the folder', async () => {
    expect(await syncKnowledge(t.db, kb)).toEqual({ upserted: 0, deleted: 0 });
    const [first, ...rest] = kb.articles;
    if (!first) throw new Error('no articles');
    const edited = {
      ...first,
      phrasings: { ...first.phrasings, ru: ['совсем новая формулировка про бегемотов'] },
    };
    expect(await syncKnowledge(t.db, createKnowledgeBase([edited, ...rest]))).toEqual({
      upserted: 1,
      deleted: 0,
    });
    expect((await searchKnowledge(t.db, 'бегемот', 'ru'))[0]?.id).toBe(first.id);
    expect(await syncKnowledge(t.db, createKnowledgeBase(rest))).toEqual({ upserted: 0, deleted: 2 });
    expect(await searchKnowledge(t.db, 'бегемот', 'ru')).toEqual([]);
    expect(await syncKnowledge(t.db, kb)).toEqual({ upserted: 2, deleted: 0 });
    expect(await t.db.selectFrom('knowledge_articles').select('id').execute()).toHaveLength(rowsOf(kb));
  });

  it('several processes syncing at once neither fail nor leave duplicates', async () => {
    const other = createKnowledgeBase(kb.articles.slice(1));
    const clients = t.url
      ? await Promise.all([1, 2, 3].map(() => openDatabase({ kind: 'postgres', url: t.url ?? '' })))
      : [];
    try {
      const dbs = clients.length > 0 ? clients : [t.db, t.db, t.db];
      await Promise.all(dbs.map((db, index) => syncKnowledge(db, index === 1 ? other : kb)));
      await syncKnowledge(t.db, kb);
      const rows = await t.db.selectFrom('knowledge_articles').select(['id', 'locale']).execute();
      expect(rows).toHaveLength(rowsOf(kb));
      expect(new Set(rows.map((row) => `${row.id}/${row.locale}`)).size).toBe(rowsOf(kb));
    } finally {
      await Promise.all(clients.map((db) => db.destroy()));
    }
  });
});
