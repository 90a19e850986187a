import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FluentResource } from '@fluent/bundle';
import { describe, expect, it } from 'vitest';
import { localeFiles, Translator } from '../bot/i18n.ts';
import { LOCALES } from '../config/center.ts';

/** Message ids and their variable names, straight from the .ftl syntax tree. */
function messages(locale: string): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const file of localeFiles(locale as 'ru'))
    collect(new FluentResource(readFileSync(file, 'utf8')), result);
  return result;
}

function collect(resource: FluentResource, result: Map<string, Set<string>>): void {
  // FluentResource.body holds the parsed messages; variables are found by a walk over the pattern.
  for (const message of (resource as unknown as { body: Array<{ id: string; value: unknown }> }).body) {
    const variables = new Set<string>();
    const walk = (node: unknown) => {
      if (!node || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (record.type === 'var' && typeof record.name === 'string') variables.add(record.name);
      for (const value of Object.values(record)) walk(value);
    };
    walk(message.value);
    // The same id in two files of a locale would silently override one text with another.
    if (result.has(message.id)) throw new Error(`message "${message.id}" defined twice`);
    result.set(message.id, variables);
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('locales', () => {
  const ru = messages('ru');

  it.each(LOCALES.filter((l) => l !== 'ru'))('%s has exactly the keys and variables of ru', (locale) => {
    const other = messages(locale);
    expect([...other.keys()].sort()).toEqual([...ru.keys()].sort());
    for (const [key, variables] of ru) {
      expect([...(other.get(key) ?? [])].sort(), `variables of ${key}`).toEqual([...variables].sort());
    }
  });

  it('has every key the code refers to', () => {
    const used = new Set<string>();
    for (const file of ['flows', 'domain', 'bot', 'adapters'].flatMap(sourceFiles)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/msg\('([a-z0-9-]+)'/g)) used.add(match[1] as string);
      for (const match of text.matchAll(/key: '([a-z0-9-]+)'/g)) used.add(match[1] as string);
      for (const match of text.matchAll(/'(error-[a-z0-9-]+)'/g)) used.add(match[1] as string);
    }
    // Keys built from enum values (`marital-${value}` …) are checked through rendering in the flow tests.
    expect(used.size).toBeGreaterThan(40);
    const missing = [...used].filter((key) => !ru.has(key));
    expect(missing).toEqual([]);
  });

  it('renders without leftover placeables or isolation marks', () => {
    const translator = new Translator();
    const text = translator.t('ru', { key: 'appeal-accepted', args: { number: '2026-00001' } });
    expect(text).toBe('Ваше обращение № 2026-00001 принято.');
    expect(translator.t('en', { key: 'no-such-key' })).toBe('no-such-key');
  });
});
