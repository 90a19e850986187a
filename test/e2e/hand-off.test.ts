import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Update } from 'grammy/types';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../bot/app.ts';
import { loadEnv } from '../../config/env.ts';
import { appealHistory } from '../../storage/appeal-lifecycle.ts';
import { FakeTelegram, type Payload } from '../support/fake-telegram.ts';
import { silentLogger } from '../support/fixtures.ts';
import { REDIS_URL, uniquePrefix, waitFor, wipePrefix } from '../support/redis.ts';
import { staffLogin } from '../support/staff.ts';
import { sessionCookie } from '../support/web-session.ts';

/**
 * Issue 6 "done when", end to end on the real service (composition root, grammY against the fake Bot API,
 * BullMQ on real Redis, embedded PGlite): a web-chat family is handed off; the SLA jobs fire into the staff
 * chat; a dispatcher takes the appeal and answers from the Telegram staff chat, another answers from the web
 * desk (the inbox's API); the family's own words reach the staff chat while the bot stays quiet; the appeal is
 * closed with a result from Telegram; the family answers the survey in its chat; the report counts it.
 */

const STAFF_CHAT = -1005550001111;
const SECRET = 'hand-off-secret_1';
const DISPATCHER_TG = 5001;
const STRANGER_TG = 7007;
const PASSWORD = 'inbox-password-1';
/** The dispatcher's session (logged in through the real login route in beforeAll). */
let AUTH: Record<string, string> = {};

type WireMessage = {
  id: number;
  direction: 'in' | 'out';
  text: string;
  buttons?: Array<Array<{ label: string; payload: string }>>;
};

/** A parent in the web chat, through the same HTTP API the page uses. */
class WebFamily {
  sessionId = '';
  constructor(private readonly service: Service) {}

  async open(): Promise<void> {
    const response = await this.service.app.inject({ method: 'POST', url: '/api/web/sessions', payload: {} });
    this.sessionId = sessionCookie(response);
  }

  async send(event: object): Promise<void> {
    const response = await this.service.app.inject({
      method: 'POST',
      url: '/api/web/messages',
      cookies: { sd_chat: this.sessionId },
      payload: { messageId: randomUUID(), event },
    });
    expect(response.statusCode, response.body).toBe(200);
  }

  say(text: string) {
    return this.send({ type: 'text', text });
  }

  async messages(): Promise<WireMessage[]> {
    const response = await this.service.app.inject({
      method: 'GET',
      url: '/api/web/messages?after=0',
      cookies: { sd_chat: this.sessionId },
    });
    return response.json().messages;
  }

  async outTexts(): Promise<string[]> {
    return (await this.messages()).filter((m) => m.direction === 'out').map((m) => m.text);
  }

  /** Taps the button labelled `label` on the newest message that offers it. */
  async tap(label: string): Promise<void> {
    const offered = (await this.messages())
      .filter((m) => m.direction === 'out')
      .flatMap((m) => m.buttons?.flat() ?? []);
    const button = offered.reverse().find((b) => b.label.includes(label));
    expect(button, `button "${label}"`).toBeDefined();
    await this.send({ type: 'button', payload: button?.payload });
  }
}

