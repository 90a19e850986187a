import { z } from 'zod';
import type { CenterProfile, Locale } from '../config/center.ts';

/**
 * The navigator («Навигатор социальных услуг»): articles a center maintains as Markdown files with YAML front
 * matter (see `knowledge/README.md`). This module is pure — types, the front-matter schema and helpers; reading
 * the folder is `config/knowledge.ts`, full-text search is `storage/knowledge.ts`.
 */

/** Buttons an answer may offer for the next step; the flow turns them into buttons. */
export const NEXT_STEPS = [
  'appeal',
  'book:lawyer',
  'book:psychologist',
  'book:other',
  'dispatcher',
  'outreach',
] as const;
export type NextStep = (typeof NEXT_STEPS)[number];

export const SPECIALIST_ROLES = [
  'lawyer',
  'psychologist',
  'speech_therapist',
  'family_specialist',
  'other',
] as const;

/** An article id is also part of the classifier intent `kb.<id>`: keep it a plain slug. */
const slug = z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, 'expected a slug of a-z, 0-9, "-" or "_"');
const line = z.string().trim().min(1);
const Localized = z.object({ ru: line, en: line.optional() }).strict();
const LocalizedList = z.object({ ru: z.array(line).min(1), en: z.array(line).min(1).optional() }).strict();

const Link = z
  .object({
    title: Localized,
    url: z.url({ protocol: /^https?$/ }),
  })
  .strict();

export const ArticleFrontMatter = z
  .object({
    id: slug,
    title: Localized,
    category: slug,
    /** Several ways a parent asks it: searched with weight A and used as classifier training phrases. */
    phrasings: LocalizedList,
    /** Classifier intents this article answers, e.g. `kb.free`. */
    intents: z
      .array(z.string().regex(/^[a-z]+(?:\.[a-z0-9_-]+)+$/, 'expected an intent like "kb.free"'))
      .default([]),
    /** What to bring, shown as a list. */
    documents: LocalizedList.optional(),
    /** services[].id of the center profile. */
    service: z.string().min(1).optional(),
    /** A specialist role of the center profile. */
    specialist: z.enum(SPECIALIST_ROLES).optional(),
    /** A partner organisation's name (free text; the article body says where and when). */
    partner: line.optional(),
    links: z.array(Link).default([]),
    next: z.array(z.enum(NEXT_STEPS)).default([]),
    /** Center ids (profile file names, e.g. `belovo`) it applies to; omitted = every center. */
    centers: z.array(slug).min(1).optional(),
  })
  .strict();

export type Article = {
  id: string;
  title: { ru: string; en?: string };
  category: string;
  phrasings: { ru: string[]; en?: string[] };
  intents: string[];
  documents?: { ru: string[]; en?: string[] };
  service?: string;
  specialist?: (typeof SPECIALIST_ROLES)[number];
  partner?: string;
  links: Array<{ title: { ru: string; en?: string }; url: string }>;
  next: NextStep[];
  centers?: string[];
  /** The answer: Markdown paragraphs, Russian required. */
  body: { ru: string; en?: string };
};

export type KnowledgeBase = {
  articles: readonly Article[];
  byId(id: string): Article | undefined;
  /** The articles of one center: those without `centers` and those naming it. */
  forCenter(centerId: string): Article[];
};

/** A problem in one article, reported with its field path (the loader adds the file name). */
export type ArticleIssue = { path: string; message: string };

/** The heading that starts the English answer in an article body. */
const EN_HEADING = /^##[ \t]+en[ \t]*$/im;

/** Splits a Markdown body into the Russian answer and the optional English one (after a `## en` line). */
export function splitBody(body: string): { ru: string; en?: string } {
  const match = EN_HEADING.exec(body);
  if (!match) return { ru: body.trim() };
  const ru = body.slice(0, match.index).trim();
  const en = body.slice(match.index + match[0].length).trim();
  return en ? { ru, en } : { ru };
}

/** Validates one article's front matter and body; returns the article or the list of issues. */
export function parseArticle(
  attributes: unknown,
  body: string,
): { ok: true; article: Article } | { ok: false; issues: ArticleIssue[] } {
  const parsed = ArticleFrontMatter.safeParse(attributes ?? {});
  const issues: ArticleIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(front matter)',
        message: issue.message,
      }));
  const split = splitBody(body);
  if (!split.ru)
    issues.push({ path: 'body', message: 'the Russian answer (the body before "## en") is empty' });
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  const { data } = parsed;
  const article: Article = { ...data, body: split };
  return { ok: true, article };
}

/** Problems of references to the center profile (unknown service id) — checked when the profile is known. */
export function profileIssues(article: Article, center: Pick<CenterProfile, 'services'>): ArticleIssue[] {
  const serviceIds = center.services.map((service) => service.id);
  if (article.service === undefined || serviceIds.includes(article.service)) return [];
  return [
    {
      path: 'service',
      message: `unknown service "${article.service}"; expected one of: ${serviceIds.join(', ') || '(no services)'}`,
    },
  ];
}

