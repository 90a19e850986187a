import { createHash, randomBytes } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web chat's session token: 256 random bits the browser keeps in an HttpOnly cookie (page scripts never see
 * it, so it is not in local storage, not in a URL and not in a proxy's access log). Only its SHA-256 is stored
 * (as the contact's external id): a copy of the database does not let anyone into a family's chat.
 * Non-browser clients may send the token in the `X-Chat-Session` header instead.
 */
export const SESSION_COOKIE = 'sd_chat';
export const SESSION_HEADER = 'x-chat-session';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const newSessionToken = (): string => randomBytes(32).toString('base64url');

/** The contact's external id for a token: hex SHA-256 (a 256-bit random token needs no salt or slow hash). */
export const sessionExternalId = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The token the request carries (header first, then the cookie), if it looks like one of ours. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers[SESSION_HEADER];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const token = fromHeader ?? parseCookie(request.headers.cookie ?? '')[SESSION_COOKIE];
  return token && TOKEN_PATTERN.test(token) ? token : undefined;
}

/**
 * HttpOnly, SameSite=Strict (another site's page cannot make the browser send it), scoped to the chat API,
 * Secure whenever the request came over HTTPS (directly or, with TRUST_PROXY, through the proxy).
 */
export function setSessionCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  void reply.header(
    'set-cookie',
    stringifySetCookie({
      name: SESSION_COOKIE,
      value: token,
      httpOnly: true,
      sameSite: 'strict',
      secure: reply.request.protocol === 'https',
      path: '/api/web',
      maxAge: maxAgeSeconds,
    }),
  );
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.header(
    'set-cookie',
    stringifySetCookie({
      name: SESSION_COOKIE,
      value: '',
      httpOnly: true,
      sameSite: 'strict',
      secure: reply.request.protocol === 'https',
      path: '/api/web',
      maxAge: 0,
    }),
  );
}
