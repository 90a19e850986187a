import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime, type UrgentAlert } from '../../bot/runtime.ts';
import { staffCard } from '../../bot/staff-card.ts';
import type { CenterProfile } from '../../config/center.ts';
import { inboxAppeals } from '../../storage/inbox.ts';
import { ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, TUESDAY_10AM } from '../support/fixtures.ts';
import { RecordingScheduler } from '../support/recording-scheduler.ts';

/**
 * Issue 11 §4 through the runtime: a crisis text typed as the description is stored as the appeal's
 * description, the appeal is urgent (on the staff card, first in the inbox list), the intake does not loop,
 * the dispatchers are alerted once, and the text never reaches the log.
 */

const translator = new Translator();
let center: CenterProfile;
beforeAll(async () => {
  center = await loadBelovo();
});

const CRISIS = 'Муж избивает детей, мне страшно возвращаться домой';

function makeRuntime(t: TestDatabase, lines: string[]) {
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  const runtime = new Runtime({
    db: t.db,
    center,
    translator,
    scheduler: new RecordingScheduler(),
    logger,
    clock: () => TUESDAY_10AM,
  });
  const alerts: UrgentAlert[] = [];
  runtime.onUrgent((alert) => alerts.push(alert));
  return { runtime, alerts };
}

/** Up to the description question (consent given), with a psychologist as the purpose. */
async function toDescription(chat: ChatDriver) {
  await chat.start();
  await chat.tap('Оставить обращение');
  await chat.tap('Пропустить'); // «Чем я могу Вам помочь?» — the words come at the description here
  await chat.tap('Согласен');
  await chat.say('Сидорова Ольга Ивановна');
  await chat.say('пгт Грамотеино, ул. Светлая, 6, кв. 1');
  await chat.tap('Не в браке');
  await chat.tap('2');
  await chat.say('05.03.1988');
  await chat.say('8 913 123-45-67');
  await chat.tap('психолог');
  expect(chat.text).toContain('опишите');
}

