import type { FastifyInstance } from 'fastify';

/**
 * Logs a dispatcher in through the real login route and returns the request headers that carry the session
 * (`{ cookie: 'sd_staff=…' }`), to spread into `app.inject({ headers })`. Throws when the login is refused,
 * so a test never silently runs unauthenticated.
 */
export async function staffLogin(
  app: FastifyInstance,
  login: string,
  password: string,
): Promise<{ cookie: string }> {
  const response = await app.inject({
    method: 'POST',
    url: '/dispatcher/login',
    headers: { 'content-type': 'application/json' },
    payload: { login, password },
  });
  const cookie = [response.headers['set-cookie']].flat().find((value) => value?.startsWith('sd_staff='));
  if (response.statusCode !== 200 || !cookie) {
    throw new Error(`staff login as ${login} failed: ${response.statusCode} ${response.body}`);
  }
  return { cookie: cookie.split(';')[0] ?? '' };
}
