import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../bot/app.ts';
import { loadEnv } from '../../config/env.ts';
import { silentLogger } from '../support/fixtures.ts';
import { loginThroughPage } from '../support/staff.ts';

/**
 * End to end through both web pages: a family completes the intake in the web chat asking to write to a
 * dispatcher now; a dispatcher logs into the inbox, takes the appeal, answers, sees the family's answer arrive,
 * adds a route item and closes the appeal; the family gets each message in its chat and answers the survey.
 * Debian's Chromium driven by playwright-core, the real service in-process on embedded PGlite.
 */

const CHROMIUM = '/usr/bin/chromium';
const INSTALL_HINT = 'apt-get update && apt-get install -y chromium';
const hasChromium = existsSync(CHROMIUM);
const skipReason =
  !hasChromium && !process.env.CI ? `${CHROMIUM} not found; install it with: ${INSTALL_HINT}` : undefined;
if (skipReason) console.warn(`[inbox browser test] skipped: ${skipReason}`);

const SCREENSHOT = 'test-results/inbox.png';
const STEP_TIMEOUT = 10_000;
/** The inbox polls every 5 s; a new family message must show within one poll (plus slack for a slow box). */
const POLL_TIMEOUT = 15_000;
const PASSWORD = 'inbox-test-password';

const NAME = 'Соколова Анна Игоревна';
const ADDRESS = 'пгт Инской, ул. Мира, д. 3';
const REPLY = 'Здравствуйте! Я посмотрела Ваше обращение: юрист примет Вас в четверг.';
const FAMILY_ANSWER = 'Спасибо! А документы <b>какие</b> взять?';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const outCount = (page: Page) => page.locator('#log .msg.out').count();

async function waitForReply(page: Page, from: number, text: string | RegExp): Promise<string> {
  const pattern = typeof text === 'string' ? escapeRegExp(text) : text.source;
  await page.waitForFunction(
    ({ from, pattern }) => {
      const re = new RegExp(pattern);
      return [...document.querySelectorAll('#log .msg.out')]
        .slice(from)
        .some((el) => re.test(el.textContent ?? ''));
    },
    { from, pattern },
    { timeout: STEP_TIMEOUT },
  );
  const bubbles = await page.locator('#log .msg.out').allTextContents();
  return bubbles.slice(from).join('\n');
}

async function tap(page: Page, label: string, expectReply: string | RegExp): Promise<string> {
  const before = await outCount(page);
  await page
    .locator('#log .buttons button:not([disabled])')
    .filter({ hasText: new RegExp(`^${escapeRegExp(label)}$`) })
    .click({ timeout: STEP_TIMEOUT });
  return waitForReply(page, before, expectReply);
}

/** Types and presses Enter; waits for the page's own echo only (the bot may stay silent while a person talks). */
async function type(page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text);
  await page.locator('#text').press('Enter');
  await page.locator('#log .msg.in').filter({ hasText: text }).last().waitFor({ timeout: STEP_TIMEOUT });
}

async function say(page: Page, text: string, expectReply: string | RegExp): Promise<string> {
  const before = await outCount(page);
  await type(page, text);
  return waitForReply(page, before, expectReply);
}

/** A local date-time two days ahead, as a datetime-local input takes it. */
function inTwoDays(hour: number): string {
  const day = new Date(Date.now() + 2 * 24 * 3600_000).toISOString().slice(0, 10);
  return `${day}T${String(hour).padStart(2, '0')}:00`;
}

