import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { Desk, type DeskActor } from '../../bot/desk.ts';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import type { Dispatcher } from '../../config/dispatchers.ts';
import { type Db, migrateToLatest, openDatabase } from '../../storage/db.ts';
import { compactAfterErasure, finishErasedContacts } from '../../storage/erasure.ts';
import { ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger, TUESDAY_10AM } from '../support/fixtures.ts';
import { RecordingScheduler } from '../support/recording-scheduler.ts';

const NOW = TUESDAY_10AM;
const HOUR_MS = 3600_000;
const CHAT_ID = '4815162342';

/** Everything that could name, reach or quote this family; none of it may survive the deletion. */
const SECRETS = [
  'Зелинская',
  'Зелинской',
  'Агата',
  'Мироновна',
  'Кедровая',
  '14.02.1987',
  '1987-02-14',
  '9137776655',
  '777-66-55',
  'коллекторы',
  'секрет-ZX',
  'Кравцова',
  '9001112233',
  '111-22-33',
  'не хочу жить',
  CHAT_ID,
];

const anna = {
  dispatcher: { id: 'anna', name: 'Анна', login: 'anna' } as Dispatcher,
  via: 'web',
} satisfies DeskActor;

/** A file-backed PGlite, so what is left on disk can be searched too. */
function pgliteOnDisk(): TestDatabase & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'erasure-'));
  let db: Db | undefined;
  return {
    dir,
    get db() {
      if (!db) throw new Error('not opened');
      return db;
    },
    async drop() {
      await db?.destroy().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    async open() {
      db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'pglite') });
      await migrateToLatest(db);
    },
    async close() {
      await db?.destroy();
      db = undefined;
    },
  } as TestDatabase & { dir: string; open(): Promise<void>; close(): Promise<void> };
}

/** Every row of every table of the schema, as JSON text: what a stolen dump would show. */
async function dumpDatabase(db: Db): Promise<string> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const parts: string[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ json: string | null }>`
      select json_agg(t)::text as json from ${sql.table(name)} t`.execute(db);
    parts.push(`${name}: ${rows[0]?.json ?? '[]'}`);
  }
  return parts.join('\n');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Files of the data directory holding a secret (as UTF-8 bytes, the way PostgreSQL stores text). */
function filesContaining(dir: string, secret: string): string[] {
  const needle = Buffer.from(secret, 'utf8');
  return filesUnder(dir).filter((path) => readFileSync(path).includes(needle));
}

/**
 * A whole story — intake on Telegram, a dispatcher's note and reply, a route-sheet item with the partner's
 * contact person, a crisis message, staff-chat posts — then «Удалить мои данные».
 */
async function storyThenDeletion(db: Db) {
  const center = await loadBelovo();
  const translator = new Translator();
  const scheduler = new RecordingScheduler();
  const runtime = new Runtime({ db, center, translator, scheduler, logger: silentLogger, clock: () => NOW });
  const desk = new Desk({ db, runtime, logger: silentLogger, center, scheduler, clock: () => NOW });
  const chat = new ChatDriver(runtime, CHAT_ID, 'telegram');

  await chat.start();
  await chat.tap('Оставить обращение');
  await chat.tap('Пропустить'); // the story («чем я могу помочь?»)
  await chat.tap('Согласен');
  await chat.say('Зелинская Агата Мироновна');
  await chat.say('пгт Грамотеино, ул. Кедровая, 77');
  await chat.tap('Не в браке');
  await chat.tap('3');
  await chat.say('14.02.1987');
  await chat.say('+7 913 777-66-55');
  await chat.tap('юриста');
  await chat.say('Звонят коллекторы, секрет-ZX');
  await chat.tap('По телефону');
  await chat.tap('Перезвоните мне');
  await chat.tap('Всё верно');
  const appeal = await db.selectFrom('appeals').selectAll().executeTakeFirstOrThrow();
  expect(appeal.full_name).toBe('Зелинская Агата Мироновна');

  expect((await desk.act(appeal.id, 'take', anna)).ok).toBe(true);
  const note = 'Зелинская просит звонить после 18, 9137776655, коллекторы';
  expect((await desk.act(appeal.id, 'wait', anna, { note })).ok).toBe(true);
  expect((await desk.reply(appeal.id, anna, 'Агата Мироновна, юрист ждёт Вас в четверг')).ok).toBe(true);
  const route = await desk.addRouteItem(appeal.id, anna, {
    org: 'Центр занятости',
    address: 'ул. Партизанская, 1',
    person: 'Кравцова Инна',
    phone: '+7 900 111-22-33',
    startsAt: new Date(NOW.getTime() + 48 * HOUR_MS),
  });
  expect(route.ok).toBe(true);
  await chat.say('Спасибо. Иногда не хочу жить, Зелинская');
  const alerts = await db.selectFrom('urgent_alerts').selectAll().execute();
  expect(alerts).toHaveLength(1);
  // The staff chat's ledger: the card and a mirrored message in the appeal's forum topic.
  await db.updateTable('appeals').set({ staff_topic_id: '77', staff_message_id: '501' }).execute();
  await db
    .insertInto('staff_posts')
    .values([
      { chat_id: '-100200', message_id: 501, appeal_id: appeal.id },
      { chat_id: '-100200', message_id: 502, appeal_id: appeal.id },
    ])
    .execute();
  expect(await dumpDatabase(db)).toContain('Кравцова');

  await chat.tap('Удалить мои данные');
  expect(chat.text).toContain('Вместе с данными будет отменено');
  expect(chat.text).toMatch(/1 запись на приём/);
  expect(chat.text).toContain('26.11.2026 10:00');
  await chat.tap('Да, удалить');
  expect(chat.text).toContain('Ваши данные удалены (обезличено обращений: 1)');
  // The goodbye is out (or an hour passed): the contact row, with its chat id, goes.
  expect(await finishErasedContacts(db, new Date(NOW.getTime() + 2 * HOUR_MS))).toBe(1);
  await compactAfterErasure(db);
  return appeal.id;
}

