import type { Locale } from '../config/center.ts';
import { type Article, articleAnswer, articlesForIntent, type KnowledgeBase } from '../domain/knowledge.ts';
import type { Navigator, NavigatorArticle } from '../flows/types.ts';

/** A paragraph list (lists as line arrays) as one text for a chat message. */
const asText = (parts: Array<string | string[]>): string =>
  parts.map((part) => (Array.isArray(part) ? part.join('\n') : part)).join('\n\n');

function toNavigatorArticle(article: Article, locale: Locale): NavigatorArticle {
  const answer = articleAnswer(article, locale);
  const links = answer.links.map((link) => `${link.title}: ${link.url}`);
  return {
    id: article.id,
    title: answer.title,
    answer: asText(links.length > 0 ? [...answer.parts, links] : answer.parts),
    documents: answer.documents,
    next: [...answer.next],
  };
}

/** The center's navigator as flows read it: only the articles that apply to this center. */
export function navigatorOf(knowledge: KnowledgeBase, centerId: string): Navigator {
  const articles = knowledge.forCenter(centerId);
  const byId = new Map(articles.map((article) => [article.id, article]));
  return {
    article(id, locale) {
      const article = byId.get(id);
      return article ? toNavigatorArticle(article, locale) : undefined;
    },
    forIntent(intent, locale) {
      const [article] = articlesForIntent(articles, intent);
      return article ? toNavigatorArticle(article, locale) : undefined;
    },
  };
}
