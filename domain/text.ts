/**
 * Text from outside (a family's message, a button payload, a dispatcher's note, any JSON string) as it may be
 * stored and shown. PostgreSQL refuses NUL and lone surrogates in text and jsonb (the transaction fails and
 * the person gets "try again in a minute" forever); control and bidi override characters can hide or reorder
 * what a dispatcher reads. One function, used at every boundary (HTTP bodies and queries, Telegram and VK).
 */

/** Longest string kept from any input; the channels and APIs have their own, smaller limits on top. */
export const MAX_INPUT_LENGTH = 100_000;

// C0 controls except \t and \n (\r is turned into \n first), DEL and the C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Embeddings, overrides and isolates (U+202A–202E, U+2066–2069): they reorder text on screen. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export function normalizeText(input: string, maxLength = MAX_INPUT_LENGTH): string {
  let text = input.replace(LONE_SURROGATE, '\uFFFD');
  text = text.replace(/\r\n?/g, '\n').replace(CONTROLS, '').replace(BIDI_CONTROLS, '');
  if (text.length > maxLength) {
    // Never cut a surrogate pair in half.
    const cut = /[\uD800-\uDBFF]/.test(text.charAt(maxLength - 1)) ? maxLength - 1 : maxLength;
    text = text.slice(0, cut);
  }
  return text;
}

/** Whether a string still holds what normalizeText removes (used by tests scanning stored data). */
export function hasJunk(text: string): boolean {
  return normalizeText(text, Number.POSITIVE_INFINITY) !== text.replace(/\r\n?/g, '\n');
}

/** Deeper JSON than this is no platform update or API body of ours: refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;

export class TooDeepError extends Error {}

/**
 * Every string (keys included) of a parsed JSON value normalised; throws TooDeepError past MAX_JSON_DEPTH.
 * Returns a new value; numbers, booleans and null are kept as they are.
 */
export function normalizeJson(value: unknown, depth = 0): unknown {
  if (depth > MAX_JSON_DEPTH) throw new TooDeepError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (typeof value === 'string') return normalizeText(value);
  if (Array.isArray(value)) return value.map((item) => normalizeJson(item, depth + 1));
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a key "__proto__" stays a plain key and never becomes the prototype.
      Object.defineProperty(result, normalizeText(key, 200), {
        value: normalizeJson(item, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }
  return value;
}
