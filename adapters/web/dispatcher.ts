import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher, DispatcherDirectory } from '../../config/dispatchers.ts';
import { sessionDispatcherOf } from './staff-access.ts';

export type DispatcherPageOptions = { directory?: DispatcherDirectory };

const PAGE_URL = new URL('./inbox.html', import.meta.url);

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
 * A content security policy allowing exactly the page's own inline script (by its hash) and nothing from
 * elsewhere: even if some family's text slipped into the markup, it could not run. The page may not be framed
 * (a foreign site could otherwise trick a dispatcher into clicking its buttons).
 */
function contentSecurityPolicy(page: string): string {
  const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '')
        .digest('base64')}'`,
  );
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
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
  const page = await readFile(PAGE_URL, 'utf8');
  const csp = contentSecurityPolicy(page);
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
