import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, HttpError, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeTelegram } from '../support/fake-telegram.ts';

const USER = 5550001;
const longKeyboard = (data: string) => ({ inline_keyboard: [[{ text: 'Tap', callback_data: data }]] });

let fake: FakeTelegram;
let bot: Bot;

beforeEach(async () => {
  fake = await FakeTelegram.start();
  bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
});

afterEach(async () => {
  if (bot.isRunning()) await bot.stop();
  await fake.close();
});

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function grammyError(promise: Promise<unknown>): Promise<GrammyError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(GrammyError);
  return error as GrammyError;
}

describe('wire protocol', () => {
  it('answers getMe, which bot.init() uses', async () => {
    await bot.init();
    expect(bot.botInfo).toMatchObject({
      id: 123456789,
      is_bot: true,
      username: 'test_bot',
      can_join_groups: true,
      supports_inline_queries: false,
    });
    expect(fake.callsOf('getMe')).toHaveLength(1);
  });

  it('rejects a wrong token with 401 and unknown methods with 404', async () => {
    const stranger = new Bot('42:not-the-token', { client: { apiRoot: fake.apiRoot } });
    const unauthorized = await grammyError(stranger.api.getMe());
    expect(unauthorized.error_code).toBe(401);
    expect(unauthorized.description).toBe('Unauthorized');

    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/sendTelepathy`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      ok: false,
      error_code: 404,
      description: 'Not Found: method not found',
    });
  });

  it('accepts form-urlencoded bodies and case-insensitive method names', async () => {
    const body = new URLSearchParams({
      chat_id: String(USER),
      text: 'from a form',
      reply_markup: JSON.stringify(longKeyboard('ok')),
    });
    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/SENDMESSAGE`, { method: 'POST', body });
    const json = (await response.json()) as { ok: boolean; result: { text: string; reply_markup: unknown } };
    expect(json.ok).toBe(true);
    expect(json.result.text).toBe('from a form');
    expect(json.result.reply_markup).toEqual(longKeyboard('ok'));
    expect(fake.sent()).toEqual([expect.objectContaining({ chat_id: String(USER), text: 'from a form' })]);
  });
});

