import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { finishErasedContacts } from '../../storage/erasure.ts';
import { markMessageSent } from '../../storage/messages.ts';
import { ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger, TUESDAY_10AM } from '../support/fixtures.ts';
import { RecordingScheduler } from '../support/recording-scheduler.ts';

const NOW = TUESDAY_10AM;
const MINUTE_MS = 60_000;

describe.each(ENGINES)('the erased contact row on $name', (engine) => {
  let t: TestDatabase;
  let runtime: Runtime;
  const erasures: Array<{ appealIds: number[]; staffPosts: number }> = [];

  beforeAll(async () => {
    t = await engine.create();
    runtime = new Runtime({
      db: t.db,
      center: await loadBelovo(),
      translator: new Translator(),
      scheduler: new RecordingScheduler(),
      logger: silentLogger,
      clock: () => NOW,
    });
    runtime.onDataErased((erasure) => erasures.push(erasure));
  });
  afterAll(async () => {
    await t.drop();
  });

  const rowsOf = (externalId: string) =>
    t.db.selectFrom('contacts').select(['id', 'erased_at']).where('external_id', '=', externalId).execute();

  it('keeps the chat id until the goodbye is delivered, then removes the row', async () => {
    const chat = new ChatDriver(runtime, '700100', 'telegram');
    await chat.start();
    await chat.tap('Удалить мои данные');
    expect(chat.text).toContain('Записей на приём, подписок и открытых обращений у Вас нет');
    await chat.tap('Да, удалить');
    expect(erasures.at(-1)).toEqual({ appealIds: [], staffPosts: 0 });
    const [row] = await rowsOf('700100');
    expect(row?.erased_at).not.toBeNull();
    // The goodbye is still pending: the row stays (within the grace period).
    expect(await finishErasedContacts(t.db, new Date(NOW.getTime() + MINUTE_MS))).toBe(0);
    const pending = await t.db
      .selectFrom('messages')
      .select('id')
      .where('contact_id', '=', row?.id ?? 0)
      .execute();
    expect(pending).toHaveLength(1);
    for (const { id } of pending) await markMessageSent(t.db, id, 1, NOW);
    expect(await finishErasedContacts(t.db, new Date(NOW.getTime() + MINUTE_MS))).toBe(1);
    expect(await rowsOf('700100')).toEqual([]);
  });

  it('starts afresh, as a new contact, when the person writes before the row is gone', async () => {
    const chat = new ChatDriver(runtime, '700200', 'telegram');
    await chat.start();
    await chat.tap('Удалить мои данные');
    await chat.tap('Да, удалить');
    const [erased] = await rowsOf('700200');
    await chat.start();
    const rows = await rowsOf('700200');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).not.toBe(erased?.id);
    expect(rows[0]?.erased_at).toBeNull();
    expect(chat.text).toContain('Здравствуйте');
  });
});
