import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../bot/app.ts';
import { loadEnv } from '../../config/env.ts';
import { pendingOutboundCount } from '../support/delivery.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { silentLogger } from '../support/fixtures.ts';
import { waitFor } from '../support/redis.ts';

const STAFF_CHAT = -1001234567890;
const SECRET = 'webhook-secret-token_1';

type Harness = { fake: FakeTelegram; service: Service; transport: (update: Update) => Promise<number> };
const open: Harness[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.service.close();
    await h.fake.close();
  }
});

/** The real service (composition root, grammY, delivery, staff notifier) against the fake Bot API. */
async function start(
  mode: 'polling' | 'webhook',
  options: { staff?: 'forum' | 'group' | false } = {},
): Promise<Harness> {
  const fake = await FakeTelegram.start({ maxLongPollSeconds: 1 });
  const staff = options.staff ?? 'forum';
  if (staff)
    fake.setChat({ id: STAFF_CHAT, type: 'supergroup', is_forum: staff === 'forum', title: 'Диспетчеры' });
  const env = loadEnv({
    DATA_DIR: ':memory:',
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_MODE: mode,
    TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/telegram/webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    ...(staff ? { TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT) } : {}),
  });
  const service = await createService(env, silentLogger, { staffMinIntervalMs: 10 });
  const transport =
    mode === 'polling'
      ? async (update: Update) => {
          fake.pushUpdate(update);
          return 200;
        }
      : async (update: Update) => {
          const response = await service.app.inject({
            method: 'POST',
            url: '/telegram/webhook',
            headers: { 'x-telegram-bot-api-secret-token': SECRET },
            payload: update,
          });
          return response.statusCode;
        };
  const harness = { fake, service, transport };
  open.push(harness);
  return harness;
}

/** A parent in a private chat: types, taps buttons they were shown, shares their contact. */
class Parent {
  constructor(
    private readonly h: Harness,
    readonly chatId: number,
  ) {
    h.fake.setChat({ id: chatId, type: 'private', first_name: 'Мария' });
  }

  sent() {
    return this.h.fake.sent().filter((payload) => String(payload.chat_id) === String(this.chatId));
  }

  get lastText(): string {
    return this.sent().at(-1)?.text ?? '';
  }

  texts(from = 0): string {
    return this.sent()
      .slice(from)
      .map((p) => p.text)
      .join('\n---\n');
  }

  /** Sends an update and waits until every reply it caused has been delivered. */
  async send(update: Update): Promise<number> {
    const before = this.sent().length;
    const status = await this.h.transport(update);
    await waitFor(async () => this.sent().length > before && (await this.pending()) === 0, 10_000, 20);
    return status;
  }

  pending(): Promise<number> {
    return pendingOutboundCount(this.h.service.db, 'telegram', String(this.chatId));
  }

  say(text: string) {
    return this.send(this.h.fake.textUpdate(this.chatId, text));
  }

  command(text: string) {
    return this.send(this.h.fake.commandUpdate(this.chatId, text));
  }

  /** Taps the inline button labelled `label` on the latest message that has one. */
  tap(label: string) {
    // The newest message offering such a button (an offer may sit just above the menu).
    const button = [...this.sent()]
      .reverse()
      .flatMap((p) => p.reply_markup?.inline_keyboard?.flat() ?? [])
      .find((b: { text: string }) => b.text.includes(label));
    expect(button, `button "${label}"`).toBeDefined();
    return this.send(this.h.fake.callbackUpdate(this.chatId, button.callback_data));
  }

  /** Taps the first inline button whose callback data starts with `prefix` (dates depend on today). */
  tapFirst(prefix: string) {
    const withKeyboard = [...this.sent()].reverse().find((p) => p.reply_markup?.inline_keyboard);
    const button = withKeyboard?.reply_markup.inline_keyboard
      .flat()
      .find((b: { callback_data?: string }) => b.callback_data?.startsWith(prefix));
    expect(button, `button with data "${prefix}…"`).toBeDefined();
    return this.send(this.h.fake.callbackUpdate(this.chatId, button.callback_data));
  }

  shareContact(phone: string) {
    return this.send(this.h.fake.contactUpdate(this.chatId, phone));
  }
}

