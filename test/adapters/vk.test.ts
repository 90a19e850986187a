import { afterEach, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../bot/app.ts';
import { loadEnv } from '../../config/env.ts';
import { pendingOutboundCount } from '../support/delivery.ts';
import { FakeVk, type VkEvent } from '../support/fake-vk.ts';
import { silentLogger } from '../support/fixtures.ts';
import { waitFor } from '../support/redis.ts';

const SECRET = 'vk-callback-secret';
const CONFIRMATION = 'a1b2c3d4';

type Harness = {
  fake: FakeVk;
  service: Service;
  transport: (event: VkEvent) => Promise<{ status: number; body: string }>;
};
const open: Harness[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.service.close();
    await h.fake.close();
  }
});

/** The real service with real vk-io against the fake VK API (and its Long Poll server). */
async function start(mode: 'longpoll' | 'callback'): Promise<Harness> {
  const fake = await FakeVk.start();
  const env = loadEnv({
    DATA_DIR: ':memory:',
    LOG_LEVEL: 'silent',
    VK_GROUP_TOKEN: fake.token,
    VK_GROUP_ID: String(fake.groupId),
    VK_API_BASE_URL: fake.apiBaseUrl,
    VK_MODE: mode,
    VK_CALLBACK_SECRET: SECRET,
    VK_CONFIRMATION_CODE: CONFIRMATION,
  });
  const service = await createService(env, silentLogger);
  const callback = async (event: object) => {
    const response = await service.app.inject({ method: 'POST', url: '/vk/callback', payload: event });
    return { status: response.statusCode, body: response.body };
  };
  const transport =
    mode === 'longpoll'
      ? async (event: VkEvent) => {
          fake.pushEvent(event);
          return { status: 200, body: 'ok' };
        }
      : (event: VkEvent) => callback({ ...event, secret: SECRET });
  const harness = { fake, service, transport };
  open.push(harness);
  return harness;
}

class Parent {
  constructor(
    private readonly h: Harness,
    readonly peerId: number,
  ) {}

  sent() {
    return this.h.fake.sent().filter((p) => String(p.peer_id) === String(this.peerId));
  }

  get lastText(): string {
    return this.sent().at(-1)?.message ?? '';
  }

  texts(from: number): string {
    return this.sent()
      .slice(from)
      .map((p) => p.message)
      .join('\n---\n');
  }

  pending(): Promise<number> {
    return pendingOutboundCount(this.h.service.db, 'vk', String(this.peerId));
  }

  async send(event: VkEvent): Promise<void> {
    const before = this.sent().length;
    const { status, body } = await this.h.transport(event);
    expect([status, body]).toEqual([200, 'ok']);
    await waitFor(async () => this.sent().length > before && (await this.pending()) === 0, 10_000, 20);
  }

  say(text: string) {
    return this.send(this.h.fake.messageNew(this.peerId, text));
  }

  /** Taps a button shown on the latest keyboard: a callback button sends message_event, a text one a message. */
  tap(label: string) {
    const withKeyboard = [...this.sent()].reverse().find((p) => p.keyboard);
    const button = withKeyboard?.keyboard.buttons
      .flat()
      .find((b: { action: { label: string } }) => b.action.label.includes(label));
    expect(button, `button "${label}"`).toBeDefined();
    const payload = JSON.parse(button.action.payload);
    return this.send(
      button.action.type === 'callback'
        ? this.h.fake.messageEvent(this.peerId, payload)
        : this.h.fake.messageNew(this.peerId, button.action.label, { payload }),
    );
  }
}

async function walkIntake(parent: Parent): Promise<void> {
  await parent.say('Начать');
  expect(parent.lastText).toContain('Здравствуйте');
  await parent.tap('Оставить обращение');
  await parent.tap('Пропустить'); // the story («чем я могу помочь?»)
  await parent.tap('Согласен');
  await parent.say('Петрова Анна Сергеевна');
  await parent.say('мкр 8 Марта, ул. Боевая, 40');
  await parent.tap('Официально в браке');
  await parent.tap('2');
  await parent.say('12.12.1990');
  await parent.say('123'); // a bad phone: re-asked politely
  expect(parent.lastText).toContain('Не получилось распознать номер');
  await parent.say('8-923-555-44-33');
  await parent.tap('юриста');
  await parent.say('Вопрос по алиментам');
  await parent.tap('По телефону');
  await parent.tap('Перезвоните мне');
  expect(parent.lastText).toContain('Телефон: +79235554433');
  await parent.tap('Всё верно');
  expect(parent.texts(-2)).toMatch(/обращение № \d{4}-\d{5} принято/);
}

