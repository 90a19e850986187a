import type { LightMyRequestResponse } from 'fastify';

/** The web chat token a POST /api/web/sessions answer set in its HttpOnly cookie (what a browser keeps). */
export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'sd_chat');
  if (!cookie?.value) throw new Error(`no chat session cookie in the answer (${response.statusCode})`);
  return cookie.value;
}