describe('sendMessage', () => {
  it('records the call and returns a realistic Message', async () => {
    const first = await bot.api.sendMessage(USER, 'Hello', { reply_markup: longKeyboard('menu:main') });
    const second = await bot.api.sendMessage(USER, 'Again');

    expect(first).toMatchObject({
      chat: { id: USER, type: 'private' },
      from: { id: 123456789, is_bot: true, username: 'test_bot' },
      text: 'Hello',
      reply_markup: longKeyboard('menu:main'),
    });
    expect(first.date).toBeCloseTo(Date.now() / 1000, -1);
    expect(second.message_id).toBe(first.message_id + 1);
    expect(second.reply_markup).toBeUndefined();
    expect(fake.sent().map((payload) => payload.text)).toEqual(['Hello', 'Again']);
    expect(fake.calls.map((call) => call.method)).toEqual(['sendMessage', 'sendMessage']);

    fake.clear();
    expect(fake.calls).toEqual([]);
  });

  it('rejects over-long and empty text with 400', async () => {
    await bot.api.sendMessage(USER, 'я'.repeat(4096));

    const tooLong = await grammyError(bot.api.sendMessage(USER, 'x'.repeat(4097)));
    expect(tooLong.error_code).toBe(400);
    expect(tooLong.description).toBe('Bad Request: message is too long');

    const empty = await grammyError(bot.api.sendMessage(USER, '   '));
    expect(empty.description).toBe('Bad Request: message text is empty');

    expect(fake.sent()).toHaveLength(1);
    expect(fake.callsOf('sendMessage').map((call) => call.ok)).toEqual([true, false, false]);
  });

  it('limits callback_data to 64 bytes, not characters', async () => {
    await bot.api.sendMessage(USER, 'ok', { reply_markup: longKeyboard('x'.repeat(64)) });
    await bot.api.sendMessage(USER, 'ok', { reply_markup: longKeyboard('я'.repeat(32)) }); // 64 bytes

    for (const data of ['x'.repeat(65), 'я'.repeat(33)]) {
      const error = await grammyError(bot.api.sendMessage(USER, 'no', { reply_markup: longKeyboard(data) }));
      expect(error.error_code).toBe(400);
      expect(error.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    }
    expect(fake.sent()).toHaveLength(2);
  });
});

describe('fault injection', () => {
  it('429 surfaces as GrammyError with retry_after, and grammY does not retry by itself', async () => {
    fake.failNext('sendMessage', { kind: 'rateLimit', retryAfter: 7 });

    const error = await grammyError(bot.api.sendMessage(USER, 'hi'));
    expect(error.error_code).toBe(429);
    expect(error.description).toBe('Too Many Requests: retry after 7');
    expect(error.parameters.retry_after).toBe(7);
    expect(fake.callsOf('sendMessage')).toHaveLength(1);

    await bot.api.sendMessage(USER, 'hi');
    const attempts = fake.callsOf('sendMessage');
    expect(attempts.map((call) => call.fault?.kind)).toEqual(['rateLimit', undefined]);
    expect(fake.sent()).toHaveLength(1);
  });

  it('faults are consumed in order per method and only hit that method', async () => {
    fake.failNext('sendMessage', { kind: 'serverError' }, 2);
    fake.failNext('sendMessage', { kind: 'deactivated' });

    await bot.api.getMe();
    expect((await grammyError(bot.api.sendMessage(USER, 'a'))).error_code).toBe(500);
    expect((await grammyError(bot.api.sendMessage(USER, 'a'))).description).toBe('Internal Server Error');
    const deactivated = await grammyError(bot.api.sendMessage(USER, 'a'));
    expect(deactivated.error_code).toBe(403);
    expect(deactivated.description).toBe('Forbidden: user is deactivated');
    await bot.api.sendMessage(USER, 'a');
    expect(fake.callsOf('sendMessage')).toHaveLength(4);
  });

  it('403 blocked, injected once or for a whole chat', async () => {
    fake.failNext('sendMessage', { kind: 'blocked' });
    const once = await grammyError(bot.api.sendMessage(USER, 'a'));
    expect(once.error_code).toBe(403);
    expect(once.description).toBe('Forbidden: bot was blocked by the user');
    await bot.api.sendMessage(USER, 'a');

    fake.blockChat(USER);
    for (let i = 0; i < 2; i++) {
      expect((await grammyError(bot.api.sendMessage(USER, 'b'))).error_code).toBe(403);
    }
    await bot.api.sendMessage(USER + 1, 'someone else is fine');
    fake.unblockChat(USER);
    await bot.api.sendMessage(USER, 'c');
    expect(fake.sent().map((payload) => payload.text)).toEqual(['a', 'someone else is fine', 'c']);
  });

  it('hangup surfaces as HttpError (a network failure, not a Telegram answer)', async () => {
    fake.failNext('sendMessage', { kind: 'hangup' });
    const error = await rejection(bot.api.sendMessage(USER, 'a'));
    expect(error).toBeInstanceOf(HttpError);
    expect(error).not.toBeInstanceOf(GrammyError);
    expect((error as HttpError).message).toContain("Network request for 'sendMessage' failed");
    expect(fake.callsOf('sendMessage')[0]).toMatchObject({ fault: { kind: 'hangup' }, ok: false });

    await bot.api.sendMessage(USER, 'the connection pool recovers');
    expect(fake.sent()).toHaveLength(1);
  });

  it('bot.init() retries getMe by itself on 5xx and network errors (plain api calls do not)', async () => {
    fake.failNext('getMe', { kind: 'serverError' });
    fake.failNext('getMe', { kind: 'hangup' });
    await bot.init();
    expect(fake.callsOf('getMe').map((call) => call.fault?.kind)).toEqual([
      'serverError',
      'hangup',
      undefined,
    ]);
  });

  it('slow answers are slow', async () => {
    fake.failNext('sendMessage', { kind: 'slow', ms: 300 });
    const started = performance.now();
    const message = await bot.api.sendMessage(USER, 'eventually');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(message.text).toBe('eventually');
  });

  it('a client timeout on a slow answer still delivers the message (why retried sends can duplicate)', async () => {
    const impatient = new Bot(fake.token, { client: { apiRoot: fake.apiRoot, timeoutSeconds: 0.1 } });
    fake.failNext('sendMessage', { kind: 'slow', ms: 300 });

    const error = await rejection(impatient.api.sendMessage(USER, 'did it arrive?'));
    expect(error).toBeInstanceOf(HttpError);
    expect(fake.sent()).toHaveLength(0);
    await fake.waitForCalls('sendMessage');
    expect(fake.sent().map((payload) => payload.text)).toEqual(['did it arrive?']);
  });
});

describe('chats, topics, edits, commands', () => {
  it('getChat knows configured chats and chats that wrote to the bot', async () => {
    fake.setChat({ id: -1001, type: 'group', title: 'Parents' });
    expect(await bot.api.getChat(-1001)).toMatchObject({ id: -1001, type: 'group', title: 'Parents' });

    const unknown = await grammyError(bot.api.getChat(-404));
    expect(unknown.description).toBe('Bad Request: chat not found');

    fake.textUpdate(USER, 'hi');
    expect(await bot.api.getChat(USER)).toMatchObject({ id: USER, type: 'private', first_name: 'Test' });
  });

  it('creates forum topics only in forums and routes messages into them', async () => {
    const forum = -1_000_000_000_123;
    fake.setChat({ id: forum, type: 'supergroup', is_forum: true, title: 'Operators' });
    fake.setChat({ id: -1_000_000_000_456, type: 'supergroup', title: 'Plain' });

    const topic = await bot.api.createForumTopic(forum, 'Request #17');
    expect(topic).toEqual({
      message_thread_id: expect.any(Number),
      name: 'Request #17',
      icon_color: 0x6fb9f0,
    });

    const posted = await bot.api.sendMessage(forum, 'New request', {
      message_thread_id: topic.message_thread_id,
    });
    expect(posted).toMatchObject({
      message_thread_id: topic.message_thread_id,
      is_topic_message: true,
      chat: { id: forum, type: 'supergroup', is_forum: true },
    });

    const lost = await grammyError(bot.api.sendMessage(forum, 'x', { message_thread_id: 999_999 }));
    expect(lost.description).toBe('Bad Request: message thread not found');
    const notForum = await grammyError(bot.api.createForumTopic(-1_000_000_000_456, 'x'));
    expect(notForum.description).toBe('Bad Request: the chat is not a forum');
    const unknown = await grammyError(bot.api.createForumTopic(-1_000_000_000_789, 'x'));
    expect(unknown.description).toBe('Bad Request: chat not found');
  });

  it('edits the bot’s messages like Telegram, including "not modified" and keyboard removal', async () => {
    const sent = await bot.api.sendMessage(USER, 'Pick one', { reply_markup: longKeyboard('pick:1') });

    const edited = await bot.api.editMessageText(USER, sent.message_id, 'Picked');
    expect(edited).toMatchObject({
      message_id: sent.message_id,
      text: 'Picked',
      edit_date: expect.any(Number),
    });
    expect(edited).not.toHaveProperty('reply_markup'); // omitted reply_markup removes the keyboard

    const same = await grammyError(bot.api.editMessageText(USER, sent.message_id, 'Picked'));
    expect(same.description).toMatch(/^Bad Request: message is not modified/);

    const withKeyboard = await bot.api.editMessageReplyMarkup(USER, sent.message_id, {
      reply_markup: longKeyboard('again'),
    });
    expect(withKeyboard).toMatchObject({ reply_markup: longKeyboard('again') });

    const missing = await grammyError(bot.api.editMessageText(USER, 987654, 'x'));
    expect(missing.description).toBe('Bad Request: message to edit not found');

    const tapped = fake.callbackUpdate(USER, 'from:elsewhere');
    const tappedMessage = tapped.callback_query?.message;
    expect(tappedMessage).toBeDefined();
    await bot.api.editMessageReplyMarkup(USER, tappedMessage?.message_id ?? 0);

    const userMessage = fake.textUpdate(USER, 'mine').message;
    const notOurs = await grammyError(bot.api.editMessageText(USER, userMessage?.message_id ?? 0, 'x'));
    expect(notOurs.description).toBe("Bad Request: message can't be edited");
    expect(await bot.api.deleteMessage(USER, userMessage?.message_id ?? 0)).toBe(true);
  });

  it('stores commands per scope and validates them', async () => {
    const commands = [
      { command: 'start', description: 'Start' },
      { command: 'help', description: 'Help' },
    ];
    await bot.api.setMyCommands(commands);
    await bot.api.setMyCommands([{ command: 'start', description: 'Начать' }], { language_code: 'ru' });
    expect(await bot.api.getMyCommands()).toEqual(commands);
    expect(await bot.api.getMyCommands({ language_code: 'ru' })).toHaveLength(1);

    const invalid = await grammyError(bot.api.setMyCommands([{ command: 'Start', description: 'x' }]));
    expect(invalid.description).toBe('Bad Request: BOT_COMMAND_INVALID');

    await bot.api.deleteMyCommands();
    expect(await bot.api.getMyCommands()).toEqual([]);
    expect(await bot.api.answerCallbackQuery('123')).toBe(true);
  });
});

describe('update builders', () => {
  it('build realistic private-chat updates with fresh ids, without queuing them', () => {
    const text = fake.textUpdate(USER, 'hello');
    const command = fake.commandUpdate(USER, '/start deep-link');
    const contact = fake.contactUpdate(USER, '+79991234567');
    const foreign = fake.contactUpdate(USER, '+79990000000', 777);
    const photo = fake.photoUpdate(USER, 'a receipt');
    const callback = fake.callbackUpdate(USER, 'menu:help');

    const ids = [text, command, contact, foreign, photo, callback].map((update) => update.update_id);
    expect(new Set(ids).size).toBe(6);
    expect(fake.pendingUpdates).toEqual([]);

    expect(text.message).toMatchObject({
      chat: { id: USER, type: 'private' },
      from: { id: USER },
      text: 'hello',
    });
    expect(command.message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: '/start'.length }]);
    expect(contact.message?.contact).toMatchObject({ phone_number: '+79991234567', user_id: USER });
    expect(foreign.message?.contact?.user_id).toBe(777);
    expect(photo.message?.photo?.length).toBeGreaterThan(1);
    expect(photo.message?.caption).toBe('a receipt');
    expect(callback.callback_query).toMatchObject({
      id: expect.any(String),
      from: { id: USER },
      message: { chat: { id: USER }, message_id: expect.any(Number) },
      chat_instance: expect.any(String),
      data: 'menu:help',
    });
  });

  it('uses a group member as sender in groups and refuses a foreign sender in a private chat', () => {
    const group = fake.textUpdate(-5001, 'hi all');
    expect(group.message?.chat.type).toBe('group');
    expect(group.message?.from.id).not.toBe(-5001);
    expect(() => fake.textUpdate(USER, 'x', { id: USER + 1 })).toThrow(/private chat/);
  });
});

