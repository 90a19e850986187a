import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk, type DeskActor } from '../../bot/desk.ts';
import { Translator } from '../../bot/i18n.ts';
import { Runtime } from '../../bot/runtime.ts';
import { auditStaffChat } from '../../bot/staff-audit.ts';
import { noScheduler } from '../../scheduler/scheduler.ts';
import { createAppeal } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { loadBelovo, silentLogger } from '../support/fixtures.ts';

const engine = ENGINES[0];
if (!engine) throw new Error('no engine');

describe('staff-chat actions in the access log', () => {
  let t: TestDatabase;
  let desk: Desk;
  beforeAll(async () => {
    t = await engine.create();
    const center = await loadBelovo();
    const runtime = new Runtime({
      db: t.db,
      center,
      translator: new Translator(),
      scheduler: noScheduler,
      logger: silentLogger,
    });
    desk = new Desk({ db: t.db, runtime, logger: silentLogger, center, scheduler: noScheduler });
    auditStaffChat(desk, t.db, silentLogger);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('records who did what on which appeal from Telegram, never the reply text', async () => {
    const now = new Date();
    const contact = await upsertContact(t.db, 'telegram', '555001', now);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'telegram',
      version: 'v',
      granted: true,
      at: now,
    });
    const draft = {
      fullName: 'Семёнова Ирина Павловна',
      address: 'г. Белово, ул. Лесная, 1',
      maritalStatus: 'not_married',
      minorChildren: 3,
      birthDate: '1988-05-05',
      phone: '+79130001122',
      purpose: 'psychologist',
      contactMode: 'phone',
      callMode: 'callback_asap',
    } as const;
    const { id } = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'telegram',
      draft,
      now,
    });
    const oleg: DeskActor = { dispatcher: { id: 'oleg', name: 'Олег', telegramId: 7007 }, via: 'telegram' };
    const web: DeskActor = { dispatcher: { id: 'anna', name: 'Анна', login: 'anna' }, via: 'web' };
    expect((await desk.act(id, 'take', oleg)).ok).toBe(true);
    expect((await desk.reply(id, oleg, 'Ирина Павловна, перезвоню в 15:00')).ok).toBe(true);
    // Web actions are recorded by the staff area's hook (with the IP), not twice here.
    expect((await desk.act(id, 'wait', web)).ok).toBe(true);

    let rows: Array<{ actor: string; action: string; appeal_id: number | null; route: string }> = [];
    for (let i = 0; i < 50 && rows.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = await t.db
        .selectFrom('audit_log')
        .select(['actor', 'action', 'appeal_id', 'route'])
        .orderBy('id')
        .execute();
    }
    expect(rows).toEqual([
      { actor: 'telegram:oleg', action: 'appeal.take', appeal_id: id, route: 'staff-chat' },
      { actor: 'telegram:oleg', action: 'appeal.reply', appeal_id: id, route: 'staff-chat' },
    ]);
    const dump = JSON.stringify(await t.db.selectFrom('audit_log').selectAll().execute());
    expect(dump).not.toContain('перезвоню');
    expect(dump).not.toContain('Семёнова');
  });
});
