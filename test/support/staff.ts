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

/** What `loginThroughPage` needs of a playwright page (kept structural: support files stay engine-neutral). */
type BrowserPage = {
  goto(url: string): Promise<unknown>;
  locator(selector: string): { fill(value: string): Promise<void>; click(): Promise<void> };
  waitForURL(url: string | RegExp, options?: { timeout?: number }): Promise<void>;
};

/**
 * Logs a dispatcher in the way a person does: opens the inbox, is sent to the login page, types the login and
 * password, and lands back in the inbox (browser tests).
 */
export async function loginThroughPage(page: BrowserPage, baseUrl: string, login: string, password: string) {
  await page.goto(`${baseUrl}/dispatcher`);
  await page.waitForURL(/\/dispatcher\/login$/, { timeout: 10_000 });
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('#submit').click();
  await page.waitForURL(/\/dispatcher(#.*)?$/, { timeout: 10_000 });
}
