import { type AppealDraft, formatAppealNumber } from '../domain/appeal.ts';
import type { Db } from './db.ts';
import { blankProgressCommentsOf } from './follow-ups.ts';
import type { Appeal } from './schema.ts';

export type CreatedAppeal = { id: number; number: string; callbackDueAt: Date | null };

/** Stores a submitted intake as a new appeal; "secondary" when the same contact has appealed before. */
/** Appeals a contact submitted since a moment (the daily cap counts them). */
export async function appealsSince(db: Db, contactId: number, since: Date): Promise<number> {
  const row = await db
    .selectFrom('appeals')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('contact_id', '=', contactId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function createAppeal(
  db: Db,
  input: { contactId: number; consentId: number; channel: string; draft: AppealDraft; now: Date },
): Promise<CreatedAppeal> {
  const { draft } = input;
  const earlier = await db
    .selectFrom('appeals')
    .select('id')
    .where('contact_id', '=', input.contactId)
    .limit(1)
    .executeTakeFirst();
  const inserted = await db
    .insertInto('appeals')
    .values({
      contact_id: input.contactId,
      consent_id: input.consentId,
      channel: input.channel,
      kind: earlier ? 'secondary' : 'primary',
      form: 'messenger',
      full_name: draft.fullName,
      birth_date: draft.birthDate,
      address: draft.address,
      marital_status: draft.maritalStatus,
      minor_children: draft.minorChildren,
      phone: draft.phone,
      purpose: draft.purpose,
      need_text: draft.needText ?? null,
      contact_mode: draft.contactMode,
      call_mode: draft.callMode ?? null,
      callback_window: draft.callbackWindow ?? null,
      callback_window_from: draft.callbackWindowFrom ?? null,
      callback_due_at: draft.callbackDueAt ?? null,
      created_at: input.now,
      updated_at: input.now,
    })
    .returning(['id', 'callback_due_at'])
    .executeTakeFirstOrThrow();
  const number = formatAppealNumber(inserted.id, input.now);
  await db.updateTable('appeals').set({ number }).where('id', '=', inserted.id).execute();
  return { id: inserted.id, number, callbackDueAt: inserted.callback_due_at };
}

export async function getAppeal(db: Db, id: number): Promise<Appeal | undefined> {
  return db.selectFrom('appeals').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Appeals still waiting for the center's first contact: the SLA timer must exist for each of them. */
export async function appealsAwaitingContact(db: Db): Promise<Array<{ id: number; callbackDueAt: Date }>> {
  const rows = await db
    .selectFrom('appeals')
    .select(['id', 'callback_due_at'])
    .where('status', '=', 'new')
    .where('overdue_at', 'is', null)
    .where('callback_due_at', 'is not', null)
    .execute();
  return rows.flatMap((row) =>
    row.callback_due_at ? [{ id: row.id, callbackDueAt: row.callback_due_at }] : [],
  );
}

/** Flags an appeal whose callback promise was missed; idempotent, so a redelivered job changes nothing. */
export async function markOverdueIfStillWaiting(db: Db, id: number, now: Date): Promise<boolean> {
  const rows = await db
    .updateTable('appeals')
    .set({ overdue_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'new')
    .where('overdue_at', 'is', null)
    .where('callback_due_at', '<=', now)
    .returning('id')
    .execute();
  return rows.length > 0;
}

/**
 * Deletion on request: blanks every personal field. Purpose, channel, dates and the number of children stay,
 * unlinked from any person, for the center's anonymous reports (families and children served).
 */
export async function anonymizeAppealsOfContact(db: Db, contactId: number, now: Date): Promise<number> {
  // The family's own words about progress go too (before the appeals are unlinked from the contact).
  await blankProgressCommentsOf(db, contactId);
  const rows = await db
    .updateTable('appeals')
    .set({
      full_name: null,
      birth_date: null,
      address: null,
      marital_status: null,
      phone: null,
      need_text: null,
      contact_id: null,
      anonymized_at: now,
      updated_at: now,
    })
    .where('contact_id', '=', contactId)
    .returning('id')
    .execute();
  return rows.length;
}