async function walkIntake(parent: Parent): Promise<void> {
  await parent.command('/start');
  expect(parent.lastText).toContain('Здравствуйте');
  await parent.tap('Оставить обращение');
  await parent.tap('Пропустить'); // the story («чем я могу помочь?»)
  expect(parent.lastText).toContain('согласие');
  await parent.tap('Согласен');
  await parent.say('Иванова Мария Петровна');
  await parent.say('пгт Инской, ул. Ильича, 12');
  await parent.tap('Не в браке');
  await parent.tap('3');
  await parent.say('05.03.1988');
  // The phone question offers Telegram's "share my number" button.
  const phoneQuestion = parent.sent().at(-1);
  expect(phoneQuestion?.reply_markup?.keyboard?.[0]?.[0]).toMatchObject({ request_contact: true });
  await parent.shareContact('79131234567');
  expect(parent.texts(-2)).toContain('+79131234567');
  await parent.tap('психолога');
  await parent.tap('Пропустить');
  await parent.tap('По телефону');
  await parent.tap('Перезвоните мне');
  expect(parent.lastText).toContain('ФИО: Иванова Мария Петровна');
  await parent.tap('Всё верно');
  expect(parent.texts(-2)).toMatch(/обращение № \d{4}-\d{5} принято/);
}

describe.each(['polling', 'webhook'] as const)('Telegram channel (%s)', (mode) => {
  it('takes a parent through the whole intake and posts the card to the staff forum topic', async () => {
    const h = await start(mode);
    const parent = new Parent(h, 5001);
    await walkIntake(parent);

    const appeal = await h.service.db.selectFrom('appeals').selectAll().executeTakeFirstOrThrow();
    expect(appeal).toMatchObject({
      channel: 'telegram',
      full_name: 'Иванова Мария Петровна',
      phone: '+79131234567',
      purpose: 'psychologist',
    });
    await waitFor(
      async () =>
        (await h.service.db.selectFrom('appeals').select('staff_message_id').executeTakeFirstOrThrow())
          .staff_message_id !== null,
    );
    const topics = h.fake.callsOf('createForumTopic');
    expect(topics).toHaveLength(1);
    expect(topics[0]?.payload.name).toContain(appeal.number);
    const card = h.fake.sent().find((p) => String(p.chat_id) === String(STAFF_CHAT));
    expect(card?.text).toContain(`Обращение № ${appeal.number}`);
    expect(card?.text).toContain('Телефон: +79131234567');
    expect(card?.text).toContain('канал: telegram');
    expect(card?.message_thread_id).toBeDefined();
    // Every tapped button got its spinner stopped.
    expect(h.fake.callsOf('answerCallbackQuery').length).toBeGreaterThanOrEqual(9);
  });

  it('answers photos politely and does not store them', async () => {
    const h = await start(mode, { staff: false });
    const parent = new Parent(h, 5002);
    await parent.command('/start');
    await parent.send(h.fake.photoUpdate(5002, 'мой паспорт'));
    expect(parent.lastText).toContain('только текст и кнопки');
    const stored = await h.service.db.selectFrom('messages').select('body').execute();
    expect(JSON.stringify(stored)).not.toContain('паспорт');
  });

  it('processes a redelivered update once', async () => {
    const h = await start(mode, { staff: false });
    const parent = new Parent(h, 5003);
    const update = h.fake.commandUpdate(5003, '/start');
    await parent.send(update);
    const count = parent.sent().length;
    if (mode === 'polling') h.fake.redeliver(update.update_id);
    else expect(await h.transport(update)).toBe(200);
    await new Promise((r) => setTimeout(r, 1500)); // longer than one long-poll round
    expect(parent.sent()).toHaveLength(count);
  });
});

