import { sql } from 'kysely';
import type { Locale } from '../config/center.ts';
import { articleLocales, type KnowledgeBase, searchableText } from '../domain/knowledge.ts';
import type { Db } from './db.ts';

/**
 * The navigator's search index: the knowledge folder mirrored into `knowledge_articles` (migration 013) and
 * ranked with PostgreSQL's Russian full-text search, the same on PGlite and PostgreSQL.
 */

/** Any constant shared by all processes: serialises concurrent start-up syncs of the same database. */
const SYNC_LOCK = 110_013;

/**
 * Upserts every article (one row per locale it has) and deletes rows of removed articles or locales, in one
 * transaction under an advisory lock, so several processes starting at once neither fail on a conflict nor
 * leave a half-synced table. Rows whose text is unchanged are not rewritten. Returns what changed.
 */
export async function syncKnowledge(
  db: Db,
  kb: KnowledgeBase,
): Promise<{ upserted: number; deleted: number }> {
  const rows = kb.articles.flatMap((article) =>
    articleLocales(article).map((locale) => ({
      id: article.id,
      locale,
      ...searchableText(article, locale),
      centers: article.centers ?? null,
    })),
  );
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SYNC_LOCK})`.execute(trx);
    let upserted = 0;
    for (const row of rows) {
      const written = await trx
        .insertInto('knowledge_articles')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['id', 'locale'])
            .doUpdateSet((eb) => ({
              title: eb.ref('excluded.title'),
              phrasings: eb.ref('excluded.phrasings'),
              body: eb.ref('excluded.body'),
              centers: eb.ref('excluded.centers'),
              updated_at: sql`now()`,
            }))
            .where(
              sql<boolean>`(knowledge_articles.title, knowledge_articles.phrasings, knowledge_articles.body,
                knowledge_articles.centers) is distinct from
                (excluded.title, excluded.phrasings, excluded.body, excluded.centers)`,
            ),
        )
        .returning('id')
        .executeTakeFirst();
      if (written) upserted += 1;
    }
    const keep = new Set(rows.map((row) => `${row.id}\u0001${row.locale}`));
    const stale = await trx.selectFrom('knowledge_articles').select(['id', 'locale']).execute();
    let deleted = 0;
    for (const row of stale) {
      if (keep.has(`${row.id}\u0001${row.locale}`)) continue;
      await trx
        .deleteFrom('knowledge_articles')
        .where('id', '=', row.id)
        .where('locale', '=', row.locale)
        .execute();
      deleted += 1;
    }
    return { upserted, deleted };
  });
}

/** A question is ranked on its first characters only: enough for any real question, bounded cost for a flood. */
export const MAX_QUERY_CHARS = 2000;

export type KnowledgeHit = { id: string; score: number };

export type SearchOptions = {
  limit?: number;
  /** Only articles that apply to this center (rows with no centers apply to every center). */
  centerId?: string;
};

/**
 * Articles matching a parent's free text, best first, score 0–1.
 *
 * A parent's question is long and only some of its words are in the article, so the query is the OR of the
 * text's own lexemes (`to_tsvector('russian', text)`: stemmed, stop words dropped), not the AND that
 * `plainto_tsquery` builds. Lexemes are kept only if made of letters and digits, then cast to a tsquery —
 * so no user character ever reaches the tsquery parser. Ranked with `ts_rank` over the weighted column
 * (title and phrasings A, body B) and normalised to 0–1 by rank / (rank + 1). A text with no meaningful word
 * («ну», «???») finds nothing. Rows of the asked locale are searched, plus the Russian ones (an English chat
 * may still write Russian; the best row per article counts).
 */
export async function searchKnowledge(
  db: Db,
  text: string,
  locale: Locale,
  options: SearchOptions = {},
): Promise<KnowledgeHit[]> {
  const wanted = Math.trunc(options.limit ?? 3);
  const limit = Number.isFinite(wanted) ? Math.max(1, Math.min(wanted, 20)) : 3;
  const cleaned = cleanQuery(text);
  if (!cleaned) return [];
  const locales = locale === 'ru' ? ['ru'] : [locale, 'ru'];
  const centerFilter =
    options.centerId === undefined
      ? sql`true`
      : sql`(a.centers is null or ${options.centerId} = any(a.centers))`;
  const result = await sql<{ id: string; rank: number }>`
    with lexemes as (
      select distinct lexeme
      from unnest(tsvector_to_array(to_tsvector('russian', ${cleaned}))) as lexeme
      where lexeme ~ '^[0-9a-zа-яё]+$'
    ),
    query as (select string_agg(lexeme, ' | ')::tsquery as q from lexemes)
    select a.id, max(ts_rank(a.search, query.q)) as rank
    from knowledge_articles a, query
    where query.q is not null
      and a.locale in (${sql.join(locales)})
      and ${centerFilter}
      and a.search @@ query.q
    group by a.id
    order by rank desc, a.id
    limit ${limit}
  `.execute(db);
  return result.rows.map((row) => {
    const rank = Number(row.rank);
    return { id: row.id, score: Math.round((rank / (rank + 1)) * 1000) / 1000 };
  });
}

/** Control characters (NUL is refused by PostgreSQL) and lone surrogates become spaces; the length is bounded. */
function cleanQuery(text: string): string {
  return Array.from(String(text ?? '').slice(0, MAX_QUERY_CHARS * 2))
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      const unsafe = code < 32 || (code >= 0x7f && code < 0xa0) || (code >= 0xd800 && code <= 0xdfff);
      return unsafe ? ' ' : char;
    })
    .join('')
    .slice(0, MAX_QUERY_CHARS)
    .trim();
}
