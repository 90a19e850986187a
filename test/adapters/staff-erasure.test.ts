import { Api } from 'grammy';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StaffEraser } from '../../adapters/telegram/staff-erasure.ts';
import { Translator } from '../../bot/i18n.ts';
import { recordStaffPost } from '../../storage/dispatch.ts';
import { eraseContactData } from '../../storage/erasure.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { familyWithAppeal } from '../support/families.ts';
import { silentLogger } from '../support/fixtures.ts';

const FORUM = -100500;
const GROUP = -100600;
const HOUR_MS = 3600_000;
const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('the staff chat forgets a family that deleted its data', () => {
  let t: TestDatabase;
  let fake: FakeTelegram;
  let api: Api;
  let families = 0;
  let now = new Date();
  const eraser = (chatId: number) =>
    new StaffEraser({
      db: t.db,
      api,
      chatId: String(chatId),
      translator: new Translator(),
      logger: silentLogger,
      clock: () => now,
    });

  beforeAll(async () => {
    t = await engine.create();
    fake = await FakeTelegram.start();
    fake.setChat({ id: FORUM, type: 'supergroup', is_forum: true, title: 'Диспетчеры' });
    fake.setChat({ id: GROUP, type: 'supergroup', title: 'Диспетчеры без тем' });
    api = new Api(fake.token, { apiRoot: fake.apiRoot });
  });
  afterAll(async () => {
    await fake.close();
    await t.drop();
  });
  beforeEach(() => {
    // Real time here: the fake Telegram judges the 48-hour limit by its own clock.
    now = new Date();
  });

  /** A family's appeal with posts in the staff chat (a card with buttons and a family message), then deleted. */
  async function postedThenErased(chatId: number, options: { topic?: boolean } = {}) {
    const family = await familyWithAppeal(t.db, `erase-${++families}`, now);
    const topic = options.topic ? await api.createForumTopic(chatId, `№ ${family.number}`) : undefined;
    const place = topic ? { message_thread_id: topic.message_thread_id } : {};
    const card = await api.sendMessage(chatId, 'Иванова Мария Петровна, +79131234567', {
      ...place,
      reply_markup: { inline_keyboard: [[{ text: 'Взять', callback_data: 'take:1' }]] },
    });
    const said = await api.sendMessage(chatId, 'Семья пишет: помогите с долгами', place);
    for (const post of [card, said])
      await recordStaffPost(t.db, String(chatId), post.message_id, family.appealId);
    if (topic) {
      await t.db
        .updateTable('appeals')
        .set({ staff_topic_id: String(topic.message_thread_id), staff_message_id: String(card.message_id) })
        .where('id', '=', family.appealId)
        .execute();
    }
    await t.db
      .transaction()
      .execute((tx) => eraseContactData(tx, { id: family.contactId, channel: 'web' }, now));
    return { card: card.message_id, said: said.message_id, topic: topic?.message_thread_id };
  }

  const inChat = (chatId: number, messageId: number) =>
    fake.botMessages().find((message) => message.chat.id === chatId && message.message_id === messageId);
  const pending = () => t.db.selectFrom('staff_erasures').selectAll().where('done_at', 'is', null).execute();

  it('deletes the appeal’s forum topic with everything in it', async () => {
    const posts = await postedThenErased(FORUM, { topic: true });
    expect(inChat(FORUM, posts.card)).toBeDefined();
    expect(await eraser(FORUM).run()).toBe(3);
    expect(fake.callsOf('deleteForumTopic').map((call) => call.payload.message_thread_id)).toEqual([
      posts.topic,
    ]);
    expect(inChat(FORUM, posts.card)).toBeUndefined();
    expect(inChat(FORUM, posts.said)).toBeUndefined();
    expect(await pending()).toEqual([]);
  });

  it('deletes posts outside topics, and edits those older than 48 hours (bots cannot delete them)', async () => {
    const posts = await postedThenErased(GROUP);
    fake.ageMessage(GROUP, posts.card, 49 * 3600);
    await eraser(GROUP).run();
    expect(inChat(GROUP, posts.said)).toBeUndefined();
    const card = inChat(GROUP, posts.card);
    expect(card?.text).toBe('Данные удалены по просьбе семьи.');
    expect(card?.reply_markup).toBeUndefined();
    expect(await pending()).toEqual([]);
    const outcomes = await t.db
      .selectFrom('staff_erasures')
      .select('outcome')
      .where('chat_id', '=', String(GROUP))
      .execute();
    expect(outcomes.map((row) => row.outcome).sort()).toEqual(['deleted', 'edited']);
  });

  it('edits without trying to delete what its own ledger says is older than 48 hours', async () => {
    const posts = await postedThenErased(GROUP);
    fake.clear();
    now = new Date(Date.now() + 49 * HOUR_MS);
    await eraser(GROUP).run();
    expect(fake.callsOf('deleteMessage')).toEqual([]);
    expect(inChat(GROUP, posts.said)?.text).toBe('Данные удалены по просьбе семьи.');
  });

  it('keeps a failed deletion in the database and retries it later, until it is done', async () => {
    const posts = await postedThenErased(GROUP);
    fake.failNext('deleteMessage', { kind: 'serverError' }, 2);
    await eraser(GROUP).run();
    const waiting = await pending();
    expect(waiting).toHaveLength(2);
    expect(waiting.every((row) => row.attempts === 1 && row.next_attempt_at > now)).toBe(true);
    expect(inChat(GROUP, posts.card)).toBeDefined();
    // Not due yet: nothing is tried.
    expect(await eraser(GROUP).run()).toBe(0);
    now = new Date(now.getTime() + 2 * 60_000);
    expect(await eraser(GROUP).run()).toBe(2);
    expect(inChat(GROUP, posts.card)).toBeUndefined();
    expect(await pending()).toEqual([]);
  });

  it('treats a post someone already removed as done', async () => {
    const posts = await postedThenErased(GROUP);
    await api.deleteMessage(GROUP, posts.card);
    await eraser(GROUP).run();
    expect(await pending()).toEqual([]);
  });
});