describe('Telegram: questions in the family’s own words (issue 11)', () => {
  it('answers from the navigator, and passes a question it cannot answer to the staff chat', async () => {
    const h = await start('webhook');
    const parent = new Parent(h, 5101);
    await parent.say('Какие документы нужны для социального контракта?');
    expect(parent.lastText).toContain('Социальный контракт');
    expect(parent.lastText).not.toContain('не совсем поняла');
    const buttons = parent.sent().at(-1)?.reply_markup?.inline_keyboard?.flat() ?? [];
    expect(buttons.map((b: { text: string }) => b.text)).toContain('💬 Передать вопрос диспетчеру');

    await parent.say('у соседей собака лает по ночам куда жаловаться');
    await parent.tap('Передать вопрос диспетчеру');
    expect(parent.lastText).toContain('Чтобы передать Ваш вопрос диспетчеру');
    await parent.tap('Согласен');
    expect(parent.texts(-2)).toMatch(/Ваш вопрос № \d{4}-\d{5} передан диспетчеру/);
    await waitFor(async () =>
      h.fake
        .sent()
        .some((p) => String(p.chat_id) === String(STAFF_CHAT) && String(p.text).includes('собака')),
    );
    const question = await h.service.db.selectFrom('appeals').selectAll().executeTakeFirstOrThrow();
    expect(question).toMatchObject({ channel: 'telegram', is_question: true, full_name: null });
  });
});

describe('Telegram staff chat', () => {
  it('posts the card straight into a plain group (no topics), exactly once', async () => {
    const h = await start('webhook', { staff: 'group' });
    const parent = new Parent(h, 5101);
    await walkIntake(parent);
    const db = h.service.db;
    await waitFor(
      async () =>
        (await db.selectFrom('appeals').select('staff_message_id').executeTakeFirstOrThrow())
          .staff_message_id !== null,
    );
    expect(h.fake.callsOf('createForumTopic')).toHaveLength(0);
    const cards = h.fake.sent().filter((p) => String(p.chat_id) === String(STAFF_CHAT));
    expect(cards).toHaveLength(1);
    expect(cards[0]?.message_thread_id).toBeUndefined();
    // A sweep (e.g. after a restart) does not post it again.
    await h.service.telegram?.staff?.sweep();
    expect(h.fake.sent().filter((p) => String(p.chat_id) === String(STAFF_CHAT))).toHaveLength(1);
  });

  it('waits out a 429 in the staff chat and still posts the card once', async () => {
    const h = await start('webhook', { staff: 'forum' });
    const parent = new Parent(h, 5102);
    await walkIntake(parent);
    const db = h.service.db;
    await waitFor(
      async () =>
        (await db.selectFrom('appeals').select('staff_message_id').executeTakeFirstOrThrow())
          .staff_message_id !== null,
    );
    // Second appeal: the staff chat is rate limited once.
    h.fake.failNext('createForumTopic', { kind: 'rateLimit', retryAfter: 1 });
    await parent.tap('Оставить обращение');
    await parent.tap('Пропустить'); // the story («чем я могу помочь?»)
    // A returning family confirms its stored card instead of typing it again.
    expect(parent.lastText).toContain('Всё ещё верно?');
    await parent.tap('Да, верно');
    await parent.tap('юриста');
    await parent.tap('Пропустить');
    await parent.tap('Личный приём');
    await parent.tap('Всё верно');
    await waitFor(async () => {
      const rows = await db.selectFrom('appeals').select('staff_message_id').execute();
      return rows.length === 2 && rows.every((row) => row.staff_message_id !== null);
    });
    expect(h.fake.callsOf('createForumTopic').filter((c) => c.ok)).toHaveLength(2);
    const appeals = await db.selectFrom('appeals').select(['kind', 'staff_topic_id']).orderBy('id').execute();
    expect(appeals.map((a) => a.kind)).toEqual(['primary', 'secondary']);
    expect(new Set(appeals.map((a) => a.staff_topic_id)).size).toBe(2);
  });
});

