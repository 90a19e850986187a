import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffNotifier } from '../../adapters/telegram/staff.ts';
import { Translator } from '../../bot/i18n.ts';
import type { AppealDraft } from '../../domain/appeal.ts';
import { createAppeal } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';

const STAFF_CHAT = -1009876543210;
const draft: AppealDraft = {
  fullName: 'Иванова Мария Петровна',
  address: 'г. Белово',
  maritalStatus: 'married',
  minorChildren: 1,
  birthDate: '1990-01-01',
  phone: '+79131234567',
  purpose: 'lawyer',
  contactMode: 'phone',
  callMode: 'callback_asap',
  callbackDueAt: new Date(Date.now() + 30 * 60_000).toISOString(),
};

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('SLA posts in the staff chat', () => {
  let t: TestDatabase;
  let fake: FakeTelegram;
  let staff: StaffNotifier;
  beforeAll(async () => {
    t = await engine.create();
    fake = await FakeTelegram.start();
    fake.setChat({ id: STAFF_CHAT, type: 'supergroup', is_forum: true, title: 'Диспетчеры' });
    staff = new StaffNotifier({
      db: t.db,
      api: new Api(fake.token, { apiRoot: fake.apiRoot }),
      chatId: String(STAFF_CHAT),
      center: await loadBelovo(),
      translator: new Translator(),
      logger: silentLogger,
      minIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await fake.close();
    await t.drop();
  });

  async function appeal(status: 'new' | 'in_work', topic?: number) {
    const contact = await upsertContact(t.db, 'web', `sla-${Math.random()}`, new Date());
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v',
      granted: true,
      at: new Date(),
    });
    const created = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft,
      now: new Date(),
    });
    await t.db
      .updateTable('appeals')
      .set({ status, staff_topic_id: topic ? String(topic) : null })
      .where('id', '=', created.id)
      .execute();
    return created;
  }

  it('posts the nudge and the escalation into the appeal topic, with no personal data', async () => {
    const topic = await new Api(fake.token, { apiRoot: fake.apiRoot }).createForumTopic(STAFF_CHAT, '№ test');
    const thread = topic.message_thread_id;
    const { id, number } = await appeal('new', thread);
    fake.clear();
    await staff.notifySla('dueSoon', id);
    await staff.notifySla('overdue', id);
    const posts = fake.sent();
    expect(posts.map((p) => p.message_thread_id)).toEqual([thread, thread]);
    expect(posts[0]?.text).toContain(`№ ${number}`);
    expect(posts[0]?.text).toContain('Осталось около 30 минут');
    expect(posts[1]?.text).toContain('Просрочено');
    expect(JSON.stringify(posts)).not.toMatch(/Иванова|913/);
  });

  it('stays quiet about an appeal already taken', async () => {
    const { id } = await appeal('in_work');
    fake.clear();
    await staff.notifySla('overdue', id);
    expect(fake.sent()).toEqual([]);
  });
});