describe.each(ENGINES)('crisis handling on $name', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('keeps the description, marks the appeal urgent on its card and first in the list, alerts once', async () => {
    const lines: string[] = [];
    const { runtime, alerts } = makeRuntime(t, lines);
    const chat = new ChatDriver(runtime);
    await toDescription(chat);
    const result = await chat.say(CRISIS);
    expect(result.status).toBe('processed');
    // Help with the three helplines, then who and when, then the NEXT question (no loop).
    expect(chat.lastReplies).toHaveLength(2);
    const [help, next] = chat.lastReplies.map((reply) => reply.text);
    for (const number of ['112', '+7 800 2000-122', '+7 800 7000-600', center.phone]) {
      expect(help).toContain(number);
    }
    expect(next).toContain('Я записала Ваши слова в обращение и отметила его как срочное');
    expect(next).toContain('Диспетчер свяжется с Вами как можно скорее');
    expect(next).toContain('по телефону или личный приём');
    expect(next).not.toContain('опишите');

    await chat.tap('По телефону');
    await chat.tap('Перезвоните мне');
    expect(chat.text).toContain(`Описание: ${CRISIS}`);
    await chat.tap('Всё верно');
    expect(chat.text).toMatch(/Ваше обращение № 2026-\d{5} принято/);

    const contactId = result.status === 'processed' ? result.contactId : -1;
    expect(alerts).toEqual([{ id: expect.any(Number), contactId, channel: 'web', signal: 'violence' }]);
    const stored = await t.db
      .selectFrom('urgent_alerts')
      .selectAll()
      .where('contact_id', '=', contactId)
      .execute();
    expect(stored).toHaveLength(1);

    const appeal = await t.db
      .selectFrom('appeals')
      .selectAll()
      .where('contact_id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(appeal).toMatchObject({ need_text: CRISIS, urgent: true, purpose: 'psychologist' });
    expect(appeal.urgent_at?.toISOString()).toBe(TUESDAY_10AM.toISOString());

    const card = translator.render('ru', staffCard(appeal, center, TUESDAY_10AM)).text;
    expect(card).toContain('🚨 СРОЧНО.');
    expect(card).toContain(`Описание: ${CRISIS}`);
    expect(card).not.toContain('Описание: —');

    // An ordinary appeal from another family afterwards: newer, yet listed after the urgent one.
    const other = new ChatDriver(runtime);
    await toDescription(other);
    await other.say('Нужна консультация по алиментам');
    await other.tap('По телефону');
    await other.tap('Перезвоните мне');
    await other.tap('Всё верно');
    const list = await inboxAppeals(t.db, { status: 'all', overdue: false, now: TUESDAY_10AM, limit: 50 });
    const ids = list.map((row) => row.id);
    const newer = list.find((row) => !row.urgent && row.id > appeal.id);
    expect(newer).toBeDefined();
    expect(ids.indexOf(appeal.id)).toBeLessThan(ids.indexOf(newer?.id ?? -1));
    expect(list[0]?.urgent).toBe(true);

    // The text is stored where it belongs (the appeal, the transcript), never in the log.
    expect(lines.join('\n')).not.toMatch(/избивает|страшно/);
  });

  it('a crisis story before consent: help, no text stored, on to the consent; the appeal is urgent', async () => {
    const lines: string[] = [];
    const { runtime, alerts } = makeRuntime(t, lines);
    const chat = new ChatDriver(runtime);
    await chat.start();
    await chat.tap('Оставить обращение');
    const result = await chat.say(CRISIS);
    expect(chat.lastReplies).toHaveLength(2);
    expect(chat.lastReplies[0]?.text).toContain('+7 800 7000-600');
    expect(chat.lastReplies[1]?.text).toContain('Я передала диспетчерам центра срочный сигнал.');
    expect(chat.lastReplies[1]?.text).toContain('согласие на обработку персональных данных');
    expect(alerts).toHaveLength(1);
    const contactId = result.status === 'processed' ? result.contactId : -1;
    const stored = JSON.stringify(
      await Promise.all([
        t.db.selectFrom('conversations').selectAll().where('contact_id', '=', contactId).execute(),
        t.db
          .selectFrom('messages')
          .selectAll()
          .where('contact_id', '=', contactId)
          .where('direction', '=', 'in')
          .execute(),
      ]),
    );
    expect(stored).not.toMatch(/избивает|страшно/);

    // After consent the description is asked (the words could not be kept before); typed again, it is kept.
    await chat.tap('Согласен');
    await chat.say('Сидорова Ольга Ивановна');
    await chat.say('пгт Грамотеино, ул. Светлая, 6, кв. 1');
    await chat.tap('Не в браке');
    await chat.tap('2');
    await chat.say('05.03.1988');
    await chat.say('8 913 123-45-67');
    await chat.tap('психолог');
    await chat.say(CRISIS);
    await chat.tap('По телефону');
    await chat.tap('Перезвоните мне');
    await chat.tap('Всё верно');
    const appeal = await t.db
      .selectFrom('appeals')
      .selectAll()
      .where('contact_id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(appeal).toMatchObject({ urgent: true, need_text: CRISIS });
    expect(alerts).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/избивает|страшно/);
  });

  it('a crisis signal from a family with an open appeal makes that appeal urgent', async () => {
    const lines: string[] = [];
    const { runtime, alerts } = makeRuntime(t, lines);
    const chat = new ChatDriver(runtime);
    await toDescription(chat);
    await chat.say('Нужна консультация по алиментам');
    await chat.tap('По телефону');
    await chat.tap('Перезвоните мне');
    await chat.tap('Всё верно');
    const before = await t.db
      .selectFrom('appeals')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(before.urgent).toBe(false);

    // In the menu now: help, who and when, and the menu again — the text is not kept anywhere but the transcript.
    await chat.say('я не хочу больше жить');
    expect(chat.lastReplies).toHaveLength(2);
    expect(chat.lastReplies[1]?.text).toContain('Я передала диспетчерам центра срочный сигнал.');
    expect(chat.lastReplies[1]?.buttons?.length).toBeGreaterThan(0);
    expect(alerts).toHaveLength(1);

    const after = await t.db
      .selectFrom('appeals')
      .selectAll()
      .where('id', '=', before.id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ urgent: true, need_text: 'Нужна консультация по алиментам' });
    // Marking urgent does not reshuffle "the appeal a dispatcher holds" (ordered by updated_at).
    expect(after.updated_at.getTime()).toBe(before.updated_at.getTime());
    expect(translator.render('ru', staffCard(after, center, TUESDAY_10AM)).text).toContain('🚨 СРОЧНО.');
    expect(lines.join('\n')).not.toContain('не хочу больше жить');

    // A closed appeal is not marked again by a later signal.
    await t.db
      .updateTable('appeals')
      .set({ status: 'closed', urgent: false })
      .where('id', '=', before.id)
      .execute();
    await chat.say('муж бьёт меня');
    const closed = await t.db
      .selectFrom('appeals')
      .select('urgent')
      .where('id', '=', before.id)
      .executeTakeFirstOrThrow();
    expect(closed.urgent).toBe(false);
    expect(alerts).toHaveLength(2);
  });
});