export function createKnowledgeBase(articles: readonly Article[]): KnowledgeBase {
  const index = new Map(articles.map((article) => [article.id, article]));
  return {
    articles,
    byId: (id) => index.get(id),
    forCenter: (centerId) =>
      articles.filter((article) => article.centers === undefined || article.centers.includes(centerId)),
  };
}

/** Whether an article applies to a center (no `centers` list = every center). */
export const appliesTo = (article: Article, centerId: string): boolean =>
  article.centers === undefined || article.centers.includes(centerId);

/** The texts of an article in one locale, English falling back to Russian field by field. */
export type ArticleAnswer = {
  title: string;
  /** The answer's paragraphs (split on blank lines); a paragraph of `- ` lines is a list. */
  parts: Array<string | string[]>;
  /** What to bring; empty when the article lists nothing. The flow adds the heading («Что взять с собой»). */
  documents: string[];
  links: Array<{ title: string; url: string }>;
  next: NextStep[];
};

const pick = <T>(text: { ru: T; en?: T }, locale: Locale): T =>
  (locale === 'en' ? text.en : undefined) ?? text.ru;

/** Paragraphs separated by blank lines; a paragraph whose lines all start with "- " or "* " becomes a list. */
export function paragraphs(markdown: string): Array<string | string[]> {
  return markdown
    .split(/\n[ \t]*\n/)
    .map((block) => block.trim())
    .filter((block) => block.length > 0)
    .map((block) => {
      const lines = block.split('\n').map((text) => text.trim());
      return lines.every((text) => /^[-*] /.test(text))
        ? lines.map((text) => text.slice(2).trim())
        : lines.join('\n');
    });
}

export function articleAnswer(article: Article, locale: Locale): ArticleAnswer {
  return {
    title: pick(article.title, locale),
    parts: paragraphs(pick(article.body, locale)),
    documents: article.documents ? pick(article.documents, locale) : [],
    links: article.links.map((link) => ({ title: pick(link.title, locale), url: link.url })),
    next: article.next,
  };
}

/** The text searched for one locale: the row `storage/knowledge.ts` indexes. */
export function searchableText(
  article: Article,
  locale: Locale,
): { title: string; phrasings: string; body: string } {
  const documents = article.documents ? pick(article.documents, locale).join('\n') : '';
  return {
    title: pick(article.title, locale),
    phrasings: pick(article.phrasings, locale).join('\n'),
    body: [pick(article.body, locale), documents].filter(Boolean).join('\n\n'),
  };
}

/** Locales an article has its own text in (Russian always; English when it has an English title or body). */
export function articleLocales(article: Article): Locale[] {
  return article.body.en || article.title.en || article.phrasings.en ? ['ru', 'en'] : ['ru'];
}

/** The classifier intent an article's own phrasings train: `kb.<id>`. */
export const articleIntent = (article: Pick<Article, 'id'>): string => `kb.${article.id}`;

/** Training phrases the articles bring to the classifier: each phrasing under the intent `kb.<id>`. */
export function trainingPhrases(
  articles: readonly Article[],
  locale: Locale,
): Array<{ intent: string; utterance: string }> {
  return articles.flatMap((article) =>
    (locale === 'en' ? (article.phrasings.en ?? []) : article.phrasings.ru).map((utterance) => ({
      intent: articleIntent(article),
      utterance,
    })),
  );
}

/**
 * The articles answering a classifier intent, in folder order: `kb.<id>` names one article, a catalogue intent
 * (`kb.free`) the articles listing it in `intents`.
 */
export function articlesForIntent(articles: readonly Article[], intent: string): Article[] {
  return articles.filter((article) => articleIntent(article) === intent || article.intents.includes(intent));
}

/**
 * Combines the classifier and the full-text search into `Understanding.articles`: an article's score is the
 * best of its search score and the classifier's score of an intent it answers (its own `kb.<id>` or one of its
 * `intents`), plus a bonus when both agree — two independent signals pointing at one article. Only articles of
 * `articles` (pass `kb.forCenter(centerId)`) are returned, best first, scores capped at 1.
 */
export function rankArticles(
  articles: readonly Article[],
  intents: ReadonlyArray<{ intent: string; score: number }>,
  hits: ReadonlyArray<{ id: string; score: number }>,
  limit = 3,
): Array<{ id: string; score: number }> {
  const AGREEMENT_BONUS = 0.15;
  const ranked = articles.flatMap((article) => {
    const fromSearch = hits.find((hit) => hit.id === article.id)?.score ?? 0;
    const fromClassifier = Math.max(
      0,
      ...intents
        .filter(({ intent }) => intent === articleIntent(article) || article.intents.includes(intent))
        .map(({ score }) => score),
    );
    if (fromSearch === 0 && fromClassifier === 0) return [];
    const bonus = fromSearch > 0 && fromClassifier > 0 ? AGREEMENT_BONUS : 0;
    const score = Math.min(1, Math.max(fromSearch, fromClassifier) + bonus);
    return [{ id: article.id, score: Math.round(score * 1000) / 1000 }];
  });
  return ranked.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, limit);
}