describe('hand-off from the web chat to the dispatchers and back', () => {
  let fake: FakeTelegram;
  let service: Service;
  let prefix: string;
  let family: WebFamily;
  let appealId: number;
  let number: string;

  const webhook = async (update: Update) => {
    const response = await service.app.inject({
      method: 'POST',
      url: '/telegram/webhook',
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
      payload: update,
    });
    expect(response.statusCode).toBe(200);
  };
  const staffPosts = () =>
    fake.callsOf('sendMessage').filter((c) => String(c.payload.chat_id) === String(STAFF_CHAT));
  const staffTexts = () => staffPosts().map((c) => String(c.payload.text));
  const waitForStaffPost = async (fragment: string) => {
    await waitFor(async () => staffTexts().some((text) => text.includes(fragment)), 10_000, 20);
    return staffPosts().find((c) => String(c.payload.text).includes(fragment)) as { payload: Payload };
  };
  const appeal = () =>
    service.db.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirstOrThrow();
  const cardMessageId = async () => Number((await appeal()).staff_message_id);
  const findSentId = (fragment: string) => {
    const message = fake
      .botMessages()
      .find((m) => String(m.chat.id) === String(STAFF_CHAT) && (m.text ?? '').includes(fragment));
    if (!message) throw new Error(`the fake has no message with "${fragment}"`);
    return message.message_id;
  };

  beforeAll(async () => {
    prefix = uniquePrefix();
    fake = await FakeTelegram.start();
    fake.setChat({ id: STAFF_CHAT, type: 'supergroup', is_forum: true, title: 'Диспетчеры' });
    const env = loadEnv({
      DATA_DIR: ':memory:',
      LOG_LEVEL: 'silent',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      DISPATCHER_PASSWORD: PASSWORD,
      DISPATCHER_TELEGRAM_IDS: String(DISPATCHER_TG),
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
    });
    service = await createService(env, silentLogger, { staffMinIntervalMs: 0 });
    AUTH = await staffLogin(service.app, 'dispatcher', PASSWORD);
    family = new WebFamily(service);
  });

  afterAll(async () => {
    await service?.close();
    await fake?.close();
    await wipePrefix(prefix);
  });

  it('1. the family completes the intake in the web chat; the card with buttons reaches the staff topic', async () => {
    await family.open();
    await family.send({ type: 'start' });
    await family.tap('Оставить обращение');
    await family.tap('Пропустить'); // the story («чем я могу помочь?»)
    await family.tap('Согласен');
    for (const step of [
      () => family.say('Иванова Мария Петровна'),
      () => family.say('пгт Грамотеино, ул. Светлая, 6, кв. 1'),
      () => family.tap('Не в браке'),
      () => family.tap('2'),
      () => family.say('05.03.1988'),
      () => family.say('8 913 123-45-67'),
      () => family.tap('юриста'),
      () => family.say('Нужна консультация по алиментам'),
      () => family.tap('По телефону'),
      () => family.tap('Перезвоните мне'),
      () => family.tap('Всё верно'),
    ])
      await step();
    const row = await service.db.selectFrom('appeals').selectAll().executeTakeFirstOrThrow();
    appealId = row.id;
    number = row.number ?? '';
    expect((await family.outTexts()).join('\n')).toContain(`№ ${number}`);

    const card = await waitForStaffPost(`№ ${number}`);
    expect(card.payload.message_thread_id).toBeDefined();
    const buttons = (card.payload.reply_markup?.inline_keyboard ?? []).flat();
    expect(buttons.map((b: { callback_data: string }) => b.callback_data)).toEqual([
      `st:take:${appealId}`,
      `st:callback-done:${appealId}`,
      `st:close:${appealId}`,
    ]);
  });

  it('2. the SLA jobs fire: a nudge before the deadline, an escalation when it is missed', async () => {
    const sla = new Queue('sla', { connection: { url: REDIS_URL }, prefix });
    try {
      const dueAt = (await appeal()).callback_due_at as Date;
      const soon = await sla.getJob(`callback-due-soon-${appealId}`);
      const deadline = await sla.getJob(`callback-deadline-${appealId}`);
      expect(soon && deadline).toBeTruthy();
      // Scheduled for 30 minutes before the promise and for the promise itself (BullMQ delays, ±5 s).
      expect(
        Math.abs((soon?.timestamp ?? 0) + (soon?.opts.delay ?? 0) - (dueAt.getTime() - 30 * 60_000)),
      ).toBeLessThan(5_000);
      expect(
        Math.abs((deadline?.timestamp ?? 0) + (deadline?.opts.delay ?? 0) - dueAt.getTime()),
      ).toBeLessThan(5_000);
      // Time is not waited for: the delayed jobs are promoted and run by the service's own workers.
      await soon?.promote();
      await waitForStaffPost('Осталось около 30 минут');
      // The deadline job re-checks the promise in the database (a job run early must not flag anything), so
      // the promise is made to have run out a minute ago before the job is promoted.
      await service.db
        .updateTable('appeals')
        .set({ callback_due_at: new Date(Date.now() - 60_000) })
        .where('id', '=', appealId)
        .execute();
      await deadline?.promote();
      await waitForStaffPost('Просрочено');
      await waitFor(async () => (await appeal()).overdue_at !== null, 5_000, 20);
    } finally {
      await sla.close();
    }
  });

  it('3. only a configured dispatcher can take it from Telegram; the family learns who has it', async () => {
    const card = await cardMessageId();
    await webhook(fake.callbackUpdate(STAFF_CHAT, `st:take:${appealId}`, card, { id: STRANGER_TG }));
    const refusal = fake.callsOf('answerCallbackQuery').at(-1)?.payload;
    expect(refusal?.show_alert).toBe(true);
    expect(refusal?.text).toContain('только диспетчерам');
    expect((await appeal()).status).toBe('new');

    await webhook(fake.callbackUpdate(STAFF_CHAT, `st:take:${appealId}`, card, { id: DISPATCHER_TG }));
    expect(await appeal()).toMatchObject({ status: 'in_work', taken_by: `telegram:tg${DISPATCHER_TG}` });
    await waitFor(async () => (await family.outTexts()).some((t) => t.includes('занимается Диспетчер 5001')));
    await waitForStaffPost('в работе у Диспетчер 5001');
    // The card's buttons now offer the next steps.
    await waitFor(async () =>
      fake
        .callsOf('editMessageReplyMarkup')
        .some((c) => JSON.stringify(c.payload.reply_markup).includes(`st:wait:${appealId}`)),
    );
  });

  it('4. while the dispatcher holds the conversation, the family’s words go to the staff chat, not to the bot', async () => {
    const before = (await family.outTexts()).length;
    await family.say('Спасибо! Я дома после 14:00, звоните.');
    const after = await family.outTexts();
    expect(after.slice(before)).toEqual([expect.stringContaining('Сообщение передано: Диспетчер 5001')]);
    await waitForStaffPost('Я дома после 14:00');
    // A second message within half an hour: forwarded, no repeated notice, no bot menu.
    await family.say('И ещё: у младшего день рождения 3 мая.');
    expect((await family.outTexts()).length).toBe(after.length);
    await waitForStaffPost('день рождения 3 мая');
  });

  it('5. the dispatcher answers by replying in the staff chat; the answer reaches the web chat', async () => {
    const familyPost = findSentId('день рождения 3 мая');
    // A stranger's reply goes nowhere; a photo is refused politely.
    await webhook(fake.replyUpdate(STAFF_CHAT, familyPost, 'я не диспетчер', { id: STRANGER_TG }));
    await webhook(fake.replyUpdate(STAFF_CHAT, familyPost, undefined, { id: DISPATCHER_TG }));
    await waitForStaffPost('только текстом');
    const reply = fake.replyUpdate(STAFF_CHAT, familyPost, 'Здравствуйте! Позвоню в 14:30.', {
      id: DISPATCHER_TG,
    });
    await webhook(reply);
    await waitFor(async () =>
      (await family.outTexts()).some(
        (t) => t === `💬 Диспетчер 5001 · обращение № ${number}:\nЗдравствуйте! Позвоню в 14:30.`,
      ),
    );
    expect((await family.outTexts()).join('\n')).not.toContain('я не диспетчер');
    expect(fake.reactions.get(`${STAFF_CHAT}:${reply.message?.message_id}`)).toEqual(['👌']);
    // Telegram redelivers the same update: the family does not get the answer twice.
    await webhook(reply);
    const answers = (await family.outTexts()).filter((t) => t.includes('Позвоню в 14:30'));
    expect(answers).toHaveLength(1);
  });

  it('6. a dispatcher answers from the web desk; the staff chat shows that answer too', async () => {
    const response = await service.app.inject({
      method: 'POST',
      url: `/api/staff/appeals/${appealId}/reply`,
      headers: AUTH,
      payload: { text: 'Добрый день, документы для суда можно принести в четверг.' },
    });
    expect(response.json()).toEqual({ ok: true, took: false });
    await waitFor(async () => (await family.outTexts()).some((t) => t.includes('принести в четверг')));
    await waitForStaffPost('Дежурный диспетчер (веб) ответил(а) семье');
    const actors = (await appealHistory(service.db, appealId)).map((e) => [e.action, e.actor]);
    expect(actors).toEqual([
      ['take', `telegram:tg${DISPATCHER_TG}`],
      ['reply', `telegram:tg${DISPATCHER_TG}`],
      ['reply', 'web:dispatcher'],
    ]);
  });

  it('6b. a route-sheet item typed in the staff chat reaches the family with the time and place', async () => {
    const card = await cardMessageId();
    const when = DateTime.now().setZone('Asia/Novokuznetsk').plus({ days: 2 }).set({ hour: 10, minute: 30 });
    await webhook(fake.replyUpdate(STAFF_CHAT, card, '/route завтра; МФЦ', { id: DISPATCHER_TG }));
    await waitForStaffPost('/route 26.11 14:30');
    await webhook(
      fake.replyUpdate(
        STAFF_CHAT,
        card,
        `/route ${when.toFormat('dd.MM')} 10:30; Центр занятости населения; ул. Ленина, 1; каб. 5`,
        { id: DISPATCHER_TG },
      ),
    );
    const booking = await service.db
      .selectFrom('bookings')
      .selectAll()
      .where('appeal_id', '=', appealId)
      .executeTakeFirstOrThrow();
    expect(booking).toMatchObject({ kind: 'partner', partner_org: 'Центр занятости населения' });
    expect(booking.starts_at.getTime()).toBe(when.startOf('minute').toMillis());
    await waitFor(async () => (await family.outTexts()).some((t) => t.includes('Центр занятости населения')));
    await waitForStaffPost('пункт маршрута — Центр занятости населения');
    // The usage hint was the only answer to the unreadable command: nothing reached the family from it.
    expect((await family.outTexts()).join('\n')).not.toContain('/route');
  });

  it('6c. the family reports progress from the menu; «нужна помощь» reaches the staff chat', async () => {
    await family.say('/menu');
    await family.tap('Сообщить о результате');
    await family.tap('Нужна помощь');
    await waitForStaffPost(`№ ${number}: семья просит помощи специалиста`);
    await family.tap('Пропустить');
  });

  it('7. closing with a result from Telegram sends the survey; the family answers; the report counts it', async () => {
    const card = await cardMessageId();
    await webhook(fake.callbackUpdate(STAFF_CHAT, `st:close:${appealId}`, card, { id: DISPATCHER_TG }));
    await waitFor(async () =>
      fake
        .callsOf('editMessageReplyMarkup')
        .some((c) => JSON.stringify(c.payload.reply_markup).includes(`st:res:${appealId}:resolved`)),
    );
    expect((await appeal()).status).toBe('in_work'); // choosing a result is a second, deliberate tap
    await webhook(
      fake.callbackUpdate(STAFF_CHAT, `st:res:${appealId}:resolved`, card, { id: DISPATCHER_TG }),
    );
    expect(await appeal()).toMatchObject({ status: 'closed', result: 'resolved' });
    await waitForStaffPost(`№ ${number} закрыто (Диспетчер 5001): Решён`);

    await waitFor(async () => (await family.outTexts()).some((t) => t.includes('Помогите нам стать лучше')));
    for (let question = 2; question <= 8; question++) await family.tap('Да');
    expect((await family.outTexts()).at(-1)).toContain('Спасибо');

    // The conversation is the bot's again: free text gets the bot's answer, not the staff chat.
    const posts = staffPosts().length;
    await family.say('меню');
    expect(staffPosts().length).toBe(posts);

    // The report's period is in local dates of the center (UTC+7): not the UTC date, which differs at night.
    const today = DateTime.now().setZone(service.center.timeZone).toISODate();
    const report = await service.app.inject({
      method: 'GET',
      url: `/api/staff/reports/summary?from=${today}&to=${today}`,
      headers: AUTH,
    });
    expect(report.json()).toMatchObject({
      appeals: 1,
      families: 1,
      children: 2,
      surveys: { answered: 1 },
      solved: { answered: 1, yes: 1, yesShare: 1 },
      byChannel: { web: 1 },
      byResult: { resolved: 1 },
    });
  });
});