describe.each(['longpoll', 'callback'] as const)('VK channel (%s)', (mode) => {
  it('takes a parent through the whole intake', async () => {
    const h = await start(mode);
    const parent = new Parent(h, 3001);
    await walkIntake(parent);
    const appeal = await h.service.db.selectFrom('appeals').selectAll().executeTakeFirstOrThrow();
    expect(appeal).toMatchObject({
      channel: 'vk',
      full_name: 'Петрова Анна Сергеевна',
      phone: '+79235554433',
      minor_children: 2,
    });
    // Every callback button's spinner was stopped; keyboards stayed within VK's limits (the fake enforces them).
    expect(h.fake.callsOf('messages.sendMessageEventAnswer').length).toBeGreaterThanOrEqual(7);
    expect(h.fake.callsOf('messages.send').every((call) => call.ok)).toBe(true);
    // Nothing is left in the inbound table: events are deleted once processed.
    expect(await h.service.db.selectFrom('inbound_events').selectAll().execute()).toEqual([]);
  });

  it('answers a photo politely', async () => {
    const h = await start(mode);
    const parent = new Parent(h, 3002);
    await parent.say('Начать');
    await parent.send(h.fake.messagePhoto(3002));
    expect(parent.lastText).toContain('только текст и кнопки');
  });
});

describe('VK: questions in the family’s own words (issue 11)', () => {
  it('answers from the navigator, and passes a question it cannot answer to a dispatcher', async () => {
    const h = await start('callback');
    const parent = new Parent(h, 3051);
    await parent.say('консультация у вас платная?');
    expect(parent.lastText).toContain('бесплатные');
    expect(parent.lastText).not.toContain('не совсем поняла');
    await parent.say('у соседей собака лает по ночам куда жаловаться');
    await parent.tap('Передать вопрос диспетчеру');
    expect(parent.lastText).toContain('Чтобы передать Ваш вопрос диспетчеру');
    await parent.tap('Согласен');
    expect(parent.texts(-2)).toMatch(/Ваш вопрос № \d{4}-\d{5} передан диспетчеру/);
    const question = await h.service.db.selectFrom('appeals').selectAll().executeTakeFirstOrThrow();
    expect(question).toMatchObject({
      channel: 'vk',
      is_question: true,
      full_name: null,
      need_text: 'у соседей собака лает по ночам куда жаловаться',
    });
    expect(question.unread_at).not.toBeNull();
  });
});

