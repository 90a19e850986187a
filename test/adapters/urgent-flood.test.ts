import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../bot/app.ts';
import { loadEnv } from '../../config/env.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { silentLogger } from '../support/fixtures.ts';
import { waitFor } from '../support/redis.ts';
import { staffLogin } from '../support/staff.ts';
import { sessionCookie } from '../support/web-session.ts';

/**
 * Issue 12 §2: three fresh web sessions each sending a crisis phrase ten times used to put 30 «🚨 СРОЧНО» posts
 * into the staff chat within a second and 30 banners into the inbox. Now: one open alert per contact, its post
 * edited with the count, a summary post during a flood, and every first alert still reaches the chat.
 */
const STAFF_CHAT = -1001234567890;

type Harness = { fake: FakeTelegram; service: Service };
const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.service.close();
    await h.fake.close();
  }
});

async function start(): Promise<Harness> {
  const fake = await FakeTelegram.start({ maxLongPollSeconds: 1 });
  fake.setChat({ id: STAFF_CHAT, type: 'supergroup', is_forum: false, title: 'Диспетчеры' });
  const env = loadEnv({
    DATA_DIR: ':memory:',
    LOG_LEVEL: 'silent',
    DISPATCHER_PASSWORD: 'flood-pass-1',
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_MODE: 'polling',
    TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
  });
  const service = await createService(env, silentLogger, { staffMinIntervalMs: 10 });
  const h = { fake, service };
  open.push(h);
  return h;
}

/** A fresh visitor of the web chat (its own session cookie), greeted, then typing `times` crisis messages. */
async function crisisVisitor(service: Service, times: number): Promise<void> {
  const created = await service.app.inject({ method: 'POST', url: '/api/web/sessions', payload: {} });
  const headers = { 'x-chat-session': sessionCookie(created) };
  const say = (event: object) =>
    service.app.inject({
      method: 'POST',
      url: '/api/web/messages',
      headers,
      payload: { messageId: randomUUID(), event },
    });
  expect((await say({ type: 'start' })).statusCode).toBe(200);
  const answers = await Promise.all(
    Array.from({ length: times }, () => say({ type: 'text', text: 'не хочу жить' })),
  );
  expect(answers.map((answer) => answer.statusCode)).toEqual(Array(times).fill(200));
}

const staffPosts = (fake: FakeTelegram) =>
  fake.sent().filter((p) => String(p.chat_id) === String(STAFF_CHAT));
const staffEdits = (fake: FakeTelegram) =>
  fake.callsOf('editMessageText').filter((c) => c.ok && String(c.payload.chat_id) === String(STAFF_CHAT));

describe('crisis alerts under a flood', () => {
  it('3 sessions × 10 crisis messages: one post per contact, edited with its count; one banner each', async () => {
    const { fake, service } = await start();
    const startedAt = Date.now();
    await Promise.all([1, 2, 3].map(() => crisisVisitor(service, 10)));
    const { db } = service;
    // Settled: every alert is posted and each post shows the alert's final count.
    await waitFor(async () => {
      const rows = await db.selectFrom('urgent_alerts').selectAll().execute();
      return rows.length === 3 && rows.every((r) => r.posted_at && r.posted_repeat_count === r.repeat_count);
    });
    const posts = staffPosts(fake);
    expect(posts.length).toBeLessThanOrEqual(3);
    expect(posts.filter((p) => String(p.text).includes('🚨 СРОЧНО'))).toHaveLength(3);
    expect(posts.filter((p) => String(p.text).includes('Ещё'))).toHaveLength(0);
    const rows = await db.selectFrom('urgent_alerts').selectAll().orderBy('id').execute();
    expect(rows.map((r) => r.repeat_count)).toEqual([9, 9, 9]);
    // Each alert's one post now says how many more signals came: edited as they arrived (edits coalesce, and
    // a post sent after some repeats already shows them), never posted again.
    const edits = staffEdits(fake);
    expect(edits.length).toBeLessThanOrEqual(27);
    for (const row of rows) {
      const post = fake
        .botMessages()
        .find((m) => m.chat.id === STAFF_CHAT && String(m.message_id) === row.staff_message_id);
      expect(post && 'text' in post ? post.text : '').toContain(`контакт #${row.contact_id}`);
      expect(post && 'text' in post ? post.text : '').toContain('Повторных сигналов от этого контакта: 9');
    }
    // The inbox: one banner per contact, with its count.
    const inbox = (
      await service.app.inject({
        url: '/api/staff/appeals',
        headers: await staffLogin(service.app, 'dispatcher', 'flood-pass-1'),
      })
    ).json();
    expect(inbox.urgent).toHaveLength(3);
    expect(inbox.urgent.map((a: { repeats: number }) => a.repeats)).toEqual([9, 9, 9]);
    expect(new Set(inbox.urgent.map((a: { contactId: number }) => a.contactId)).size).toBe(3);
    console.info(
      `[urgent flood] 3×10 crisis messages → ${posts.length} posts, ${edits.length} edits, ` +
        `${inbox.urgent.length} banners in ${Date.now() - startedAt} ms`,
    );
  }, 60_000);

  it('more than 5 new alerts in a minute: 5 posts of their own, the rest in one summary post', async () => {
    const { fake, service } = await start();
    for (let i = 0; i < 8; i++) await crisisVisitor(service, 1);
    const { db } = service;
    await waitFor(async () => {
      const rows = await db.selectFrom('urgent_alerts').select('posted_at').execute();
      return rows.length === 8 && rows.every((r) => r.posted_at !== null);
    });
    const posts = staffPosts(fake);
    expect(posts.filter((p) => String(p.text).includes('🚨 СРОЧНО'))).toHaveLength(5);
    const summaries = posts.filter((p) => String(p.text).includes('Ещё'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.text).toContain('Ещё 1 срочных сигналов');
    // The summary grows by editing, not by posting again.
    const summaryEdits = staffEdits(fake).filter((e) => String(e.payload.text).includes('Ещё'));
    expect(summaryEdits.at(-1)?.payload.text).toContain('Ещё 3 срочных сигналов');
    const rows = await db.selectFrom('urgent_alerts').select('summarized').orderBy('id').execute();
    expect(rows.filter((r) => r.summarized)).toHaveLength(3);
    // Nobody is missed: every alert is in the inbox.
    const inbox = (
      await service.app.inject({
        url: '/api/staff/appeals',
        headers: await staffLogin(service.app, 'dispatcher', 'flood-pass-1'),
      })
    ).json();
    expect(inbox.urgent).toHaveLength(8);
  }, 60_000);
});
