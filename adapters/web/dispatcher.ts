import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher, DispatcherDirectory } from '../../config/dispatchers.ts';
import { sessionDispatcherOf } from './staff-access.ts';

export type DispatcherPageOptions = { directory?: DispatcherDirectory };

const PAGE_URL = new URL('./inbox.html', import.meta.url);
const SCRIPT_URL = new URL('./inbox.js', import.meta.url);

/**
 * The acting dispatcher, or a 401 JSON answer (and undefined): every staff route's first line. The staff area
 * (staff-access.ts) has already checked the session cookie for every route inside it; this reads its result.
 */
export function requireDispatcher(
  request: FastifyRequest,
  reply: FastifyReply,
  _directory?: DispatcherDirectory,
): Dispatcher | undefined {
  return sessionDispatcherOf(request, reply);
}

/**
 * A content security policy allowing only the page's own script file (no inline script) and nothing from
 * elsewhere: even if some family's text slipped into the markup, it could not run. The page may not be framed
 * (a foreign site could otherwise trick a dispatcher into clicking its buttons).
 */
function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The dispatcher's inbox: a small client page (list, appeal card, history, the family's conversation and the
 * actions) that reads and acts through the staff JSON API. The page itself carries no personal data; it is
 * still shown only after the login (staff-access.ts), and never cached.
 */
export async function registerDispatcherPage(
  app: FastifyInstance,
  _options: DispatcherPageOptions = {},
): Promise<void> {
  const [page, script] = await Promise.all([readFile(PAGE_URL, 'utf8'), readFile(SCRIPT_URL, 'utf8')]);
  const csp = contentSecurityPolicy();
  // The page's script is a file of its own: the policy allows no inline script at all.
  app.get('/dispatcher/inbox.js', async (_request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .type('text/javascript; charset=utf-8')
      .send(script),
  );
  // Inside the staff area: without a live session the request never gets here (redirect to the login).
  app.get('/dispatcher', async (_request, reply) => {
    return reply
      .header('cache-control', 'no-store')
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(page);
  });
}