async function expectErased(db: Db, appealId: number) {
  const dump = await dumpDatabase(db);
  for (const secret of SECRETS) expect(dump, `the dump still holds "${secret}"`).not.toContain(secret);
  // Anonymous statistics stay: purpose, channel, dates, children, status.
  const appeal = await db
    .selectFrom('appeals')
    .selectAll()
    .where('id', '=', appealId)
    .executeTakeFirstOrThrow();
  expect(appeal).toMatchObject({
    purpose: 'lawyer',
    channel: 'telegram',
    minor_children: 3,
    contact_id: null,
  });
  expect(appeal.anonymized_at).not.toBeNull();
  // The dispatcher sees what happened, without any data.
  const history = await db
    .selectFrom('appeal_events')
    .select(['action', 'actor', 'note'])
    .where('appeal_id', '=', appealId)
    .orderBy('id')
    .execute();
  expect(history.at(-1)).toEqual({ action: 'data-deleted', actor: 'family', note: null });
  expect(history.map((event) => event.action)).toEqual(['take', 'wait', 'reply', 'route', 'data-deleted']);
  const booking = await db.selectFrom('bookings').selectAll().executeTakeFirstOrThrow();
  expect(booking).toMatchObject({
    partner_org: 'Центр занятости',
    partner_person: null,
    status: 'cancelled',
  });
  const alert = await db.selectFrom('urgent_alerts').selectAll().executeTakeFirstOrThrow();
  expect(alert.contact_id).toBeNull();
  expect(alert.acknowledged_at).not.toBeNull();
  expect(await db.selectFrom('contacts').select('id').execute()).toEqual([]);
  // The staff chat is told to forget: the topic, and its posts as the fallback.
  const erasures = await db.selectFrom('staff_erasures').select(['message_id', 'topic_id']).execute();
  expect(
    erasures.map((row) => [row.message_id && Number(row.message_id), Number(row.topic_id)]).sort(),
  ).toEqual(
    [
      [501, 77],
      [502, 77],
      [null, 77],
    ].sort(),
  );
}

describe.each(ENGINES)('«Удалить мои данные» on $name', (engine) => {
  let t: TestDatabase | undefined;
  afterAll(async () => {
    await t?.drop();
  });

  it('leaves none of the family in a full dump of the database', async () => {
    t = await engine.create();
    const appealId = await storyThenDeletion(t.db);
    await expectErased(t.db, appealId);
  }, 120_000);
});

describe('«Удалить мои данные» on PGlite on disk', () => {
  const t = pgliteOnDisk() as ReturnType<typeof pgliteOnDisk> & {
    open(): Promise<void>;
    close(): Promise<void>;
  };
  afterAll(async () => {
    await t.drop();
  });

  it('leaves none of the family in the dump nor in the data directory files (heap and WAL)', async () => {
    await t.open();
    const appealId = await storyThenDeletion(t.db);
    await expectErased(t.db, appealId);
    await t.close();
    for (const secret of SECRETS) expect(filesContaining(t.dir, secret), secret).toEqual([]);
  }, 120_000);
});
