import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { buildServer } from '../../bot/server.ts';
import type { CenterProfile } from '../../config/center.ts';
import { ConversationStateSchema } from '../../flows/assistant.ts';
import type { Navigator } from '../../flows/types.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { loadConversationState } from '../../storage/conversations.ts';
import { ChatDriver } from '../support/chat.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { familyWithAppeal } from '../support/families.ts';
import { loadBelovo, silentLogger, TUESDAY_10AM } from '../support/fixtures.ts';
import { RecordingScheduler } from '../support/recording-scheduler.ts';
import { staffLogin } from '../support/staff.ts';
import { realUnderstanding } from '../support/understanding.ts';

/**
 * Issue 11: realistic parent messages through the runtime with the real understanding layer (classifier,
 * entities, navigator search) — each checked for the kind of answer, not its exact words.
 */

/** Who writes: a newcomer (no consent), a family with consent and no open appeal, or with an open appeal. */
type Who = 'new' | 'consented' | 'waiting';

type Kind =
  | { article: string }
  | 'contacts'
  | 'consent'
  | 'booking'
  | 'status'
  | 'no-open-appeal'
  | 'thanks'
  | 'goodbye'
  | 'presence'
  | 'greeting'
  | 'fallback'
  | 'to-dispatcher'
  | 'outreach'
  | 'delete'
  | 'bookings'
  | 'progress'
  | 'callback'
  | 'closed-saturday';

const CASES: Array<[string, Who, Kind]> = [
  // The examples of the issue.
  ['Какие документы нужны для социального контракта?', 'new', { article: 'social-contract' }],
  ['консультация у вас платная?', 'new', { article: 'free' }],
  ['вы работаете в субботу', 'new', 'closed-saturday'],
  ['где вы находитесь', 'new', 'contacts'],
  ['спасибо', 'new', 'thanks'],
  ['позвоните мне', 'new', 'consent'],
  ['алло вы тут?', 'new', 'presence'],
  ['какие выплаты положены участнику СВО', 'new', { article: 'svo-belovo' }],
  ['хочу записаться к юристу на завтра', 'consented', 'booking'],
  ['когда мне перезвонят? уже жду', 'waiting', 'status'],
  ['можно анонимно поговорить с психологом?', 'new', { article: 'anonymous' }],
  ['/start', 'consented', 'greeting'],
  // Everyday phrasing, typos, no punctuation, voice typing.
  ['здравствуйте', 'new', 'greeting'],
  ['добрый день подскажите пожалуйста сколько стоит консультация юриста', 'new', { article: 'free' }],
  ['спасибо большое вы очень помогли', 'consented', 'thanks'],
  ['до свидания', 'new', 'goodbye'],
  ['есть кто живой', 'new', 'presence'],
  ['какой у вас адрес', 'new', 'contacts'],
  ['телефон центра подскажите', 'new', 'contacts'],
  ['до скольки вы работаете сегодня', 'new', 'contacts'],
  ['запишите меня к психологу в четверг', 'consented', 'booking'],
  ['хочу на приём к юристу', 'consented', 'booking'],
  ['нужна помощь юриста по алиментам, муж не платит', 'new', { article: 'lawyer' }],
  ['мне нужна помощь у меня трудная ситуация', 'new', 'consent'],
  ['перезвоните пожалуйста', 'consented', 'callback'],
  ['что с моим обращением', 'waiting', 'status'],
  ['почему мне никто не звонит уже второй день', 'waiting', 'status'],
  ['что с моим обращением', 'consented', 'no-open-appeal'],
  ['хочу поговорить с живым человеком', 'waiting', 'to-dispatcher'],
  ['удалите мои данные', 'consented', 'delete'],
  ['мои записи', 'consented', 'bookings'],
  ['хочу отменить запись', 'consented', 'bookings'],
  ['мой вопрос решился, хочу сообщить', 'waiting', 'progress'],
  ['как получить статус многодетной семьи', 'new', { article: 'large-family' }],
  ['как стать малоимущими', 'new', { article: 'low-income' }],
  ['нужен психолог ребенок совсем не слушается', 'new', { article: 'psychologist' }],
  ['телефон доверия', 'new', { article: 'helpline-belovo' }],
  ['какие пособия положены на ребенка', 'new', { article: 'child-benefits' }],
  ['чем вы вообще занимаетесь', 'new', { article: 'about' }],
  ['что взять с собой на прием', 'new', { article: 'documents' }],
  ['когда к нам в Инской приедут специалисты', 'new', 'outreach'],
  ['график выездов', 'new', 'outreach'],
  // Out of scope or unclear: never an action, the closest topics or a person instead.
  ['абырвалг', 'new', 'fallback'],
  ['продаю гараж недорого', 'new', 'fallback'],
  ['ну', 'new', 'presence'],
  ['фывапролд', 'new', 'fallback'],
  ['а вы вообще кто такие и зачем мне пишете', 'waiting', { article: 'about' }],
  ['мне срочно нужно поговорить с диспетчером', 'waiting', 'to-dispatcher'],
  ['жду звонка', 'waiting', 'status'],
];

