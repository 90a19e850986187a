import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { APPEALS_PER_DAY, Runtime } from '../../bot/runtime.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { answerIntakeUpToSummary, ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';

/** Issue 12 §2: one chat submitting appeal after appeal used to post a card to the staff chat for each. */
const engine = ENGINES[0];
if (!engine) throw new Error('no engine');
const NOW = new Date('2031-03-11T03:00:00Z');

describe('appeals per contact per day', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  async function submitAppeal(chat: ChatDriver): Promise<string> {
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    if (chat.text.includes('согласие')) await chat.tap('Согласен');
    // A returning family is shown its stored card; this walk types it again.
    if (chat.text.includes('Всё ещё верно?')) await chat.tap('Нет, изменилось');
    await answerIntakeUpToSummary(chat);
    await chat.tap('Всё верно');
    return chat.text;
  }

  it('takes three a day, then tells the family politely and gives the phone; the next day takes more', async () => {
    let now = NOW;
    const runtime = new Runtime({
      db: t.db,
      center: await loadBelovo(),
      translator: new Translator(),
      scheduler: noScheduler,
      logger: silentLogger,
      clock: () => now,
    });
    const cards: number[] = [];
    runtime.onAppealRegistered((id) => cards.push(id));
    const chat = new ChatDriver(runtime);
    await chat.start();
    for (let i = 0; i < APPEALS_PER_DAY; i++) expect(await submitAppeal(chat)).toContain('принято');
    const refused = await submitAppeal(chat);
    expect(refused).not.toContain('принято');
    expect(refused).toContain('уже отправлено 3 обращения');
    expect(refused).toContain('3-06-56');
    expect(cards).toHaveLength(3);
    expect(await t.db.selectFrom('appeals').select('id').execute()).toHaveLength(3);
    // The menu is offered again, and a day later the chat may write again.
    now = new Date(NOW.getTime() + 25 * 3600_000);
    expect(await submitAppeal(chat)).toContain('принято');
    expect(cards).toHaveLength(4);
  }, 60_000);
});
