import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../bot/app.ts';
import { loadEnv } from '../../config/env.ts';
import { messagesAfter } from '../../storage/messages.ts';
import { silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, wipePrefix } from '../support/redis.ts';
import { loginThroughPage } from '../support/staff.ts';

/**
 * A dispatcher sends a broadcast from the inbox page (Debian's Chromium via playwright-core) to the subscribers
 * of one settlement and watches its progress to the end; the families get it in their web chat transcripts,
 * a subscriber of another settlement does not. The real service in-process, real Redis for the queues.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const skip = !hasChromium && !process.env.CI;
if (skip) console.warn('[broadcast panel browser test] skipped: /usr/bin/chromium not found');
const PASSWORD = 'broadcast-panel-pass';
const TEXT = 'План выездов на декабрь: Бачатский — 4 и 18 декабря, 09:00–15:30.';

describe.skipIf(skip)('broadcast from the inbox page', () => {
  let service: Service;
  let browser: Browser;
  let prefix: string;
  let baseUrl: string;
  const contacts: Record<string, number> = {};

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`Chromium is required in CI but ${CHROMIUM} is missing`);
    prefix = uniquePrefix();
    service = await createService(
      loadEnv({
        PORT: '0',
        DATA_DIR: ':memory:',
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'silent',
        DISPATCHER_PASSWORD: PASSWORD,
      }),
      silentLogger,
    );
    for (const [key, settlement] of [
      ['a', 'Бачатский'],
      ['b', 'Бачатский'],
      ['c', 'Инской'],
    ] as const) {
      const contact = await service.db
        .insertInto('contacts')
        .values({ channel: 'web', external_id: `bc-panel-${key}`, last_seen_at: new Date() })
        .returning('id')
        .executeTakeFirstOrThrow();
      contacts[key] = contact.id;
      await service.db
        .insertInto('outreach_subscriptions')
        .values({ contact_id: contact.id, settlement })
        .execute();
    }
    await service.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    if (prefix) await wipePrefix(prefix);
  }, 60_000);

  it('sends to the chosen settlement after a confirmation and shows the progress to the end', async () => {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await loginThroughPage(page, baseUrl, 'dispatcher', PASSWORD);
    await page.locator('#bc-panel summary').click();
    // Nothing chosen yet: the page says what is missing and sends nothing.
    await page.locator('#bc-text').fill(TEXT);
    await page.locator('#bc-send').click();
    await page.locator('#bc-progress').filter({ hasText: 'Выберите, кому отправить' }).waitFor();
    await page.locator('#bc-settlements label').filter({ hasText: 'Бачатский (2)' }).locator('input').check();
    await page.locator('#bc-send').click();
    await page
      .locator('#bc-progress')
      .filter({ hasText: /завершена: отправлено 2 из 2, ждут 0, заблокировали бота 0, ошибок 0/ })
      .waitFor({ timeout: 20_000 });
    expect(dialogs).toEqual([expect.stringContaining('Отправить рассылку')]);
    expect(errors).toEqual([]);
    for (const key of ['a', 'b']) {
      const transcript = await messagesAfter(service.db, contacts[key] ?? 0, 0);
      expect(transcript.map((m) => m.body.text)).toEqual([TEXT]);
    }
    expect(await messagesAfter(service.db, contacts.c ?? 0, 0)).toEqual([]);
    const [row] = await service.db.selectFrom('broadcasts').selectAll().execute();
    expect(row).toMatchObject({ created_by: 'web:dispatcher', status: 'finished', total: 2, sent: 2 });
    await context.close();
  });
});