describe('VK Callback API', () => {
  it('answers the confirmation code', async () => {
    const h = await start('callback');
    const response = await h.service.app.inject({
      method: 'POST',
      url: '/vk/callback',
      payload: h.fake.confirmationEvent(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(CONFIRMATION);
  });

  it.each([
    ['no secret', undefined],
    ['a wrong secret', 'nope'],
  ])('rejects an event with %s and never processes it', async (_name, secret) => {
    const h = await start('callback');
    const event = h.fake.messageNew(3101, 'Начать');
    const response = await h.service.app.inject({
      method: 'POST',
      url: '/vk/callback',
      payload: { ...event, ...(secret ? { secret } : {}) },
    });
    expect(response.statusCode).toBe(403);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.callsOf('messages.send')).toHaveLength(0);
    expect(await h.service.db.selectFrom('inbound_events').selectAll().execute()).toEqual([]);
  });

  it('rejects another group and malformed bodies', async () => {
    const h = await start('callback');
    const other = await h.service.app.inject({
      method: 'POST',
      url: '/vk/callback',
      payload: { ...h.fake.messageNew(1, 'x'), group_id: 1, secret: SECRET },
    });
    expect(other.statusCode).toBe(403);
    const junk = await h.service.app.inject({ method: 'POST', url: '/vk/callback', payload: { hello: 1 } });
    expect(junk.statusCode).toBe(400);
  });

  it('processes a replayed event once', async () => {
    const h = await start('callback');
    const parent = new Parent(h, 3102);
    const event = h.fake.messageNew(3102, 'Начать');
    await parent.send(event);
    const count = parent.sent().length;
    expect(await h.transport(event)).toEqual({ status: 200, body: 'ok' });
    await new Promise((r) => setTimeout(r, 300));
    expect(parent.sent()).toHaveLength(count);
  });

  it('loses nothing when the process dies after answering ok: the stored event is processed at start', async () => {
    const h = await start('callback');
    // Simulate a crash between "ok" and processing: the event is in the table, nothing was answered.
    const event = h.fake.messageNew(3103, 'Начать');
    await h.service.db
      .insertInto('inbound_events')
      .values({ channel: 'vk', event_id: event.event_id, payload: JSON.stringify(event) })
      .execute();
    await h.service.vk?.sweep();
    await waitFor(async () => h.fake.sent().some((p) => String(p.peer_id) === '3103'));
    expect(await h.service.db.selectFrom('inbound_events').selectAll().execute()).toEqual([]);
  });
});

describe('VK delivery safety', () => {
  it('uses a deterministic random_id, so a retry after a lost answer is not a second message', async () => {
    const h = await start('callback');
    const parent = new Parent(h, 3201);
    // VK answers "internal error" once: the retry carries the same random_id.
    h.fake.failNext('messages.send', { kind: 'error', code: 10, message: 'Internal server error' });
    await parent.say('Начать');
    const attempts = h.fake.callsOf('messages.send').filter((c) => String(c.params.peer_id) === '3201');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.params.random_id).toBe(attempts[1]?.params.random_id);
    expect(parent.sent()).toHaveLength(1);
    // Replaying the delivery of an already-sent row is suppressed by VK itself.
    const contact = await h.service.db
      .selectFrom('contacts')
      .selectAll()
      .where('external_id', '=', '3201')
      .executeTakeFirstOrThrow();
    await h.service.db
      .updateTable('messages')
      .set({ status: 'pending', parts_sent: 0 })
      .where('contact_id', '=', contact.id)
      .where('direction', '=', 'out')
      .execute();
    await h.service.delivery.deliver(contact.id);
    expect(h.fake.duplicatesSuppressed).toBe(1);
    expect(parent.sent()).toHaveLength(1);
  });

  it('retries flood control (error 9) and delivers once', async () => {
    const h = await start('callback');
    const parent = new Parent(h, 3202);
    h.fake.failNext('messages.send', { kind: 'error', code: 9, message: 'Flood control' });
    await parent.say('Начать');
    expect(parent.sent()).toHaveLength(1);
    expect(h.fake.callsOf('messages.send')).toHaveLength(2);
  });

  it('marks a contact inactive on error 901 and active again on message_allow', async () => {
    const h = await start('callback');
    const parent = new Parent(h, 3203);
    await parent.say('Начать');
    h.fake.denyMessages(3203);
    await h.transport(h.fake.messageNew(3203, 'контакты'));
    await waitFor(async () => (await parent.pending()) === 0);
    const contact = () =>
      h.service.db
        .selectFrom('contacts')
        .selectAll()
        .where('external_id', '=', '3203')
        .executeTakeFirstOrThrow();
    expect((await contact()).active).toBe(false);
    const failed = await h.service.db
      .selectFrom('messages')
      .select('error')
      .where('status', '=', 'failed')
      .execute();
    expect(failed[0]?.error).toMatch(/^901/);
    // message_deny / message_allow events flip the flag without a message.
    h.fake.allowMessages(3203);
    await h.transport(h.fake.messageAllow(3203));
    await waitFor(async () => (await contact()).active);
    await h.transport(h.fake.messageDeny(3203));
    await waitFor(async () => !(await contact()).active);
  });
});

describe('VK crisis message', () => {
  it('keeps the description, moves on, and writes every helpline in the form VK links (+7 …)', async () => {
    const h = await start('callback');
    const parent = new Parent(h, 3301);
    await parent.say('Начать');
    await parent.tap('Оставить обращение');
    await parent.tap('Пропустить');
    await parent.tap('Согласен');
    await parent.say('Петрова Анна Сергеевна');
    await parent.say('мкр 8 Марта, ул. Боевая, 40');
    await parent.tap('Официально в браке');
    await parent.tap('2');
    await parent.say('12.12.1990');
    await parent.say('8-923-555-44-33');
    await parent.tap('психолог');
    const before = parent.sent().length;
    await parent.say('мне страшно, сожитель бьёт меня и ребёнка');
    const replies = parent.texts(before);
    expect(replies).toContain('112');
    expect(replies).toContain('+7 800 2000-122');
    expect(replies).toContain('+7 800 7000-600');
    expect(replies).toContain('+7 (38452) 3-06-56');
    expect(replies).not.toMatch(/8-800/);
    for (const payload of parent.sent().slice(before))
      expect(payload.message.length).toBeLessThanOrEqual(4096);
    // No loop: the next question (format), not the description question again.
    expect(parent.lastText).toContain('по телефону или личный приём');
    await parent.tap('По телефону');
    await parent.tap('Перезвоните мне');
    expect(parent.lastText).toContain('Описание: мне страшно, сожитель бьёт меня и ребёнка');
    await parent.tap('Всё верно');
    const appeal = await h.service.db.selectFrom('appeals').selectAll().executeTakeFirstOrThrow();
    expect(appeal).toMatchObject({ urgent: true, need_text: 'мне страшно, сожитель бьёт меня и ребёнка' });
    expect(await h.service.db.selectFrom('urgent_alerts').select('id').execute()).toHaveLength(1);
  }, 60_000); // a long walk through the real vk-io: slower on a shared machine
});
