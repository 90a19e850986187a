import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import frontMatterModule from 'front-matter';
import {
  type Article,
  type ArticleIssue,
  createKnowledgeBase,
  type KnowledgeBase,
  parseArticle,
  profileIssues,
} from '../domain/knowledge.ts';
import type { CenterProfile } from './center.ts';
import { ConfigError } from './env.ts';

/** front-matter is CommonJS typed as `export default`: under NodeNext the default import is its module object. */
const frontMatter = frontMatterModule as unknown as (typeof frontMatterModule)['default'];

/** The navigator's folder when the center profile names none (relative to the working directory). */
export const DEFAULT_KNOWLEDGE_DIR = 'knowledge';

/** A center's id for `centers:` lists in articles: its profile's file name without extension (`belovo`). */
export const centerIdOf = (profilePath: string): string =>
  path.basename(profilePath).replace(/\.ya?ml$/i, '');

/** Where a center's articles live: the profile's `knowledge` path, else `knowledge/`. */
export const knowledgeDirOf = (center: Pick<CenterProfile, 'knowledge'>): string =>
  center.knowledge ?? DEFAULT_KNOWLEDGE_DIR;

export type LoadKnowledgeOptions = {
  /** When given, references to the profile (service ids) are checked too. */
  center?: Pick<CenterProfile, 'services'>;
};

/**
 * Reads every `*.md` file of the folder (not README.md, not files starting with "_" — drafts), validates the
 * front matter and refuses duplicate ids. Every problem of every file is reported at once, each with its file
 * and field, so a center fixes them in one go; a bad file stops start-up.
 */
export async function loadKnowledge(
  dir = DEFAULT_KNOWLEDGE_DIR,
  options: LoadKnowledgeOptions = {},
): Promise<KnowledgeBase> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isArticleFile).sort();
  } catch (error) {
    throw new ConfigError(`Cannot read the knowledge folder "${dir}": ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const articles: Article[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const result = await readArticle(file);
    const issues = result.ok && options.center ? profileIssues(result.article, options.center) : [];
    if (!result.ok || issues.length > 0) {
      problems.push(describe(file, result.ok ? issues : result.issues));
      continue;
    }
    const earlier = seen.get(result.article.id);
    if (earlier) {
      problems.push(
        describe(file, [{ path: 'id', message: `"${result.article.id}" is already used by ${earlier}` }]),
      );
      continue;
    }
    seen.set(result.article.id, file);
    articles.push(result.article);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid knowledge base:\n${problems.join('\n')}`);
  return createKnowledgeBase(articles);
}

const isArticleFile = (name: string) =>
  name.toLowerCase().endsWith('.md') && name.toLowerCase() !== 'readme.md' && !name.startsWith('_');

const describe = (file: string, issues: ArticleIssue[]) =>
  [`  knowledge file "${file}":`, ...issues.map((issue) => `    ${issue.path}: ${issue.message}`)].join('\n');

async function readArticle(
  file: string,
): Promise<{ ok: true; article: Article } | { ok: false; issues: ArticleIssue[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, issues: [{ path: '(file)', message: `cannot read: ${(error as Error).message}` }] };
  }
  // Files edited on Windows: a byte-order mark and CRLF line ends must not change the meaning.
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!frontMatter.test(text)) {
    return {
      ok: false,
      issues: [{ path: '(front matter)', message: 'missing: the file must start with a "---" YAML block' }],
    };
  }
  let parsed: { attributes: unknown; body: string };
  try {
    parsed = frontMatter<unknown>(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return { ok: false, issues: [{ path: '(front matter)', message: `not valid YAML: ${reason}` }] };
  }
  return parseArticle(parsed.attributes, parsed.body);
}
