import { describe, expect, it } from 'vitest';
import { hasJunk, MAX_JSON_DEPTH, normalizeJson, normalizeText, TooDeepError } from '../../domain/text.ts';

describe('normalizeText', () => {
  it.each([
    ['a\u0000b', 'ab'],
    ['line\r\nnext\rlast', 'line\nnext\nlast'],
    ['tab\tand\nnewline stay', 'tab\tand\nnewline stay'],
    ['bell\u0007 esc\u001b del\u007f c1\u0085', 'bell esc del c1'],
    ['lone \uD800 high, lone \uDC00 low', 'lone \uFFFD high, lone \uFFFD low'],
    ['pair 😀 kept', 'pair 😀 kept'],
    ['\u202Eevil\u202C \u2066iso\u2069', 'evil iso'],
    ['Иванова Мария', 'Иванова Мария'],
  ])('%j → %j', (input, output) => {
    expect(normalizeText(input)).toBe(output);
    expect(hasJunk(output)).toBe(false);
  });

  it('caps the length without cutting a surrogate pair', () => {
    expect(normalizeText('abcdef', 3)).toBe('abc');
    expect(normalizeText('ab😀', 3)).toBe('ab');
    expect(hasJunk('a\u0000')).toBe(true);
    expect(hasJunk('a\uD800')).toBe(true);
    expect(hasJunk('a\r\nb')).toBe(false);
  });
});

describe('normalizeJson', () => {
  it('cleans every string, keys included, and keeps other values', () => {
    expect(normalizeJson({ 'k\u0000': ['x\uD800', 1, null, true, { y: '\u202Ez' }] })).toEqual({
      k: ['x\uFFFD', 1, null, true, { y: 'z' }],
    });
  });
  it('keeps "__proto__" a plain key', () => {
    const value = normalizeJson(JSON.parse('{"__proto__": {"polluted": 1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels`, () => {
    const deep = JSON.parse(`${'['.repeat(5000)}1${']'.repeat(5000)}`);
    expect(() => normalizeJson(deep)).toThrow(TooDeepError);
  });
});