describe('long polling', () => {
  it('bot.start() receives pushed updates in order; redeliver repeats one; bot.stop() ends cleanly', async () => {
    const seen: Array<{ id: number; kind: string }> = [];
    bot.command('start', (ctx) => {
      seen.push({ id: ctx.update.update_id, kind: 'command' });
    });
    bot.on('message:text', (ctx) => {
      seen.push({ id: ctx.update.update_id, kind: ctx.message.text });
    });
    bot.on('callback_query:data', async (ctx) => {
      seen.push({ id: ctx.update.update_id, kind: `tap ${ctx.callbackQuery.data}` });
      await ctx.answerCallbackQuery();
    });
    const errors: unknown[] = [];
    bot.catch((error) => {
      errors.push(error);
    });

    let started = false;
    const polling = bot.start({
      onStart: () => {
        started = true;
      },
    });
    await vi.waitFor(() => expect(started).toBe(true));

    const pushed: Update[] = [
      fake.pushUpdate(fake.commandUpdate(USER, '/start')),
      fake.pushUpdate(fake.textUpdate(USER, 'first')),
      fake.pushUpdate(fake.callbackUpdate(USER, 'menu:1')),
    ];
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    expect(seen).toEqual([
      { id: pushed[0]?.update_id, kind: 'command' },
      { id: pushed[1]?.update_id, kind: 'first' },
      { id: pushed[2]?.update_id, kind: 'tap menu:1' },
    ]);
    expect(fake.callsOf('answerCallbackQuery')).toHaveLength(1);

    fake.redeliver(pushed[1]?.update_id ?? 0);
    await vi.waitFor(() => expect(seen).toHaveLength(4));
    expect(seen[3]).toEqual({ id: pushed[1]?.update_id, kind: 'first' });

    const late = fake.pushUpdate(fake.textUpdate(USER, 'after the redelivery'));
    await vi.waitFor(() => expect(seen).toHaveLength(5));
    expect(seen[4]?.id).toBe(late.update_id);

    const stopping = performance.now();
    await bot.stop();
    await polling; // resolves once the loop has ended
    expect(performance.now() - stopping).toBeLessThan(1000);
    expect(bot.isRunning()).toBe(false);
    expect(errors).toEqual([]);

    // grammY confirmed everything it handled: its last getUpdates carried offset = last update_id + 1.
    const last = fake.callsOf('getUpdates').at(-1);
    expect(last?.payload).toMatchObject({ offset: late.update_id + 1, limit: 1 });
    expect(fake.pendingUpdates).toEqual([]);
    expect(fake.callsOf('deleteWebhook')).toHaveLength(1); // bot.start() drops any webhook first

    // The fake keeps working after grammY aborted its pending long poll.
    await bot.api.sendMessage(USER, 'still here');
  });

  it('confirms an update whose handler failed: grammY polling is at-most-once', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    bot.on('message:text', (ctx) => {
      seen.push(ctx.message.text);
      if (ctx.message.text === 'boom') throw new Error('handler failed');
    });
    bot.catch((error) => {
      errors.push(error.error);
    });
    const polling = bot.start();
    fake.pushUpdate(fake.textUpdate(USER, 'boom'));
    const next = fake.pushUpdate(fake.textUpdate(USER, 'next'));
    await vi.waitFor(() => expect(seen).toEqual(['boom', 'next']));
    await bot.stop();
    await polling;
    expect(errors).toHaveLength(1);
    expect(fake.callsOf('getUpdates').at(-1)?.payload.offset).toBe(next.update_id + 1);
    expect(fake.pendingUpdates).toEqual([]);
  });

  it('recovers from a 429 on getUpdates after retry_after', async () => {
    const seen: number[] = [];
    bot.on('message', (ctx) => {
      seen.push(ctx.update.update_id);
    });
    fake.failNext('getUpdates', { kind: 'rateLimit', retryAfter: 1 });
    const update = fake.pushUpdate(fake.textUpdate(USER, 'patience'));

    const started = performance.now();
    const polling = bot.start();
    await vi.waitFor(() => expect(seen).toEqual([update.update_id]), { timeout: 3000 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(fake.callsOf('getUpdates')[0]?.fault?.kind).toBe('rateLimit');
    await bot.stop();
    await polling;
  });

  it('long-polls: an empty getUpdates waits, and answers as soon as an update is pushed', async () => {
    const empty = performance.now();
    expect(await bot.api.getUpdates({ timeout: 0.3 })).toEqual([]);
    expect(performance.now() - empty).toBeGreaterThanOrEqual(250);

    const waiting = bot.api.getUpdates({ timeout: 10 });
    setTimeout(() => fake.pushUpdate(fake.textUpdate(USER, 'ping')), 100);
    const started = performance.now();
    const updates = await waiting;
    expect(updates.map((update) => update.message?.text)).toEqual(['ping']);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('honours offset, limit and the default allowed_updates like Telegram', async () => {
    const a = fake.pushUpdate(fake.textUpdate(USER, 'a'));
    const b = fake.pushUpdate(fake.textUpdate(USER, 'b'));
    fake.pushUpdate({
      chat_member: {
        chat: { id: -5001, type: 'group', title: 'g' },
        from: { id: 1, is_bot: false, first_name: 'A' },
        date: 0,
        old_chat_member: { status: 'left', user: { id: 2, is_bot: false, first_name: 'B' } },
        new_chat_member: { status: 'member', user: { id: 2, is_bot: false, first_name: 'B' } },
      },
    });

    expect((await bot.api.getUpdates({ limit: 1 })).map((u) => u.update_id)).toEqual([a.update_id]);
    // Not confirmed yet, so it comes again; chat_member is opt-in and never shows up.
    expect((await bot.api.getUpdates()).map((u) => u.update_id)).toEqual([a.update_id, b.update_id]);
    expect((await bot.api.getUpdates({ offset: b.update_id })).map((u) => u.update_id)).toEqual([
      b.update_id,
    ]);
    expect(await bot.api.getUpdates({ offset: b.update_id + 1 })).toEqual([]);
    expect(fake.pendingUpdates).toEqual([]);
  });

  it('ends a concurrent getUpdates with 409, as Telegram does with two bot instances', async () => {
    const older = bot.api.getUpdates({ timeout: 5 });
    await vi.waitFor(() => expect(fake.callsOf('getUpdates')).toHaveLength(1));
    const newer = bot.api.getUpdates({ timeout: 0 });

    const conflict = await grammyError(older);
    expect(conflict.error_code).toBe(409);
    expect(conflict.description).toMatch(/^Conflict: terminated by other getUpdates request/);
    expect(await newer).toEqual([]);
  });
});

describe('webhook', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const started = createServer(handler);
    server = started;
    await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(started.address() as AddressInfo).port}/telegram`;
  }

  it('records setWebhook, reports it, refuses getUpdates meanwhile and validates the secret', async () => {
    await bot.api.setWebhook('https://bot.example/telegram', { secret_token: 's3cret_token-1' });
    expect(fake.webhook).toEqual({ url: 'https://bot.example/telegram', secret_token: 's3cret_token-1' });
    expect(await bot.api.getWebhookInfo()).toMatchObject({
      url: 'https://bot.example/telegram',
      pending_update_count: 0,
    });

    const conflict = await grammyError(bot.api.getUpdates());
    expect(conflict.error_code).toBe(409);

    const badSecret = await grammyError(
      bot.api.setWebhook('https://bot.example/x', { secret_token: 'a+b/c=' }),
    );
    expect(badSecret.description).toBe('Bad Request: secret token contains unallowed characters');

    await bot.api.deleteWebhook();
    expect(fake.webhook).toBeUndefined();
    expect((await bot.api.getWebhookInfo()).url).toBe('');
  });

  it('delivers updates to a grammY webhook with the secret header, and runs webhook replies', async () => {
    const hooked = new Bot(fake.token, {
      client: { apiRoot: fake.apiRoot, canUseWebhookReply: (method) => method === 'sendMessage' },
    });
    hooked.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    await hooked.init();
    const url = await listen(webhookCallback(hooked, 'http', { secretToken: 'right-secret' }));

    await hooked.api.setWebhook(url, { secret_token: 'right-secret' });
    const delivered = await fake.deliverWebhook(fake.textUpdate(USER, 'hi'));
    expect(delivered.status).toBe(200);
    expect(fake.callsOf('sendMessage')).toEqual([
      expect.objectContaining({
        viaWebhookReply: true,
        ok: true,
        payload: expect.objectContaining({ text: 'echo: hi' }),
      }),
    ]);

    await hooked.api.setWebhook(url, { secret_token: 'wrong-secret' });
    const refused = await fake.deliverWebhook(fake.textUpdate(USER, 'hi'));
    expect(refused.status).toBe(401);
    expect(fake.sent()).toHaveLength(1);
  });
});
