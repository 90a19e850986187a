import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher, DispatcherDirectory } from '../../config/dispatchers.ts';

export type DispatcherPageOptions = { directory: DispatcherDirectory };

const PAGE_URL = new URL('./inbox.html', import.meta.url);

/**
 * The dispatcher login (HTTP basic auth against the configured dispatchers), shared by the inbox, the staff
 * API and this page. Returns who is acting, or undefined.
 */
export function authenticate(
  request: FastifyRequest,
  directory: DispatcherDirectory,
): Dispatcher | undefined {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return undefined;
  const [login = '', password = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(/:(.*)/s);
  return directory.verify(login, password);
}

/** The acting dispatcher, or a 401 with the browser's login prompt (and undefined): every staff route's first line. */
export function requireDispatcher(
  request: FastifyRequest,
  reply: FastifyReply,
  directory: DispatcherDirectory,
): Dispatcher | undefined {
  const dispatcher = authenticate(request, directory);
  if (dispatcher) return dispatcher;
  void reply
    .code(401)
    .header('www-authenticate', 'Basic realm="dispatcher", charset="UTF-8"')
    .send({ error: 'unauthorised', message: 'Dispatcher login required' });
  return undefined;
}

function deny(reply: FastifyReply) {
  return reply
    .code(401)
    .header('www-authenticate', 'Basic realm="dispatcher", charset="UTF-8"')
    .header('cache-control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send('Требуется вход диспетчера / Dispatcher login required');
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
 * still shown only after the login, and never cached.
 */
export async function registerDispatcherPage(
  app: FastifyInstance,
  options: DispatcherPageOptions,
): Promise<void> {
  const page = await readFile(PAGE_URL, 'utf8');
  const csp = contentSecurityPolicy(page);
  app.get('/dispatcher', async (request, reply) => {
    if (!authenticate(request, options.directory)) return deny(reply);
    return reply
      .header('cache-control', 'no-store')
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(page);
  });
}
