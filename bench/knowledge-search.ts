import { performance } from 'node:perf_hooks';
import { loadKnowledge } from '../config/knowledge.ts';
import { type Db, migrateToLatest, openDatabase } from '../storage/db.ts';
import { searchKnowledge, syncKnowledge } from '../storage/knowledge.ts';
import { SEARCH_CASES, type SearchCase, UNSEEN_CASES } from '../test/storage/knowledge-questions.ts';

/**
 * `npx tsx bench/knowledge-search.ts`: the navigator's search on the question sets of the tests — top-1 and
 * top-3 hit rates, and latency per query — on in-memory PGlite, or on PostgreSQL when DATABASE_URL is set
 * (the migrations create the tables there: use a throw-away database).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const localeOf = (text: string) => (/[а-яё]/i.test(text) ? 'ru' : 'en');

async function hitRates(db: Db, name: string, cases: SearchCase[]): Promise<void> {
  let top1 = 0;
  let top3 = 0;
  const misses: string[] = [];
  for (const { text, center, expected } of cases) {
    const hits = await searchKnowledge(db, text, localeOf(text), { centerId: center, limit: 3 });
    const position = hits.findIndex((hit) => hit.id === expected);
    if (position === 0) top1 += 1;
    if (position >= 0) top3 += 1;
    if (position !== 0)
      misses.push(`  ${text} → ${hits.map((hit) => hit.id).join(', ') || '(nothing)'}; expected ${expected}`);
  }
  const share = (count: number) =>
    `${count}/${cases.length} (${((100 * count) / cases.length).toFixed(0)} %)`;
  console.log(`${name}: top-1 ${share(top1)}, top-3 ${share(top3)}`);
  for (const miss of misses) console.log(miss);
}

const url = process.env.DATABASE_URL;
const db = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite' });
await migrateToLatest(db);
const kb = await loadKnowledge('knowledge');
const syncStarted = performance.now();
await syncKnowledge(db, kb);
const syncMs = performance.now() - syncStarted;
console.log(
  `engine: ${url ? 'postgres' : 'pglite'}; articles: ${kb.articles.length}; first sync: ${syncMs.toFixed(0)} ms`,
);
await hitRates(db, `question set (${SEARCH_CASES.length})`, SEARCH_CASES);
await hitRates(db, `unseen set (${UNSEEN_CASES.length})`, UNSEEN_CASES);

const timings: number[] = [];
const all = [...SEARCH_CASES, ...UNSEEN_CASES];
for (let round = 0; round < ROUNDS; round++) {
  for (const { text, center } of all) {
    const started = performance.now();
    await searchKnowledge(db, text, localeOf(text), { centerId: center, limit: 3 });
    timings.push(performance.now() - started);
  }
}
timings.sort((a, b) => a - b);
const at = (share: number) => timings[Math.min(timings.length - 1, Math.floor(share * timings.length))] ?? 0;
console.log(
  `latency over ${timings.length} queries: p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${at(1).toFixed(1)} ms`,
);
await db.destroy();