describe.skipIf(Boolean(skipReason))(
  skipReason
    ? `dispatcher inbox in a real browser — SKIPPED: ${skipReason}`
    : 'dispatcher inbox in a real browser',
  () => {
    let dataDir: string;
    let service: Service;
    let browser: Browser;
    let family: Page;
    let desk: Page;
    let baseUrl: string;
    const pageErrors: string[] = [];

    function watch(page: Page, who: string) {
      page.on('pageerror', (error) => pageErrors.push(`${who} pageerror: ${error.message}`));
      page.on('console', (message) => {
        // The one wrong password this test types is answered 401, which Chromium reports on the console.
        const wrongPassword = /status of 401 .*@ .*\/dispatcher\/login$/;
        const text = `${message.text()} @ ${message.location().url}`;
        if (message.type() === 'error' && !wrongPassword.test(text)) {
          pageErrors.push(`${who} console: ${message.text()} @ ${message.location().url}`);
        }
      });
      page.on('response', (response) => {
        // 401 only for the one wrong password typed on the login page.
        const wrongPassword = response.status() === 401 && response.url().endsWith('/dispatcher/login');
        if (response.status() >= 400 && !wrongPassword) {
          pageErrors.push(`${who} HTTP ${response.status()} ${response.url()}`);
        }
      });
    }

    beforeAll(async () => {
      if (!hasChromium)
        throw new Error(`Chromium is required in CI but ${CHROMIUM} is missing: ${INSTALL_HINT}`);
      dataDir = await mkdtemp(path.join(tmpdir(), 'sd-inbox-'));
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
      const { port } = service.app.server.address() as AddressInfo;
      baseUrl = `http://127.0.0.1:${port}`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        locale: 'ru-RU',
        timezoneId: 'Asia/Novokuznetsk',
      });
      family = await phone.newPage();
      watch(family, 'family');
      const office = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        locale: 'ru-RU',
        timezoneId: 'Asia/Novokuznetsk',
      });
      desk = await office.newPage();
      watch(desk, 'desk');
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await service?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }, 60_000);

    it('hands a web-chat family to a dispatcher who takes, answers, closes; the family answers the survey', async () => {
      // The family: the whole intake, asking to write to a dispatcher now.
      await family.goto(baseUrl);
      await waitForReply(family, 0, 'Здравствуйте!');
      await tap(family, '📝 Оставить обращение', 'своими словами');
      await tap(family, 'Пропустить', 'согласие на обработку персональных данных');
      await tap(family, 'Согласен(на)', 'фамилию, имя и отчество');
      await say(family, NAME, 'Ваш адрес проживания');
      await say(family, ADDRESS, 'семейное положение');
      await tap(family, 'Официально в браке', 'несовершеннолетних детей');
      await tap(family, '2', 'дата рождения');
      await say(family, '12.07.1991', 'контактный телефон');
      await say(family, '+7 913 765-43-21', 'С каким вопросом Вы обращаетесь?');
      await tap(family, 'Консультация юриста', 'опишите ситуацию');
      await say(family, 'Нужна помощь с оформлением пособия.', 'по телефону или личный приём');
      await tap(family, 'По телефону', 'Как с Вами связаться?');
      await tap(family, '💬 Написать диспетчеру сейчас', 'Проверьте, пожалуйста');
      const accepted = await tap(family, '✅ Всё верно, отправить', 'Остались ещё вопросы?');
      const number = /Ваше обращение № (\S+) принято/.exec(accepted)?.[1];
      if (!number) throw new Error(`no appeal number in: ${accepted}`);

      // The dispatcher: the inbox lists the new appeal; opening it shows the card.
      // No browser password prompt: the inbox sends the dispatcher to the login page, in Russian first.
      await desk.goto(`${baseUrl}/dispatcher`);
      await desk.waitForURL(/\/dispatcher\/login$/, { timeout: STEP_TIMEOUT });
      expect(await desk.title()).toBe('Вход диспетчера');
      await desk.locator('#lang').click();
      await desk.locator('h1').filter({ hasText: 'Dispatcher login' }).waitFor({ timeout: STEP_TIMEOUT });
      await desk.locator('#login').fill('dispatcher');
      await desk.locator('#password').fill('not-the-password');
      await desk.locator('#submit').click();
      await desk
        .locator('#error')
        .filter({ hasText: 'Wrong login or password.' })
        .waitFor({ timeout: STEP_TIMEOUT });
      await desk.locator('#lang').click();
      await loginThroughPage(desk, baseUrl, 'dispatcher', PASSWORD);
      expect(await desk.title()).toBe('Обращения — диспетчер');
      await desk.locator('#me').filter({ hasText: 'Дежурный диспетчер' }).waitFor({ timeout: STEP_TIMEOUT });
      expect(await desk.locator('#tabs button[data-filter="new"] .count').textContent()).toBe('1');
      const row = desk.locator('#list li').filter({ hasText: `№ ${number}` });
      await row.click({ timeout: STEP_TIMEOUT });
      await desk
        .locator('#d-title')
        .filter({ hasText: `Обращение № ${number}` })
        .waitFor({ timeout: STEP_TIMEOUT });
      const cardText = (await desk.locator('#card').textContent()) ?? '';
      for (const text of [
        NAME,
        ADDRESS,
        '+79137654321',
        '12.07.1991',
        'Консультация юриста',
        'написать в чат сейчас',
      ]) {
        expect(cardText).toContain(text);
      }
      expect(await desk.locator('#d-status').textContent()).toBe('Новое');
      await desk.locator('#transcript .msg.in').filter({ hasText: NAME }).waitFor({ timeout: STEP_TIMEOUT });

      // Take: the family is told who handles its appeal.
      let before = await outCount(family);
      await desk.locator('#a-take').click();
      await desk
        .locator('#notice.ok')
        .filter({ hasText: 'взято в работу' })
        .waitFor({ timeout: STEP_TIMEOUT });
      await waitForReply(family, before, `Вашим обращением № ${number} занимается Дежурный диспетчер`);
      await desk.locator('#d-status').filter({ hasText: 'В работе' }).waitFor({ timeout: STEP_TIMEOUT });
      expect(await desk.locator('#a-take').isDisabled()).toBe(true);

      // Reply: the family's chat shows the dispatcher's words.
      before = await outCount(family);
      await desk.locator('#reply-text').fill(REPLY);
      await desk.locator('#a-reply').click();
      await desk
        .locator('#notice.ok')
        .filter({ hasText: 'Ответ отправлен' })
        .waitFor({ timeout: STEP_TIMEOUT });
      expect(await desk.locator('#reply-text').inputValue()).toBe('');
      const reply = await waitForReply(family, before, REPLY);
      expect(reply).toContain('Дежурный диспетчер');

      // The family answers; the inbox shows it after its next poll, as text (the markup stays letters).
      await type(family, FAMILY_ANSWER);
      const answer = desk.locator('#transcript .msg.in').filter({ hasText: FAMILY_ANSWER });
      await answer.waitFor({ timeout: POLL_TIMEOUT });
      expect(await desk.locator('#transcript b').count()).toBe(0);

      // A route item: the family is told the appointment.
      before = await outCount(family);
      await desk.locator('#r-org').fill('Управление соцзащиты');
      await desk.locator('#r-address').fill('ул. Советская, 10');
      await desk.locator('#r-starts').fill(inTwoDays(10));
      await desk.locator('#a-route').click();
      await desk.locator('#notice.ok').filter({ hasText: 'Пункт маршрута добавлен' }).waitFor({
        timeout: STEP_TIMEOUT,
      });
      await waitForReply(family, before, 'Мы записали Вас на приём');
      await desk.locator('#bookings li').filter({ hasText: 'Управление соцзащиты' }).waitFor({
        timeout: STEP_TIMEOUT,
      });

      // The time agreed with the family to get in touch about progress.
      await desk.locator('#follow-up-at').fill(inTwoDays(15));
      await desk.locator('#a-follow-up').click();
      await desk
        .locator('#notice')
        .filter({ hasText: /Согласованное время связи сохранено/ })
        .waitFor({ timeout: STEP_TIMEOUT });

      // Closing without a result is explained; with "resolved" the family gets the survey.
      await desk.locator('#a-close').click();
      await desk
        .locator('#notice.error')
        .filter({ hasText: 'Выберите результат' })
        .waitFor({ timeout: STEP_TIMEOUT });
      before = await outCount(family);
      await desk.locator('#close-result').selectOption('resolved');
      await desk.locator('#a-close').click();
      await desk
        .locator('#notice.ok')
        .filter({ hasText: 'Обращение закрыто' })
        .waitFor({ timeout: STEP_TIMEOUT });
      const closing = await waitForReply(family, before, 'Вопрос 1 из 7');
      expect(closing).toContain(`Обращение № ${number} закрыто`);
      for (let question = 2; question <= 7; question++) {
        await tap(family, 'Да', `Вопрос ${question} из 7`);
      }
      await tap(family, 'Да', 'Спасибо за ответы!');

      // The inbox shows the closed appeal with its result and the finished survey after the next poll.
      await desk
        .locator('#survey')
        .filter({ hasText: 'ответов: 7 из 7 · завершён' })
        .waitFor({ timeout: POLL_TIMEOUT });
      expect(await desk.locator('#d-status').textContent()).toBe('Закрыто');
      expect(await desk.locator('#d-late').isVisible()).toBe(false);
      expect(await desk.locator('#card').textContent()).toContain('Результатрешено');
      expect(await desk.locator('#a-reopen').isDisabled()).toBe(false);
      const history = (await desk.locator('#history').textContent()) ?? '';
      for (const text of [
        'взял(а) в работу',
        'ответил(а) семье',
        'добавил(а) пункт маршрута',
        'закрыл(а)',
        'результат: решено',
      ]) {
        expect(history).toContain(text);
      }
      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await desk.screenshot({ path: SCREENSHOT, fullPage: true });

      // The demo's only account is the administrator: the access log shows the card views and actions.
      await desk.locator('#audit-panel summary').click();
      await desk
        .locator('#audit-rows tr')
        .filter({ hasText: 'appeal.take' })
        .first()
        .waitFor({ timeout: STEP_TIMEOUT });
      const audit = (await desk.locator('#audit-rows').textContent()) ?? '';
      for (const action of ['appeal.view', 'appeal.reply', 'route.add', 'appeal.close', 'login']) {
        expect(audit).toContain(action);
      }
      expect(audit).not.toContain(NAME);
      // Logout ends the session: the inbox sends the browser back to the login page.
      await desk.locator('#logout').click();
      await desk.waitForURL(/\/dispatcher\/login$/, { timeout: STEP_TIMEOUT });
      await desk.goto(`${baseUrl}/dispatcher`);
      await desk.waitForURL(/\/dispatcher\/login$/, { timeout: STEP_TIMEOUT });

      // The database: closed with the result, by the web dispatcher; the survey answered in full.
      const { db } = service;
      const appeal = await db
        .selectFrom('appeals')
        .selectAll()
        .where('number', '=', number)
        .executeTakeFirstOrThrow();
      expect(appeal).toMatchObject({
        status: 'closed',
        result: 'resolved',
        taken_by: 'web:dispatcher',
        call_mode: 'chat_now',
        full_name: NAME,
      });
      expect(appeal.closed_at).toBeInstanceOf(Date);
      const events = await db
        .selectFrom('appeal_events')
        .select(['action', 'actor'])
        .where('appeal_id', '=', appeal.id)
        .orderBy('id')
        .execute();
      expect(events.filter((e) => e.action !== 'follow-up')).toEqual([
        { action: 'take', actor: 'web:dispatcher' },
        { action: 'reply', actor: 'web:dispatcher' },
        { action: 'route', actor: 'web:dispatcher' },
        { action: 'follow-up-agreed', actor: 'web:dispatcher' },
        { action: 'close', actor: 'web:dispatcher' },
      ]);
      const survey = await db
        .selectFrom('surveys')
        .selectAll()
        .where('appeal_id', '=', appeal.id)
        .executeTakeFirstOrThrow();
      expect(survey.completed_at).toBeInstanceOf(Date);
      const answers = await db
        .selectFrom('survey_answers')
        .select(['question', 'answer'])
        .where('survey_id', '=', survey.id)
        .orderBy('question')
        .execute();
      expect(answers).toEqual([2, 3, 4, 5, 6, 7, 8].map((question) => ({ question, answer: 'yes' })));
      const routeItems = await db
        .selectFrom('bookings')
        .selectAll()
        .where('appeal_id', '=', appeal.id)
        .execute();
      expect(routeItems).toMatchObject([{ kind: 'partner', partner_org: 'Управление соцзащиты' }]);
      const inbound = await db
        .selectFrom('messages')
        .select('body')
        .where('contact_id', '=', appeal.contact_id)
        .where('direction', '=', 'in')
        .execute();
      expect(inbound.map((m) => (m.body as { text: string }).text)).toContain(FAMILY_ANSWER);

      expect(pageErrors).toEqual([]);
    }, 120_000);
  },
);