describe('what parents write, through the runtime (issue 11)', () => {
  const engine = ENGINES[0];
  if (!engine) throw new Error('no engine');
  let t: TestDatabase;
  let center: CenterProfile;
  let runtime: Runtime;
  let navigator: Navigator;

  beforeAll(async () => {
    t = await engine.create();
    center = await loadBelovo();
    const understanding = await realUnderstanding(t.db, center);
    navigator = understanding.navigator as Navigator;
    runtime = new Runtime({
      db: t.db,
      center,
      translator: new Translator(),
      scheduler: new RecordingScheduler(),
      logger: silentLogger,
      clock: () => TUESDAY_10AM,
      ...understanding,
    });
  }, 120_000);
  afterAll(async () => {
    await t.drop();
  });

  async function chatFor(who: Who): Promise<{ chat: ChatDriver; contactId: number }> {
    const externalId = `nlu-${randomUUID()}`;
    if (who === 'waiting') {
      const family = await familyWithAppeal(t.db, externalId, TUESDAY_10AM, center.consent.version);
      return { chat: new ChatDriver(runtime, externalId), contactId: family.contactId };
    }
    const contact = await upsertContact(t.db, 'web', externalId, TUESDAY_10AM);
    if (who === 'consented') {
      await recordConsent(t.db, {
        contactId: contact.id,
        channel: 'web',
        version: center.consent.version,
        granted: true,
        at: TUESDAY_10AM,
      });
    }
    return { chat: new ChatDriver(runtime, externalId), contactId: contact.id };
  }

  const stepOf = async (contactId: number) =>
    ConversationStateSchema.parse(await loadConversationState(t.db, contactId)).step;

  it('has at least 40 realistic messages', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('%j (%s) → %j', async (text, who, kind) => {
    const { chat, contactId } = await chatFor(who);
    const result = await chat.say(text);
    expect(result.status).toBe('processed');
    const reply = chat.text;
    const step = await stepOf(contactId);
    // Never the old dead end, and never a message without a way on.
    expect(reply).not.toContain('я не совсем поняла');
    expect(chat.lastReplies.at(-1)?.buttons?.length ?? 0).toBeGreaterThan(0);
    if (typeof kind === 'object') {
      const article = navigator.article(kind.article, 'ru');
      expect(article, kind.article).toBeDefined();
      expect(reply).toContain(article?.title);
      expect(step).toBe('menu');
      return;
    }
    switch (kind) {
      case 'contacts':
        expect(reply).toContain('Часы работы');
        break;
      case 'consent':
        expect(reply).toContain('согласие на обработку персональных данных');
        expect(step).toBe('consent');
        break;
      case 'booking':
        expect(['bookDay', 'bookTime', 'bookRole']).toContain(step);
        break;
      case 'closed-saturday':
        // Tuesday 24.11 → «в субботу» is Saturday 28.11: a day off, said plainly, with the hours.
        expect(reply).toContain('суббота, 28.11 центр не работает');
        expect(reply).toContain('Часы работы');
        break;
      case 'callback':
        // A callback request from a family that gave consent: the intake, the call already chosen.
        expect(step).toBe('name');
        expect(reply).toContain('фамилию, имя и отчество');
        break;
      case 'status':
        expect(reply).toMatch(/Ваше обращение № \d{4}-\d{5}|по обращению № \d{4}-\d{5}/);
        expect(reply).toContain('передала диспетчеру');
        break;
      case 'no-open-appeal':
        expect(reply).toContain('Открытых обращений у Вас сейчас нет');
        break;
      case 'thanks':
        expect(reply).toContain('Пожалуйста!');
        break;
      case 'goodbye':
        expect(reply).toContain('До свидания');
        break;
      case 'presence':
        expect(reply).toContain('Да, я здесь');
        break;
      case 'greeting':
        expect(reply).toContain('Здравствуйте');
        break;
      case 'fallback':
        expect(reply).toMatch(/Не уверена|передам Ваш вопрос диспетчеру/);
        expect(
          chat.lastReplies
            .at(-1)
            ?.buttons?.flat()
            .map((b) => b.label),
        ).toContain('💬 Передать вопрос диспетчеру');
        expect(step).toBe('menu');
        break;
      case 'to-dispatcher':
        expect(reply).toContain('Передала Ваше сообщение диспетчеру');
        break;
      case 'outreach':
        expect(reply).toMatch(/выезд|Инской/i);
        break;
      case 'delete':
        expect(step).toBe('deleteConfirm');
        break;
      case 'bookings':
        expect(step).toBe('myBookings');
        break;
      case 'progress':
        expect(reply).toContain('Решился ли');
        break;
      default:
        throw new Error(`unknown kind ${String(kind)}`);
    }
  });

  it('never says «не поняла» twice in a row: the second miss offers a person plainly', async () => {
    const { chat } = await chatFor('new');
    await chat.say('абырвалг');
    expect(chat.text).toContain('Не уверена');
    await chat.say('шмырдяк');
    expect(chat.text).not.toContain('Не уверена');
    expect(chat.text).toContain('передам Ваш вопрос диспетчеру');
  });

  it('a question the navigator cannot answer goes to the inbox after the short consent, with the promise', async () => {
    const { chat, contactId } = await chatFor('new');
    await chat.say('у соседей собака лает по ночам куда жаловаться');
    await chat.tap('Передать вопрос диспетчеру');
    expect(chat.text).toContain('Чтобы передать Ваш вопрос диспетчеру');
    await chat.tap('Согласен');
    expect(chat.text).toMatch(/Ваш вопрос № \d{4}-\d{5} передан диспетчеру/);
    expect(chat.text).toContain('сегодня до 12:00');
    const question = await t.db
      .selectFrom('appeals')
      .selectAll()
      .where('contact_id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(question).toMatchObject({
      is_question: true,
      need_text: 'у соседей собака лает по ночам куда жаловаться',
    });
    expect(question.full_name).toBeNull();
    expect(question.unread_at).not.toBeNull();
  });

  it('the inbox shows the question as unread until a dispatcher opens it', async () => {
    const { chat, contactId } = await chatFor('new');
    await chat.say('у соседей собака лает по ночам куда жаловаться');
    await chat.tap('Передать вопрос диспетчеру');
    await chat.tap('Согласен');
    const app = await buildServer({
      runtime,
      db: t.db,
      translator: new Translator(),
      center,
      logger: silentLogger,
      dispatcherPassword: 'inbox-pass-1',
      clock: () => TUESDAY_10AM,
    });
    try {
      const headers = await staffLogin(app, 'dispatcher', 'inbox-pass-1');
      const list = (await app.inject({ url: '/api/staff/appeals?status=all', headers })).json();
      const item = list.appeals.find((a: { id: number; question: boolean }) => a.question);
      expect(item).toMatchObject({ unread: true, question: true, purpose: 'other' });
      const appeal = await t.db
        .selectFrom('appeals')
        .select('id')
        .where('contact_id', '=', contactId)
        .executeTakeFirstOrThrow();
      expect((await app.inject({ url: `/api/staff/appeals/${appeal.id}`, headers })).statusCode).toBe(200);
      const again = (await app.inject({ url: '/api/staff/appeals?status=all', headers })).json();
      expect(again.appeals.find((a: { id: number }) => a.id === appeal.id)).toMatchObject({ unread: false });
    } finally {
      await app.close();
    }
  });

  it('a refused consent keeps nothing of the question', async () => {
    const { chat, contactId } = await chatFor('new');
    await chat.say('у соседей собака лает по ночам куда жаловаться');
    await chat.tap('Передать вопрос диспетчеру');
    await chat.tap('Не согласен');
    const state = await loadConversationState(t.db, contactId);
    expect(JSON.stringify(state)).not.toContain('собака');
    const appeals = await t.db
      .selectFrom('appeals')
      .select('id')
      .where('contact_id', '=', contactId)
      .execute();
    expect(appeals).toEqual([]);
  });

  it('the family’s own words become the description; a returning family confirms its stored data', async () => {
    const { chat, contactId } = await chatFor('waiting');
    await t.db.updateTable('appeals').set({ status: 'closed' }).where('contact_id', '=', contactId).execute();
    await chat.say('нужна консультация юриста по разделу имущества');
    // The navigator answers first; «Оставить обращение» under it takes the words as the description.
    await chat.tap('Оставить обращение');
    expect(chat.text).toContain('Всё ещё верно?');
    expect(chat.text).toContain('Иванова Мария Петровна');
    await chat.tap('Да, верно');
    // Only what is not known: the purpose (suggested from the words), then how to contact.
    expect(chat.text).toContain('Похоже, Вам нужна консультация юриста');
    await chat.tap('Да, верно');
    expect(chat.text).toContain('по телефону или личный приём');
    await chat.tap('По телефону');
    await chat.tap('Перезвоните мне');
    expect(chat.text).toContain('Описание: нужна консультация юриста по разделу имущества');
    await chat.tap('Всё верно');
    const appeals = await t.db
      .selectFrom('appeals')
      .select(['need_text', 'purpose', 'full_name'])
      .where('contact_id', '=', contactId)
      .orderBy('id', 'desc')
      .execute();
    expect(appeals[0]).toEqual({
      need_text: 'нужна консультация юриста по разделу имущества',
      purpose: 'lawyer',
      full_name: 'Иванова Мария Петровна',
    });
  });

  it('books from one sentence with the role and the day filled in', async () => {
    const { chat, contactId } = await chatFor('consented');
    await chat.say('хочу записаться к юристу на завтра');
    // Tuesday 10:00 → Wednesday 25.11: its times are offered at once (or the nearest days if it is full).
    expect(chat.text).toMatch(
      /среда, 25\.11\.\nПринимает: [^\n]+\nВыберите время|На среда, 25\.11 свободного времени нет/,
    );
    expect(['bookTime', 'bookDay']).toContain(await stepOf(contactId));
  });
});
