import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CenterProfile } from '../../config/center.ts';
import { parseCenterProfile } from '../../config/center.ts';
import { RetentionJob } from '../../scheduler/retention.ts';
import { noteAppealEvent } from '../../storage/appeal-lifecycle.ts';
import { upsertContact } from '../../storage/contacts.ts';
import { saveConversationState } from '../../storage/conversations.ts';
import { recordStaffPost } from '../../storage/dispatch.ts';
import { appendMessages } from '../../storage/messages.ts';
import { purgeAuditLog } from '../../storage/retention.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { familyWithAppeal } from '../support/families.ts';
import { loadBelovo, silentLogger, TUESDAY_10AM } from '../support/fixtures.ts';

const DAY_MS = 24 * 3600_000;
/** Tuesday 10:00 in Belovo: after the daily run time (03:30 local). Every date below is relative to it. */
const NOW = TUESDAY_10AM;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

describe('center profile: retention periods', () => {
  it('has defaults, and refuses periods too short to serve their purpose', async () => {
    const center = await loadBelovo();
    expect(center.retention).toMatchObject({
      transcriptDays: 365,
      anonymousContactDays: 30,
      draftDays: 7,
      closedAppealDays: 1095,
      urgentAlertDays: 90,
      auditLogDays: 1095,
    });
    const { retention: _retention, ...raw } = center as CenterProfile & Record<string, unknown>;
    expect(() => parseCenterProfile({ ...raw, retention: { transcriptDays: 3 } })).toThrow(/transcriptDays/);
  });
});