describe('Telegram crisis signal', () => {
  it('answers the parent with help at once and alerts the staff chat, with no text or name', async () => {
    const h = await start('webhook', { staff: 'group' });
    const parent = new Parent(h, 5201);
    await parent.command('/start');
    const before = parent.sent().length;
    await parent.say('Здравствуйте, я Мария. Муж бьёт меня и угрожает убить');
    const replies = parent.texts(before);
    expect(replies).toContain('112');
    expect(replies).toContain('3-06-56');
    // The helplines as Telegram links phone numbers (international form, "+7 …"), each message within 4096.
    expect(replies).toContain('+7 800 2000-122');
    expect(replies).toContain('+7 800 7000-600');
    expect(replies).not.toMatch(/(?<!\+7 )800[- ]?2000|8-800/);
    for (const payload of parent.sent().slice(before)) expect(payload.text.length).toBeLessThanOrEqual(4096);
    // Who gets in touch and when: in working hours «Диспетчер свяжется…», outside them after the opening.
    expect(replies).toMatch(/[Дд]испетчер свяжется с Вами/);
    await waitFor(async () => h.fake.sent().some((p) => String(p.chat_id) === String(STAFF_CHAT)));
    const posts = h.fake.sent().filter((p) => String(p.chat_id) === String(STAFF_CHAT));
    expect(posts).toHaveLength(1);
    const contact = await h.service.db
      .selectFrom('contacts')
      .select('id')
      .where('external_id', '=', '5201')
      .executeTakeFirstOrThrow();
    expect(posts[0]?.text).toBe(
      `🚨 СРОЧНО: сигнал кризиса (насилие, жестокое обращение), канал telegram, контакт #${contact.id}. ` +
        'Свяжитесь с семьёй вне очереди.',
    );
    expect(posts[0]?.text).not.toMatch(/Мария|бьёт/);
    // Nothing was stored: no consent yet.
    expect(await h.service.db.selectFrom('appeals').select('id').execute()).toEqual([]);
    const alert = await h.service.db.selectFrom('urgent_alerts').selectAll().executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ contact_id: contact.id, signal: 'violence', attempts: 1 });
    expect(alert.posted_at).not.toBeNull();
  });

  it('marks the open appeal of a family in crisis urgent: the alert names it and its card says СРОЧНО', async () => {
    const h = await start('webhook', { staff: 'group' });
    const parent = new Parent(h, 5203);
    // An ordinary appeal first (the story question skipped), its card posted.
    await parent.command('/start');
    await parent.tap('Оставить обращение');
    await parent.tap('Пропустить');
    await parent.tap('Согласен');
    await parent.say('Иванова Мария Петровна');
    await parent.say('пгт Инской, ул. Ильича, 12');
    await parent.tap('Не в браке');
    await parent.tap('3');
    await parent.say('05.03.1988');
    await parent.shareContact('79131234567');
    await parent.tap('психолога');
    await parent.tap('Пропустить');
    await parent.tap('По телефону');
    await parent.tap('Перезвоните мне');
    await parent.tap('Всё верно');
    const db = h.service.db;
    await waitFor(
      async () =>
        (await db.selectFrom('appeals').select('staff_message_id').executeTakeFirstOrThrow())
          .staff_message_id !== null,
    );
    const appeal = await db.selectFrom('appeals').selectAll().executeTakeFirstOrThrow();
    const staffPosts = () => h.fake.sent().filter((p) => String(p.chat_id) === String(STAFF_CHAT));
    expect(staffPosts()[0]?.text).toContain('🆕 Обращение');

    await parent.say('муж избивает меня, я боюсь');
    await waitFor(async () => h.fake.callsOf('editMessageText').length > 0);
    const alert = staffPosts().find((p) => p.text.startsWith('🚨 СРОЧНО: сигнал кризиса'));
    expect(alert?.text).toContain(`Открытые обращения этой семьи отмечены срочными: № ${appeal.number}.`);
    expect(alert?.text).not.toMatch(/избивает|Иванова/);
    const edit = h.fake.callsOf('editMessageText')[0]?.payload;
    expect(edit).toMatchObject({ message_id: Number(appeal.staff_message_id) });
    expect(String(edit?.text)).toContain(`🚨 СРОЧНО. Обращение № ${appeal.number}`);
    // The card keeps its buttons.
    expect(edit?.reply_markup).toBeDefined();
    expect((await db.selectFrom('appeals').select('urgent').executeTakeFirstOrThrow()).urgent).toBe(true);
  });

  it('keeps an alert the staff chat could not take, and the sweep posts it exactly once', async () => {
    const h = await start('webhook', { staff: 'group' });
    const parent = new Parent(h, 5202);
    await parent.command('/start');
    // Telegram is down for the staff chat: every try of the immediate post fails.
    h.fake.failNext('sendMessage', { kind: 'serverError' }, 1);
    await parent.say('не хочу жить');
    const db = h.service.db;
    await waitFor(
      async () =>
        (await db.selectFrom('urgent_alerts').select('attempts').executeTakeFirst())?.attempts === 1,
    );
    const staffPosts = () => h.fake.sent().filter((p) => String(p.chat_id) === String(STAFF_CHAT));
    expect(staffPosts()).toHaveLength(0);
    expect(
      (await db.selectFrom('urgent_alerts').select('posted_at').executeTakeFirstOrThrow()).posted_at,
    ).toBeNull();
    // The sweep (every minute in production) finds it; running it twice posts it once.
    await h.service.telegram?.staff?.sweep();
    await h.service.telegram?.staff?.sweep();
    expect(staffPosts()).toHaveLength(1);
    expect(staffPosts()[0]?.text).toContain('суицидальные мысли');
    const row = await db.selectFrom('urgent_alerts').selectAll().executeTakeFirstOrThrow();
    expect(row.posted_at).not.toBeNull();
    expect(row.attempts).toBe(2);
  });
});

