import type { CenterProfile, Locale } from '../config/center.ts';
import type { Understander } from '../domain/understanding/understand.ts';
import type { Understanding } from '../flows/types.ts';
import type { Db } from '../storage/db.ts';
import type { UnderstandFn } from './runtime.ts';

/** Navigator search: article ids with a 0–1 score, best first (PostgreSQL full-text search). */
export type ArticleSearch = (db: Db, text: string, locale: Locale) => Promise<Understanding['articles']>;

/**
 * The runtime's understanding layer: the classifier and entity extraction, plus the navigator's full-text search
 * in the same transaction. Texts too long to be a question are cut: a pasted letter is still read by its start.
 */
export function understandingLayer(
  understander: Understander,
  center: CenterProfile,
  searchArticles?: ArticleSearch,
): UnderstandFn {
  return async (db, text, locale, now) => {
    const head = text.slice(0, 1000);
    const understood = await understander.understand(head, { locale, now, center });
    const articles = searchArticles ? await searchArticles(db, head, locale) : [];
    return { ...understood, articles };
  };
}
