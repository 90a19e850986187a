import { type Kysely, sql } from 'kysely';

/**
 * The navigator's articles, one row per article and locale, mirrored from the `knowledge/` folder at start
 * (storage/knowledge.ts syncKnowledge) so PostgreSQL's Russian full-text search can rank them. The files stay
 * the source of truth; this table is rebuilt from them.
 * `search` weights the title and the parents' phrasings A and the answer (with the documents list) B. The
 * `russian` configuration stems Cyrillic words with the Russian Snowball stemmer and Latin words with the
 * English one, so the same column serves the English rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table knowledge_articles (
    id text not null,
    locale text not null,
    title text not null,
    phrasings text not null,
    body text not null,
    -- Center ids the article applies to; null = every center.
    centers text[],
    search tsvector generated always as (
      setweight(to_tsvector('russian', title), 'A') ||
      setweight(to_tsvector('russian', phrasings), 'A') ||
      setweight(to_tsvector('russian', body), 'B')
    ) stored,
    updated_at timestamptz not null default now(),
    primary key (id, locale)
  )`.execute(db);
  await sql`create index knowledge_articles_search_idx on knowledge_articles using gin (search)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists knowledge_articles`.execute(db);
}