describe.each(ENGINES)('retention job on $name', (engine) => {
  let t: TestDatabase;
  let center: CenterProfile;

  beforeAll(async () => {
    t = await engine.create();
    center = await loadBelovo();
  });
  afterAll(async () => {
    await t.drop();
  });

  const job = (at: Date) => new RetentionJob({ db: t.db, center, logger: silentLogger, clock: () => at });
  const contactIds = async () =>
    (await t.db.selectFrom('contacts').select('external_id').orderBy('external_id').execute()).map(
      (row) => row.external_id,
    );

  async function closedFamily(externalId: string, closedDaysAgo: number, lastMessageDaysAgo: number) {
    const family = await familyWithAppeal(t.db, externalId, ago(closedDaysAgo + 10));
    await t.db
      .updateTable('appeals')
      .set({ status: 'closed', result: 'resolved', closed_at: ago(closedDaysAgo) })
      .where('id', '=', family.appealId)
      .execute();
    await t.db
      .updateTable('contacts')
      .set({ last_seen_at: ago(lastMessageDaysAgo) })
      .where('id', '=', family.contactId)
      .execute();
    await appendMessages(
      t.db,
      family.contactId,
      'in',
      [{ text: `${externalId}: Иванова пишет` }],
      ago(lastMessageDaysAgo),
    );
    return family;
  }

  it('applies every period once a day, keeping what is still needed and the anonymous statistics', async () => {
    // Anonymous visitors: idle 40 days → gone with their chat; idle 10 days → kept.
    const idle = await upsertContact(t.db, 'web', 'anon-idle', ago(40));
    await appendMessages(t.db, idle.id, 'out', [{ text: 'Здравствуйте' }], ago(40));
    await upsertContact(t.db, 'web', 'anon-recent', ago(10));
    // Closed 4 years ago: anonymised, and then the family (idle as long) goes too.
    const old = await closedFamily('closed-4y', 4 * 365, 4 * 365);
    await noteAppealEvent(
      t.db,
      { id: old.appealId, status: 'closed' },
      {
        at: ago(4 * 365),
        actor: 'web:anna',
        action: 'note',
        note: 'Иванова, телефон +79131234567',
      },
    );
    await recordStaffPost(t.db, '-100', 9001, old.appealId);
    // Closed 2 years ago, last message then: the transcript goes, the appeal's fields stay (3 years).
    const closed = await closedFamily('closed-2y', 2 * 365, 2 * 365);
    // Open appeal, silent for 2 years: the transcript is still needed.
    const open = await familyWithAppeal(t.db, 'open-2y', ago(2 * 365));
    await appendMessages(t.db, open.contactId, 'in', [{ text: 'Иванова ждёт звонка' }], ago(2 * 365));
    await t.db
      .updateTable('contacts')
      .set({ last_seen_at: ago(2 * 365) })
      .where('id', '=', open.contactId)
      .execute();
    // Drafts: a week-old unfinished intake goes; yesterday's stays.
    await saveConversationState(
      t.db,
      open.contactId,
      { v: 1, step: 'phone', draft: { fullName: 'Иванова' } },
      ago(8),
    );
    await saveConversationState(t.db, closed.contactId, { v: 1, step: 'phone', draft: {} }, ago(1));
    // Alerts: acknowledged 100 days ago → gone; 10 days ago or still open → kept.
    await t.db
      .insertInto('urgent_alerts')
      .values([
        {
          contact_id: open.contactId,
          channel: 'web',
          signal: 'suicide',
          created_at: ago(101),
          acknowledged_at: ago(100),
        },
        {
          contact_id: open.contactId,
          channel: 'web',
          signal: 'violence',
          created_at: ago(11),
          acknowledged_at: ago(10),
        },
        { contact_id: open.contactId, channel: 'web', signal: 'loss', created_at: ago(200) },
      ])
      .execute();
    await t.db
      .insertInto('inbound_events')
      .values([
        { channel: 'telegram', event_id: 'old', payload: '{"text":"Иванова"}', received_at: ago(8) },
        { channel: 'telegram', event_id: 'new', payload: '{}', received_at: ago(1) },
      ])
      .execute();

    const first = await job(NOW).tick();
    expect(first.daily).toEqual({
      appeals: 1,
      transcripts: 2,
      drafts: 1,
      contacts: 2,
      alerts: 1,
      inboundEvents: 1,
      auditLog: 0,
      staffErasures: 0,
    });
    expect(await contactIds()).toEqual(['anon-recent', 'closed-2y', 'open-2y']);
    const anonymised = await t.db
      .selectFrom('appeals')
      .selectAll()
      .where('id', '=', old.appealId)
      .executeTakeFirstOrThrow();
    expect(anonymised).toMatchObject({
      full_name: null,
      phone: null,
      address: null,
      contact_id: null,
      purpose: 'lawyer',
      minor_children: 3,
      status: 'closed',
      result: 'resolved',
    });
    const history = await t.db
      .selectFrom('appeal_events')
      .select(['action', 'note'])
      .where('appeal_id', '=', old.appealId)
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { action: 'note', note: null },
      { action: 'retention-anonymised', note: null },
    ]);
    expect(await t.db.selectFrom('staff_erasures').select('message_id').execute()).toEqual([
      { message_id: expect.anything() },
    ]);
    const kept = await t.db
      .selectFrom('appeals')
      .select('full_name')
      .where('id', '=', closed.appealId)
      .executeTakeFirstOrThrow();
    expect(kept.full_name).toBe('Иванова Мария Петровна');
    const transcripts = await t.db.selectFrom('messages').select('contact_id').execute();
    expect(transcripts.map((row) => row.contact_id)).toEqual([open.contactId]);
    expect(
      (await t.db.selectFrom('conversations').select('contact_id').execute()).map((r) => r.contact_id),
    ).toEqual([closed.contactId]);
    expect(
      (await t.db.selectFrom('urgent_alerts').select('signal').orderBy('signal').execute()).map(
        (r) => r.signal,
      ),
    ).toEqual(['loss', 'violence']);
    expect(
      (await t.db.selectFrom('inbound_events').select('event_id').execute()).map((r) => r.event_id),
    ).toEqual(['new']);

    // Later the same day, or in a second process: the day's run is done.
    expect((await job(new Date(NOW.getTime() + 3600_000)).tick()).daily).toBeUndefined();
  }, 60_000);

  it('runs the daily part once per local day however many processes tick at once, and not before its time', async () => {
    const nextDay = new Date(NOW.getTime() + DAY_MS);
    const ticks = await Promise.all([job(nextDay).tick(), job(nextDay).tick(), job(nextDay).tick()]);
    expect(ticks.filter((tick) => tick.daily !== undefined)).toHaveLength(1);
    // 02:00 local (19:00 UTC the day before): before the 03:30 run time.
    const early = new Date(Date.UTC(2026, 10, 26, 19, 0));
    expect((await job(early).tick()).daily).toBeUndefined();
    const runs = await t.db
      .selectFrom('retention_runs')
      .select(['day', 'finished_at'])
      .orderBy('day')
      .execute();
    expect(runs.map((run) => run.day)).toEqual(['2026-11-24', '2026-11-25']);
    expect(runs.every((run) => run.finished_at !== null)).toBe(true);
  }, 60_000);

  it('purges the append-only access log through the door its trigger leaves for retention only', async () => {
    const row = (at: Date) => ({
      at,
      actor: 'web:anna',
      action: 'view',
      method: 'GET',
      route: '/api/staff/appeals/:id',
      status: 200,
    });
    await t.db
      .insertInto('audit_log')
      .values([row(ago(4 * 365)), row(ago(10))])
      .execute();
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`update audit_log set actor = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
    expect(await purgeAuditLog(t.db, ago(center.retention.auditLogDays))).toBe(1);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.db);
    expect(rows[0]?.n).toBe(1);
    // The door closes with the purge's transaction.
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
  });
});
