import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../bot/app.ts';
import { loadEnv } from '../../config/env.ts';
import { silentLogger } from '../support/fixtures.ts';
import { loginThroughPage } from '../support/staff.ts';

/**
 * The web chat turns phone numbers in the assistant's messages into tap-to-call links (issue 11 §4): a crisis
 * message typed in the real page (Debian's Chromium) gets 112 and the helplines as <a href="tel:…">, built
 * from text nodes — the message text never becomes markup. And a crisis description reaches the inbox as an
 * urgent appeal: badge in the list and on the card, the description in full.
 */

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'crisis-desk-pass';
const STEP = 10_000;
const DESCRIPTION = 'Муж бьёт меня и детей, мне страшно идти домой';
const hasChromium = existsSync(CHROMIUM);
const skipReason = !hasChromium && !process.env.CI ? `${CHROMIUM} not found` : undefined;

describe.skipIf(Boolean(skipReason))('crisis in the web chat and the inbox', () => {
  let dataDir: string;
  let service: Service;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sd-phone-links-'));
    service = await createService(
      loadEnv({
        ...process.env,
        PORT: '0',
        DATA_DIR: dataDir,
        REDIS_URL: '',
        DATABASE_URL: '',
        LOG_LEVEL: 'silent',
        DISPATCHER_PASSWORD: PASSWORD,
        DISPATCHERS_FILE: undefined,
      }),
      silentLogger,
    );
    await service.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a crisis answer carries 112, the helplines and the center as tel: links', async () => {
    const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(baseUrl);
    await page.locator('#log .msg.out').first().waitFor({ timeout: 10_000 });
    const input = page.locator('#text');
    await input.fill('Муж бьёт меня, мне страшно');
    await input.press('Enter');
    await page.locator('#log .msg.out a[href="tel:+78007000600"]').waitFor({ timeout: 10_000 });

    const links = await page
      .locator('#log .msg.out a[href^="tel:"]')
      .evaluateAll((anchors) =>
        anchors.map((a) => [a.getAttribute('href'), a.textContent, a.children.length]),
      );
    expect(links).toEqual(
      expect.arrayContaining([
        ['tel:112', '112', 0],
        ['tel:+78002000122', '+7 800 2000-122', 0],
        ['tel:+78007000600', '+7 800 7000-600', 0],
        ['tel:+73845230656', '+7 (38452) 3-06-56', 0],
      ]),
    );
    // The bubble reads exactly as the message: the links only wrap the numbers.
    const help = page.locator('#log .msg.out').filter({ hasText: 'Вы не одни' });
    expect(await help.textContent()).toContain(
      '• Детский телефон доверия: +7 800 2000-122 — бесплатно, круглосуточно',
    );
    // What the family typed stays plain text.
    expect(await page.locator('#log .msg.in a').count()).toBe(0);
    expect(errors).toEqual([]);
  });
  it('a crisis description: kept, the next question follows, and the inbox shows the appeal urgent', async () => {
    const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await page.goto(baseUrl);
    const outCount = () => page.locator('#log .msg.out').count();
    /** Waits until an assistant bubble after the first `from` ones contains `text`. */
    const waitOut = (from: number, text: string) =>
      page.waitForFunction(
        ({ from, text }) =>
          [...document.querySelectorAll('#log .msg.out')]
            .slice(from)
            .some((el) => el.textContent?.includes(text)),
        { from, text },
        { timeout: STEP },
      );
    const say = async (text: string, expect: string) => {
      const from = await outCount();
      await page.locator('#text').fill(text);
      await page.locator('#text').press('Enter');
      await waitOut(from, expect);
    };
    const tap = async (label: string, expect: string) => {
      const from = await outCount();
      await page.locator('#log .buttons button:not([disabled])').filter({ hasText: label }).first().click();
      await waitOut(from, expect);
    };
    await page.locator('#log .msg.out').first().waitFor({ timeout: STEP });
    await tap('Оставить обращение', 'своими словами');
    await tap('Пропустить', 'согласие');
    await tap('Согласен(на)', 'фамилию, имя и отчество');
    await say('Кузнецова Анна Сергеевна', 'адрес');
    await say('г. Белово, ул. Ленина, 7', 'семейное положение');
    await tap('Не в браке', 'несовершеннолетних детей');
    await tap('2', 'дата рождения');
    await say('12.07.1991', 'телефон');
    await say('+7 913 765-43-21', 'С каким вопросом');
    await tap('Консультация психолога', 'опишите');
    await say(DESCRIPTION, 'Я записала Ваши слова в обращение');
    // The next question, not the description question again.
    expect(await page.locator('#log .msg.out').last().textContent()).toContain(
      'по телефону или личный приём',
    );
    await tap('По телефону', 'Как с Вами связаться?');
    await tap('Перезвоните мне', `Описание: ${DESCRIPTION}`);
    await tap('Всё верно, отправить', 'Остались ещё вопросы?');

    const desk = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await loginThroughPage(desk, baseUrl, 'dispatcher', PASSWORD);
    const row = desk.locator('#list li.urgent').filter({ hasText: 'Кузнецова' });
    await row.waitFor({ timeout: STEP });
    expect(await row.locator('.badge.urgent').textContent()).toBe('🚨 срочно');
    await row.locator('button').click();
    await desk.locator('#d-urgent:not([hidden])').waitFor({ timeout: STEP });
    expect(await desk.locator('#card').textContent()).toContain(DESCRIPTION);
  });
});