describe('Telegram booking', () => {
  it('books after an in-person appeal, reschedules and cancels', async () => {
    const h = await start('webhook', { staff: false });
    const parent = new Parent(h, 9001);
    await parent.command('/start');
    await parent.tap('Оставить обращение');
    await parent.tap('Пропустить'); // the story («чем я могу помочь?»)
    await parent.tap('Согласен');
    await parent.say('Иванова Мария Петровна');
    await parent.say('пгт Инской, ул. Ильича, 12');
    await parent.tap('Не в браке');
    await parent.tap('3');
    await parent.say('05.03.1988');
    await parent.shareContact('79131234567');
    await parent.tap('юриста');
    await parent.tap('Пропустить');
    await parent.tap('Личный приём');
    await parent.tap('Всё верно');
    await parent.tap('Выбрать время приёма');
    await parent.tapFirst('bookDay:');
    expect(parent.lastText).toContain('Принимает: Юрисконсульт центра, г. Белово, ул. Маркса, 2, каб. 5.');
    await parent.tapFirst('slot:');
    expect(parent.lastText).toContain('Юрисконсульт центра');
    expect(parent.lastText).toContain('Взять с собой: паспорт, СНИЛС');
    await parent.tap('Подтвердить');
    expect(parent.texts(-2)).toContain('Вы записаны');
    await parent.tap('Мои записи');
    expect(parent.lastText).toMatch(/• \S+, (\d\d\.\d\d), (\d\d:\d\d) — Юрисконсульт центра, г\. Белово/);
    const [, listedDate, listedTime] = parent.lastText.match(/• \S+, (\d\d\.\d\d), (\d\d:\d\d) —/) ?? [];
    await parent.tapFirst('myMove:');
    await parent.tapFirst('bookDay:');
    await parent.tapFirst('slot:');
    await parent.tap('Подтвердить');
    expect(parent.texts(-2)).toContain(
      `Запись на ${listedDate} ${listedTime} отменена, время освобождено. Новая запись:`,
    );
    await parent.tap('Мои записи');
    await parent.tapFirst('myCancel:');
    await parent.tap('Да, отменить');
    expect(parent.texts(-2)).toContain('Запись отменена');
    const statuses = await h.service.db
      .selectFrom('bookings')
      .select(['status', 'rescheduled_from'])
      .orderBy('id')
      .execute();
    expect(statuses.map((b) => b.status)).toEqual(['cancelled', 'cancelled']);
    expect(statuses[1]?.rescheduled_from).not.toBeNull();
    // Every button the family was shown fits Telegram's 64-byte callback_data.
    const payloads = parent
      .sent()
      .flatMap(
        (p) =>
          (p.reply_markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> })
            ?.inline_keyboard ?? [],
      )
      .flat()
      .map((button) => button.callback_data ?? '');
    expect(payloads.some((payload) => payload.startsWith('myMove:'))).toBe(true);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(64);
  });
});

