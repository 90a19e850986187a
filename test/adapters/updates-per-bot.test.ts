import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramChannel } from '../../adapters/telegram/channel.ts';
import { VkChannel } from '../../adapters/vk/channel.ts';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import type { CenterProfile } from '../../config/center.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';

/**
 * Telegram numbers updates per bot: a center that re-creates its bot (new token, same database) gets update
 * ids starting afresh. They must not be taken for redeliveries of the old bot's updates.
 */
describe.each(ENGINES)('processed updates are keyed by the receiving bot ($name)', (engine) => {
  let t: TestDatabase;
  let center: CenterProfile;
  let runtime: Runtime;
  const translator = new Translator();
  const fakes: FakeTelegram[] = [];

  beforeAll(async () => {
    t = await engine.create();
    center = await loadBelovo();
    runtime = new Runtime({ db: t.db, center, translator, scheduler: noScheduler, logger: silentLogger });
  });
  afterAll(async () => {
    for (const fake of fakes) await fake.close();
    await t.drop();
  });

  async function telegramBot(token: string) {
    const fake = await FakeTelegram.start({ token });
    fakes.push(fake);
    const channel = new TelegramChannel({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: 'webhook',
      runtime,
      db: t.db,
      center,
      translator,
      logger: silentLogger,
    });
    await channel.bot.init(); // getMe: the bot's identity
    return { fake, channel };
  }

  it('Telegram: a re-created bot (new getMe id) has its first update processed; redeliveries are dropped', async () => {
    const old = await telegramBot('1111111:old-token');
    const first = old.fake.commandUpdate(7001, '/start');
    expect((await old.channel.handleUpdate(first))?.status).toBe('processed');
    expect((await old.channel.handleUpdate(first))?.status).toBe('duplicate');

    const renewed = await telegramBot('2222222:new-token');
    expect(renewed.channel.bot.botInfo.id).toBe(2222222);
    const firstOfNew = renewed.fake.commandUpdate(7002, '/start');
    expect(firstOfNew.update_id).toBe(first.update_id); // the new bot counts from the start again
    expect((await renewed.channel.handleUpdate(firstOfNew))?.status).toBe('processed');
    // The same bot redelivering its update: still once.
    expect((await renewed.channel.handleUpdate(firstOfNew))?.status).toBe('duplicate');

    const claimed = await t.db
      .selectFrom('processed_updates')
      .select(['bot', 'update_id'])
      .where('channel', '=', 'telegram')
      .orderBy('bot')
      .execute();
    expect(claimed).toEqual([
      { bot: '1111111', update_id: String(first.update_id) },
      { bot: '2222222', update_id: String(first.update_id) },
    ]);
  });

  it('VK: the same event id in two communities is two events; a re-sent one is dropped', async () => {
    const vk = (groupId: number) =>
      new VkChannel({
        token: 'vk-token',
        groupId,
        apiBaseUrl: 'http://127.0.0.1:9/method',
        mode: 'callback',
        runtime,
        db: t.db,
        logger: silentLogger,
      });
    const event = {
      type: 'message_new',
      group_id: 1,
      object: { message: { peer_id: 8001, from_id: 8001, conversation_message_id: 1, text: 'Начать' } },
    };
    const first = vk(101);
    expect((await first.handleEvent({ ...event, group_id: 101 }))?.status).toBe('processed');
    expect((await first.handleEvent({ ...event, group_id: 101 }))?.status).toBe('duplicate');
    const second = vk(202);
    expect((await second.handleEvent({ ...event, group_id: 202 }))?.status).toBe('processed');
    expect((await second.handleEvent({ ...event, group_id: 202 }))?.status).toBe('duplicate');
  });
});
