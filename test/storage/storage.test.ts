import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppealDraft } from '../../domain/appeal.ts';
import {
  anonymizeAppealsOfContact,
  appealsAwaitingContact,
  createAppeal,
  getAppeal,
  markOverdueIfStillWaiting,
} from '../../storage/appeals.ts';
import { currentConsent, recordConsent, withdrawConsents } from '../../storage/consents.ts';
import { findContact, upsertContact } from '../../storage/contacts.ts';
import { loadConversationState, saveConversationState } from '../../storage/conversations.ts';
import { appendMessages, deleteMessages, messagesAfter } from '../../storage/messages.ts';
import { claimUpdate, pruneProcessedUpdates } from '../../storage/updates.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';

const NOW = new Date('2026-11-24T03:00:00Z');

const draft: AppealDraft = {
  fullName: 'Иванова Мария Петровна',
  address: 'пгт Грамотеино, ул. Светлая, 6',
  maritalStatus: 'not_married',
  minorChildren: 3,
  birthDate: '1988-03-05',
  phone: '+79131234567',
  purpose: 'lawyer',
  needText: 'Алименты',
  contactMode: 'phone',
  callMode: 'callback_asap',
  callbackDueAt: '2026-11-24T05:00:00.000Z',
};

describe.each(ENGINES)('storage on $name', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await engine.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('creates a contact once per channel identity', async () => {
    const first = await upsertContact(t.db, 'web', 'session-a', NOW);
    const again = await upsertContact(t.db, 'web', 'session-a', new Date(NOW.getTime() + 1000));
    const other = await upsertContact(t.db, 'telegram', 'session-a', NOW);
    expect(again.id).toBe(first.id);
    expect(again.last_seen_at.getTime()).toBe(NOW.getTime() + 1000);
    expect(other.id).not.toBe(first.id);
    expect((await findContact(t.db, 'web', 'session-a'))?.locale).toBe('ru');
  });

  it('tracks the consent in force: version, refusal and withdrawal', async () => {
    const contact = await upsertContact(t.db, 'web', 'consent-person', NOW);
    expect(await currentConsent(t.db, contact.id, 'v1')).toBeUndefined();
    const id = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v1',
      granted: true,
      at: NOW,
    });
    expect(await currentConsent(t.db, contact.id, 'v1')).toEqual({ id });
    // A new text version needs a new consent.
    expect(await currentConsent(t.db, contact.id, 'v2')).toBeUndefined();
    await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v1',
      granted: false,
      at: new Date(NOW.getTime() + 1000),
    });
    expect(await currentConsent(t.db, contact.id, 'v1')).toBeUndefined();
    const again = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v1',
      granted: true,
      at: new Date(NOW.getTime() + 2000),
    });
    expect(await currentConsent(t.db, contact.id, 'v1')).toEqual({ id: again });
    await withdrawConsents(t.db, contact.id, new Date(NOW.getTime() + 3000));
    expect(await currentConsent(t.db, contact.id, 'v1')).toBeUndefined();
  });

  it('stores an appeal card with number, kind and SLA deadline', async () => {
    const contact = await upsertContact(t.db, 'web', 'appeal-person', NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v1',
      granted: true,
      at: NOW,
    });
    const first = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft,
      now: NOW,
    });
    const second = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft,
      now: NOW,
    });
    expect(first.number).toMatch(/^2026-\d{5}$/);
    expect(first.callbackDueAt?.toISOString()).toBe(draft.callbackDueAt);
    const row = await getAppeal(t.db, first.id);
    expect(row).toMatchObject({
      number: first.number,
      kind: 'primary',
      form: 'messenger',
      channel: 'web',
      full_name: draft.fullName,
      birth_date: '1988-03-05',
      minor_children: 3,
      phone: '+79131234567',
      purpose: 'lawyer',
      status: 'new',
      consent_id: consentId,
    });
    expect((await getAppeal(t.db, second.id))?.kind).toBe('secondary');
  });

  it('finds appeals awaiting contact and flags a missed deadline exactly once', async () => {
    const contact = await upsertContact(t.db, 'web', 'sla-person', NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v1',
      granted: true,
      at: NOW,
    });
    const appeal = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft,
      now: NOW,
    });
    expect((await appealsAwaitingContact(t.db)).map((a) => a.id)).toContain(appeal.id);
    // Before the deadline nothing happens (a job that fires early must not flag).
    expect(await markOverdueIfStillWaiting(t.db, appeal.id, new Date('2026-11-24T04:59:00Z'))).toBe(false);
    expect(await markOverdueIfStillWaiting(t.db, appeal.id, new Date('2026-11-24T05:00:01Z'))).toBe(true);
    expect(await markOverdueIfStillWaiting(t.db, appeal.id, new Date('2026-11-24T05:10:00Z'))).toBe(false);
    expect((await appealsAwaitingContact(t.db)).map((a) => a.id)).not.toContain(appeal.id);
  });

  it('persists conversation state as JSON, arrays included', async () => {
    const contact = await upsertContact(t.db, 'web', 'state-person', NOW);
    expect(await loadConversationState(t.db, contact.id)).toBeUndefined();
    const state = { v: 1, step: 'address', draft: { fullName: 'А Б' }, trail: ['name'] };
    await saveConversationState(t.db, contact.id, state, NOW);
    await saveConversationState(t.db, contact.id, { ...state, trail: ['name', 'address'] }, NOW);
    expect(await loadConversationState(t.db, contact.id)).toEqual({ ...state, trail: ['name', 'address'] });
  });

  it('claims an update id once and prunes old claims', async () => {
    expect(await claimUpdate(t.db, 'web', 'u-1')).toBe(true);
    expect(await claimUpdate(t.db, 'web', 'u-1')).toBe(false);
    expect(await claimUpdate(t.db, 'telegram', 'u-1')).toBe(true);
    expect(await pruneProcessedUpdates(t.db, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(2);
    expect(await claimUpdate(t.db, 'web', 'u-1')).toBe(true);
  });

  it('keeps a transcript in order and deletes it on request', async () => {
    const contact = await upsertContact(t.db, 'web', 'transcript-person', NOW);
    const ids = await appendMessages(
      t.db,
      contact.id,
      'out',
      [{ text: 'one' }, { text: 'two', buttons: [[{ label: 'x', payload: 'y' }]] }],
      NOW,
    );
    expect(ids).toHaveLength(2);
    const after = await messagesAfter(t.db, contact.id, ids[0] ?? 0);
    expect(after.map((m) => m.body)).toEqual([{ text: 'two', buttons: [[{ label: 'x', payload: 'y' }]] }]);
    await deleteMessages(t.db, contact.id);
    expect(await messagesAfter(t.db, contact.id, 0)).toEqual([]);
  });

  it('anonymises appeals on deletion, keeping the anonymous statistics', async () => {
    const contact = await upsertContact(t.db, 'web', 'delete-person', NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v1',
      granted: true,
      at: NOW,
    });
    const appeal = await createAppeal(t.db, {
      contactId: contact.id,
      consentId,
      channel: 'web',
      draft,
      now: NOW,
    });
    expect(await anonymizeAppealsOfContact(t.db, contact.id, NOW)).toBe(1);
    const row = await getAppeal(t.db, appeal.id);
    expect(row).toMatchObject({
      full_name: null,
      birth_date: null,
      address: null,
      phone: null,
      need_text: null,
      contact_id: null,
      purpose: 'lawyer',
      minor_children: 3,
      channel: 'web',
    });
    expect(row?.anonymized_at).toBeInstanceOf(Date);
  });

  it('enforces the card constraints in the database', async () => {
    const contact = await upsertContact(t.db, 'web', 'constraint-person', NOW);
    const consentId = await recordConsent(t.db, {
      contactId: contact.id,
      channel: 'web',
      version: 'v1',
      granted: true,
      at: NOW,
    });
    await expect(
      createAppeal(t.db, {
        contactId: contact.id,
        consentId,
        channel: 'web',
        draft: { ...draft, minorChildren: 21 },
        now: NOW,
      }),
    ).rejects.toThrow();
    await expect(
      createAppeal(t.db, {
        contactId: contact.id,
        consentId,
        channel: 'web',
        draft: { ...draft, birthDate: '05.03.1988' },
        now: NOW,
      }),
    ).rejects.toThrow();
  });
});
