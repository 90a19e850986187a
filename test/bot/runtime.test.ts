import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime, type UrgentAlert } from '../../bot/runtime.ts';
import type { CenterProfile } from '../../config/center.ts';
import type { JobScheduler } from '../../scheduler/scheduler.ts';
import { type Db, migrateToLatest, openDatabase } from '../../storage/db.ts';
import { answerIntakeUpToSummary, ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger, TUESDAY_10AM } from '../support/fixtures.ts';
import { RecordingScheduler } from '../support/recording-scheduler.ts';

const translator = new Translator();
let center: CenterProfile;
beforeAll(async () => {
  center = await loadBelovo();
});

function makeRuntime(db: Db, scheduler: JobScheduler = new RecordingScheduler(), clock = () => TUESDAY_10AM) {
  return new Runtime({ db, center, translator, scheduler, logger: silentLogger, clock });
}

describe.each(ENGINES)('runtime on $name', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('runs the whole intake: consent recorded first, appeal stored, deadline scheduled', async () => {
    const scheduler = new RecordingScheduler();
    const chat = new ChatDriver(makeRuntime(t.db, scheduler));
    await chat.start();
    expect(chat.text).toContain('Здравствуйте');
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    expect(chat.text).toContain('согласие на обработку персональных данных');
    await chat.tap('Согласен');
    expect(chat.text).toContain('фамилию, имя и отчество');
    await answerIntakeUpToSummary(chat);
    expect(chat.text).toContain('ФИО: Иванова Мария Петровна');
    expect(chat.text).toContain('Телефон: +79131234567');
    await chat.tap('Всё верно');
    expect(chat.text).toMatch(/Ваше обращение № 2026-\d{5} принято/);
    // Tuesday 10:00 + 2 working hours = 12:00 the same day (lunch starts at 12:00).
    expect(chat.text).toContain('сегодня до 12:00');

    const appeal = await t.db
      .selectFrom('appeals')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const consent = await t.db
      .selectFrom('consents')
      .selectAll()
      .where('id', '=', appeal.consent_id)
      .executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ granted: true, version: center.consent.version, channel: 'web' });
    expect(consent.contact_id).toBe(appeal.contact_id);
    expect(consent.created_at.getTime()).toBeLessThanOrEqual(appeal.created_at.getTime());
    expect(appeal).toMatchObject({ full_name: 'Иванова Мария Петровна', minor_children: 2, status: 'new' });
    expect(appeal.callback_due_at?.toISOString()).toBe('2026-11-24T05:00:00.000Z');
    expect(scheduler.deadlines).toEqual([{ appealId: appeal.id, dueAt: appeal.callback_due_at }]);
  });

  it('stores nothing a person types before consenting, and nothing at all after refusing', async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    await chat.start();
    await chat.say('Меня зовут Петрова Анна, телефон 89130000000');
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    await chat.say('Петрова Анна Ивановна'); // typed at the consent question
    expect(chat.text).toContain('нажмите «Согласен(на)» или «Не согласен(на)»');
    await chat.tap('Не согласен');
    expect(chat.text).toContain('без согласия мы не сохраняем');

    const contact = await t.db
      .selectFrom('contacts')
      .select('id')
      .where('external_id', '=', chat.externalId)
      .executeTakeFirstOrThrow();
    const inbound = await t.db
      .selectFrom('messages')
      .selectAll()
      .where('contact_id', '=', contact.id)
      .where('direction', '=', 'in')
      .execute();
    expect(inbound).toEqual([]);
    const state = await t.db
      .selectFrom('conversations')
      .select('state')
      .where('contact_id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(state.state)).not.toContain('Петрова');
    const consents = await t.db
      .selectFrom('consents')
      .selectAll()
      .where('contact_id', '=', contact.id)
      .execute();
    expect(consents.map((c) => c.granted)).toEqual([false]);
    // Still useful without consent: contacts and schedule.
    await chat.tap('Контакты');
    expect(chat.text).toContain('3-06-56');
  });

  it('processes a redelivered update once', async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    const first = await chat.send({ type: 'start' }, 'same-id');
    const second = await chat.send({ type: 'start' }, 'same-id');
    expect(first.status).toBe('processed');
    expect(second.status).toBe('duplicate');
    const contact = await t.db
      .selectFrom('contacts')
      .select('id')
      .where('external_id', '=', chat.externalId)
      .executeTakeFirstOrThrow();
    const out = await t.db.selectFrom('messages').select('id').where('contact_id', '=', contact.id).execute();
    expect(out).toHaveLength(1);
  });

  it('serialises quick taps from one person and keeps their order', async () => {
    const runtime = makeRuntime(t.db);
    const chat = new ChatDriver(runtime);
    await chat.start();
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    await chat.tap('Согласен');
    const results = await Promise.all([
      chat.say('Сидорова Ольга Ивановна'),
      chat.say('г. Белово, ул. Маркса, 2'),
      chat.tap('Назад'), // stale: typed answers moved on, "back" is still a command
    ]);
    expect(results.map((r) => r.status)).toEqual(['processed', 'processed', 'processed']);
    const contact = await t.db
      .selectFrom('contacts')
      .select('id')
      .where('external_id', '=', chat.externalId)
      .executeTakeFirstOrThrow();
    const state = await t.db
      .selectFrom('conversations')
      .select('state')
      .where('contact_id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect(state.state).toMatchObject({
      step: 'address',
      draft: { fullName: 'Сидорова Ольга Ивановна', address: 'г. Белово, ул. Маркса, 2' },
    });
  });

  it('loses nothing when the database fails at submission: apology, then the retry goes through', async () => {
    const scheduler = new RecordingScheduler();
    const chat = new ChatDriver(makeRuntime(t.db, scheduler));
    await chat.start();
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    await chat.tap('Согласен');
    await answerIntakeUpToSummary(chat);
    const before = await t.db.selectFrom('appeals').select('id').execute();
    await sql`alter table appeals add constraint broken check (false) not valid`.execute(t.db);
    const submitPayload = 'confirm:submit';
    const failed = await chat.send({ type: 'button', payload: submitPayload }, 'submit-1');
    expect(failed.status).toBe('failed');
    expect(chat.text).toContain('Ваше сообщение не потерялось');
    expect(await t.db.selectFrom('appeals').select('id').execute()).toHaveLength(before.length);
    await sql`alter table appeals drop constraint broken`.execute(t.db);
    // The platform (or the browser) redelivers the same update: it was not claimed, so it is processed now.
    const retried = await chat.send({ type: 'button', payload: submitPayload }, 'submit-1');
    expect(retried.status).toBe('processed');
    expect(chat.text).toContain('принято');
    expect(await t.db.selectFrom('appeals').select('id').execute()).toHaveLength(before.length + 1);
  });

  it('deletes personal data on request', async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    await chat.start();
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    await chat.tap('Согласен');
    await answerIntakeUpToSummary(chat);
    await chat.tap('Всё верно');
    const contact = await t.db
      .selectFrom('contacts')
      .select('id')
      .where('external_id', '=', chat.externalId)
      .executeTakeFirstOrThrow();
    await chat.tap('Удалить мои данные');
    expect(chat.text).toContain('открытое обращение: № 2026-');
    await chat.tap('Да, удалить');
    expect(chat.text).toContain('Ваши данные удалены (обезличено обращений: 1)');
    // The web session id is the session: gone at once (the row itself goes once the goodbye is read).
    const erased = await t.db
      .selectFrom('contacts')
      .select(['external_id', 'erased_at'])
      .where('id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect(erased.external_id).toBe(`erased-${contact.id}`);
    expect(erased.erased_at).not.toBeNull();
    expect(
      await t.db.selectFrom('appeals').select('id').where('contact_id', '=', contact.id).execute(),
    ).toEqual([]);
    const messages = await t.db
      .selectFrom('messages')
      .select(['direction', 'body'])
      .where('contact_id', '=', contact.id)
      .execute();
    // Only the confirmation of deletion itself remains, and it holds no personal data.
    expect(JSON.stringify(messages)).not.toMatch(/Иванова|913/);
    const consents = await t.db
      .selectFrom('consents')
      .select('withdrawn_at')
      .where('contact_id', '=', contact.id)
      .execute();
    expect(consents.every((c) => c.withdrawn_at !== null)).toBe(true);
    // Asking for help again requires consent again.
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    expect(chat.text).toContain('согласие');
  });

  it('raises a crisis signal after commit, logging who and which signal but never the text', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const runtime = new Runtime({
      db: t.db,
      center,
      translator,
      scheduler: new RecordingScheduler(),
      logger,
      clock: () => TUESDAY_10AM,
    });
    const alerts: UrgentAlert[] = [];
    let committed: Promise<string> | undefined;
    runtime.onUrgent((alert) => {
      alerts.push(alert);
      // Read from outside the transaction: the help text must already be there.
      committed = t.db
        .selectFrom('messages')
        .select('body')
        .where('contact_id', '=', alert.contactId)
        .execute()
        .then((rows) => JSON.stringify(rows));
    });
    const chat = new ChatDriver(runtime);
    await chat.start();
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    await chat.tap('Согласен');
    await chat.say('Сидорова Ольга Ивановна');
    const result = await chat.say('Сидорова. Муж избивает детей, мне страшно');
    expect(result.status).toBe('processed');
    expect(chat.text).toContain('+7 800 2000-122');
    expect(chat.lastReplies.at(-1)?.text).toContain('адрес');

    const contactId = result.status === 'processed' ? result.contactId : -1;
    expect(alerts).toEqual([{ id: expect.any(Number), contactId, channel: 'web', signal: 'violence' }]);
    // The alert is an outbox row, stored in the same transaction as the reply.
    const stored = await t.db
      .selectFrom('urgent_alerts')
      .selectAll()
      .where('contact_id', '=', contactId)
      .execute();
    expect(stored.map((row) => [row.id, row.signal, row.posted_at])).toEqual([
      [alerts[0]?.id, 'violence', null],
    ]);
    expect(await committed).toContain('+7 800 2000-122');
    const warning = lines.map((line) => JSON.parse(line)).find((entry) => entry.signal === 'violence');
    expect(warning).toMatchObject({ level: 40, contactId, signal: 'violence' });
    expect(lines.join('\n')).not.toMatch(/избивает|Сидорова/);
    // The intake is where it was.
    const state = await t.db
      .selectFrom('conversations')
      .select('state')
      .where('contact_id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(state.state).toMatchObject({ step: 'address', draft: { fullName: 'Сидорова Ольга Ивановна' } });
  });

  it('switches language and re-asks in it', async () => {
    const chat = new ChatDriver(makeRuntime(t.db));
    await chat.start();
    await chat.send({ type: 'setLocale', locale: 'en' });
    expect(chat.text).toContain('Hello!');
    await chat.tap('Ask for help');
    expect(chat.text).toContain('in your own words');
    await chat.tap('Skip');
    expect(chat.text).toContain('consent');
  });
});

describe('restart mid-intake (PGlite on disk)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes at the same question after the process restarts', async () => {
    const first = await openDatabase({ kind: 'pglite', dataDir: dir });
    await migrateToLatest(first);
    const chat = new ChatDriver(makeRuntime(first), 'restart-person');
    await chat.start();
    await chat.tap('Оставить обращение');
    await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
    await chat.tap('Согласен');
    await chat.say('Кузнецова Елена Сергеевна');
    await chat.say('пгт Инской, ул. Ильича, 12');
    expect(chat.text).toContain('семейное положение');
    await first.destroy();

    const second = await openDatabase({ kind: 'pglite', dataDir: dir });
    await migrateToLatest(second);
    const resumed = new ChatDriver(makeRuntime(second), 'restart-person');
    await resumed.start();
    expect(resumed.text).toContain('незаконченное обращение');
    await resumed.tap('Продолжить');
    expect(resumed.text).toContain('семейное положение');
    await resumed.tap('Официально в браке');
    expect(resumed.text).toContain('несовершеннолетних детей');
    await second.destroy();
  });
});
