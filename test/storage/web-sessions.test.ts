import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { appendMessages } from '../../storage/messages.ts';
import { findLiveWebContact, pruneIdleWebContacts } from '../../storage/web-sessions.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';

const NOW = new Date('2031-05-01T08:00:00Z');
const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

describe.each(ENGINES)('pruning idle web sessions on $name', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('deletes idle anonymous visitors, unlinks idle ones who consented, keeps active ones', async () => {
    const idleAnonymous = await upsertContact(t.db, 'web', 'a'.repeat(64), ago(40));
    await appendMessages(t.db, idleAnonymous.id, 'out', [{ text: 'Здравствуйте!' }], ago(40));
    const idleConsented = await upsertContact(t.db, 'web', 'b'.repeat(64), ago(40));
    await recordConsent(t.db, {
      contactId: idleConsented.id,
      channel: 'web',
      version: 'v1',
      granted: true,
      at: ago(40),
    });
    const active = await upsertContact(t.db, 'web', 'c'.repeat(64), ago(2));
    const telegram = await upsertContact(t.db, 'telegram', '777', ago(400));

    expect(await pruneIdleWebContacts(t.db, ago(30))).toEqual({ deleted: 1, ended: 1 });
    const left = await t.db
      .selectFrom('contacts')
      .select(['id', 'external_id', 'active'])
      .orderBy('id')
      .execute();
    expect(left.map((c) => c.id)).toEqual([idleConsented.id, active.id, telegram.id]);
    expect(left[0]).toMatchObject({ external_id: `ended:${idleConsented.id}`, active: false });
    expect(
      await t.db.selectFrom('messages').select('id').where('contact_id', '=', idleAnonymous.id).execute(),
    ).toEqual([]);
    // The consent record stays (proof of consent); the old token opens nothing; a second run finds nothing.
    expect(await t.db.selectFrom('consents').select('id').execute()).toHaveLength(1);
    expect(await findLiveWebContact(t.db, 'b'.repeat(64), ago(30))).toBeUndefined();
    expect(await pruneIdleWebContacts(t.db, ago(30))).toEqual({ deleted: 0, ended: 0 });
    expect((await findLiveWebContact(t.db, 'c'.repeat(64), ago(30)))?.id).toBe(active.id);
  });
});
