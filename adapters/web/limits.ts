import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Translator } from '../../bot/i18n.ts';

/**
 * How much one anonymous visitor may ask of the public web chat. Per IP limits are generous (a mobile
 * operator's NAT or a school puts many families behind one address); per session limits are what a person
 * typing and tapping never reaches. Set from the environment (WEB_* variables, see config/env.ts).
 */
export type WebChatLimits = {
  /** New chat sessions per IP address in 10 minutes. */
  sessionsPerIp: number;
  /** Messages (text, taps) per session in a minute. */
  messagesPerSession: number;
  /** Messages per IP address in a minute. */
  messagesPerIp: number;
  /** Page, strings, history and stream requests per IP address in a minute. */
  readsPerIp: number;
  /** Open event streams per session; a further one closes the oldest. */
  streamsPerSession: number;
  /** A session nobody used for this many days is ended (its token opens nothing). */
  sessionIdleDays: number;
};

export const DEFAULT_WEB_LIMITS: WebChatLimits = {
  sessionsPerIp: 30,
  messagesPerSession: 30,
  messagesPerIp: 300,
  readsPerIp: 600,
  streamsPerSession: 3,
  sessionIdleDays: 30,
};

export type LimitCheck = ReturnType<FastifyInstance['createRateLimit']>;

/** A limiter keyed by what `key` picks out of the request (prefixed, so limiters never share a counter). */
export function limiter(
  app: FastifyInstance,
  name: string,
  max: number,
  timeWindowMs: number,
  key: (request: FastifyRequest) => string,
): LimitCheck {
  return app.createRateLimit({
    max,
    timeWindow: timeWindowMs,
    keyGenerator: (request) => `${name}:${key(request)}`,
  });
}

/**
 * Runs the checks in order; the first one over its limit answers 429 with a polite message in both languages
 * (the page shows its own localised line) and a Retry-After. True when the request was answered.
 */
export async function overLimit(
  request: FastifyRequest,
  reply: FastifyReply,
  translator: Translator,
  checks: LimitCheck[],
): Promise<boolean> {
  for (const check of checks) {
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) continue;
    const message = (['ru', 'en'] as const).map((locale) =>
      translator.t(locale, { key: 'web-rate-limited' }),
    );
    await reply
      .code(429)
      .header('retry-after', String(result.ttlInSeconds))
      .send({ error: 'rate_limited', message: message.join(' / '), retryAfter: result.ttlInSeconds });
    return true;
  }
  return false;
}