describe('Telegram webhook security', () => {
  it.each([
    ['missing', undefined],
    ['wrong', 'not-the-secret-token-1'],
    ['prefix', SECRET.slice(0, -1)],
  ])('rejects a %s secret with 401 and never runs the handler', async (_name, header) => {
    const h = await start('webhook', { staff: false });
    h.fake.setChat({ id: 6001, type: 'private', first_name: 'X' });
    const response = await h.service.app.inject({
      method: 'POST',
      url: '/telegram/webhook',
      headers: header ? { 'x-telegram-bot-api-secret-token': header } : {},
      payload: h.fake.commandUpdate(6001, '/start'),
    });
    expect(response.statusCode).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.callsOf('sendMessage')).toHaveLength(0);
    expect(await h.service.db.selectFrom('contacts').selectAll().execute()).toHaveLength(0);
  });

  it('registers the webhook with the secret at start', async () => {
    const h = await start('webhook', { staff: false });
    expect(h.fake.webhook).toMatchObject({
      url: 'https://bot.example.org/telegram/webhook',
      secret_token: SECRET,
    });
  });

  it('rejects a body that is not an update', async () => {
    const h = await start('webhook', { staff: false });
    const response = await h.service.app.inject({
      method: 'POST',
      url: '/telegram/webhook',
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
      payload: { hello: 'world' },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('Telegram delivery safety', () => {
  it('honours 429 retry_after and then delivers exactly once', async () => {
    const h = await start('webhook', { staff: false });
    const parent = new Parent(h, 7001);
    h.fake.failNext('sendMessage', { kind: 'rateLimit', retryAfter: 1 });
    const started = Date.now();
    await parent.command('/start');
    const attempts = h.fake.callsOf('sendMessage').filter((c) => String(c.payload.chat_id) === '7001');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.fault).toMatchObject({ kind: 'rateLimit' });
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(parent.sent().filter((p) => p.text.includes('Здравствуйте'))).toHaveLength(1);
    expect(h.fake.callsOf('sendMessage').filter((c) => c.ok)).toHaveLength(1);
  });

  it.each([['blocked'], ['deactivated']] as const)(
    'marks a %s contact inactive and stops sending to it',
    async (kind) => {
      const h = await start('webhook', { staff: false });
      const parent = new Parent(h, 7002);
      await parent.command('/start');
      h.fake.failNext('sendMessage', { kind });
      await h.transport(h.fake.textUpdate(7002, 'контакты'));
      await waitFor(async () => (await parent.pending()) === 0);
      const contact = await h.service.db
        .selectFrom('contacts')
        .selectAll()
        .where('external_id', '=', '7002')
        .executeTakeFirstOrThrow();
      expect(contact.active).toBe(false);
      const failed = await h.service.db
        .selectFrom('messages')
        .select(['status', 'error'])
        .where('status', '=', 'failed')
        .execute();
      expect(failed[0]?.error).toMatch(/^403/);
      // Nothing more is attempted for an inactive contact (e.g. a reminder produced by the system).
      const callsBefore = h.fake.callsOf('sendMessage').length;
      await h.service.db
        .insertInto('messages')
        .values({ contact_id: contact.id, direction: 'out', body: JSON.stringify({ text: 'напоминание' }) })
        .execute();
      await h.service.delivery.deliver(contact.id);
      expect(h.fake.callsOf('sendMessage')).toHaveLength(callsBefore);
      // Writing again makes them reachable again.
      await parent.say('меню');
      expect(parent.lastText).toContain('Чем могу помочь');
    },
  );

  it.each([
    ['a 5xx', { kind: 'serverError' as const }],
    ['a dropped connection', { kind: 'hangup' as const }],
    ['a slow answer', { kind: 'slow' as const, ms: 700 }],
  ])('retries after %s without duplicating', async (_name, fault) => {
    const h = await start('webhook', { staff: false });
    const parent = new Parent(h, 7003);
    h.fake.failNext('sendMessage', fault);
    await parent.command('/start');
    const ok = h.fake.callsOf('sendMessage').filter((c) => c.ok && String(c.payload.chat_id) === '7003');
    expect(ok).toHaveLength(1);
    expect(ok[0]?.payload.text).toContain('Здравствуйте');
  });

  it('continues a long message from the part that failed, never resending a confirmed part', async () => {
    const h = await start('webhook', { staff: false });
    const parent = new Parent(h, 7004);
    await parent.command('/start');
    const contact = await h.service.db
      .selectFrom('contacts')
      .selectAll()
      .where('external_id', '=', '7004')
      .executeTakeFirstOrThrow();
    const long = ['А'.repeat(4000), 'Б'.repeat(4000), 'В'.repeat(100)].join('\n\n');
    await h.service.db
      .insertInto('messages')
      .values({ contact_id: contact.id, direction: 'out', body: JSON.stringify({ text: long }) })
      .execute();
    // Part 1 goes through, part 2 keeps failing (more than the quick retries) → postponed.
    h.fake.clear();
    // Part 1 goes through (a 'slow' fault still answers), then one try and three quick retries of part 2 fail.
    h.fake.failNext('sendMessage', { kind: 'slow', ms: 1 });
    h.fake.failNext('sendMessage', { kind: 'serverError' }, 4);
    await h.service.delivery.deliver(contact.id);
    expect(await parent.pending()).toBe(1);
    const row = await h.service.db
      .selectFrom('messages')
      .select(['parts_sent', 'attempts'])
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ parts_sent: 1, attempts: 1 });
    // Telegram is back: the next delivery round sends parts 2 and 3 only.
    await h.service.delivery.deliver(contact.id);
    const delivered = h.fake
      .callsOf('sendMessage')
      .filter((c) => c.ok)
      .map((c) => c.payload.text[0]);
    expect(delivered).toEqual(['А', 'Б', 'В']);
    expect(await parent.pending()).toBe(0);
  });

  it('keeps working when the optional command menu cannot be set, and refuses to start with a revoked token', async () => {
    const fake = await FakeTelegram.start();
    fake.failNext('setMyCommands', { kind: 'serverError' }, 5);
    const env = loadEnv({
      DATA_DIR: ':memory:',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://x.example/h',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    });
    const service = await createService(env, silentLogger);
    open.push({ fake, service, transport: async () => 0 });
    expect(fake.webhook?.url).toBe('https://x.example/h');

    // A revoked token: getMe answers 401, and the service refuses to start rather than run deaf.
    const broken = await FakeTelegram.start();
    const env2 = loadEnv({
      DATA_DIR: ':memory:',
      TELEGRAM_BOT_TOKEN: `9${broken.token}`,
      TELEGRAM_API_ROOT: broken.apiRoot,
    });
    await expect(createService(env2, silentLogger)).rejects.toThrow();
    await broken.close();
  });
});

describe('Telegram commands', () => {
  it('understands /menu, /cancel, /help and /lang', async () => {
    const h = await start('webhook', { staff: false });
    const parent = new Parent(h, 8001);
    await parent.command('/start');
    await parent.tap('Оставить обращение');
    await parent.tap('Пропустить'); // the story («чем я могу помочь?»)
    await parent.tap('Согласен');
    await parent.command('/help');
    expect(parent.texts(-2)).toContain('/cancel');
    expect(parent.lastText).toContain('фамилию, имя и отчество'); // help repeats the current question
    await parent.command('/cancel');
    expect(parent.lastText).toContain('Обращение отменено');
    await parent.command('/lang');
    await parent.tap('English');
    expect(parent.lastText).toContain('Hello!');
    await parent.command('/menu');
    expect(parent.lastText).toContain('How can I help?');
  });

  it('answers a stale button politely with the current question', async () => {
    const h = await start('webhook', { staff: false });
    const parent = new Parent(h, 8002);
    await parent.command('/start');
    await parent.tap('Оставить обращение');
    await parent.tap('Пропустить'); // the story («чем я могу помочь?»)
    await parent.tap('Согласен');
    await parent.send(h.fake.callbackUpdate(8002, 'consent:yes'));
    expect(parent.lastText).toContain('относится к предыдущему вопросу');
    expect(parent.lastText).toContain('фамилию, имя и отчество');
  });
});
