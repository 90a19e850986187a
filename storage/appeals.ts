import { type AppealDraft, formatAppealNumber } from '../domain/appeal.ts';
import type { Db } from './db.ts';
import { blankProgressCommentsOf } from './follow-ups.ts';
import type { Appeal } from './schema.ts';

export type CreatedAppeal = { id: number; number: string; callbackDueAt: Date | null };

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

/** "secondary" when the same contact has appealed before (the client card's kind). */
async function kindFor(db: Db, contactId: number): Promise<'primary' | 'secondary'> {
  const earlier = await db
    .selectFrom('appeals')
    .select('id')
    .where('contact_id', '=', contactId)
    .limit(1)
    .executeTakeFirst();
  return earlier ? 'secondary' : 'primary';
}

/** The human-facing number comes from the id, so it is set right after the insert. */
async function numbered(
  db: Db,
  inserted: { id: number; callback_due_at: Date | null },
  now: Date,
): Promise<CreatedAppeal> {
  const number = formatAppealNumber(inserted.id, now);
  await db.updateTable('appeals').set({ number }).where('id', '=', inserted.id).execute();
  return { id: inserted.id, number, callbackDueAt: inserted.callback_due_at };
}

/** Stores a submitted intake as a new appeal. */
export async function createAppeal(
  db: Db,
  input: { contactId: number; consentId: number; channel: string; draft: AppealDraft; now: Date },
): Promise<CreatedAppeal> {
  const { draft } = input;
  const kind = await kindFor(db, input.contactId);
  const inserted = await db
    .insertInto('appeals')
    .values({
      contact_id: input.contactId,
      consent_id: input.consentId,
      channel: input.channel,
      kind,
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
      urgent: draft.urgent === true,
      urgent_at: draft.urgent === true ? input.now : null,
      created_at: input.now,
      updated_at: input.now,
    })
    .returning(['id', 'callback_due_at'])
    .executeTakeFirstOrThrow();
  return numbered(db, inserted, input.now);
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

/**
 * A question passed from the chat to a dispatcher: an appeal without card fields (the chat is the way back),
 * so it gets the same staff card, SLA promise, hand-off and close as any other.
 */
export async function createQuestion(
  db: Db,
  input: { contactId: number; consentId: number; channel: string; text: string; dueAt: Date; now: Date },
): Promise<CreatedAppeal> {
  const kind = await kindFor(db, input.contactId);
  const inserted = await db
    .insertInto('appeals')
    .values({
      contact_id: input.contactId,
      consent_id: input.consentId,
      channel: input.channel,
      kind,
      form: 'messenger',
      purpose: 'other',
      need_text: input.text,
      contact_mode: 'phone',
      call_mode: 'chat_now',
      callback_due_at: input.dueAt,
      is_question: true,
      unread_at: input.now,
      created_at: input.now,
      updated_at: input.now,
    })
    .returning(['id', 'callback_due_at'])
    .executeTakeFirstOrThrow();
  return numbered(db, inserted, input.now);
}

/** The family's newest appeal that is still open (for «когда перезвонят?» and messages to a person). */
export async function latestOpenAppeal(db: Db, contactId: number): Promise<Appeal | undefined> {
  return db
    .selectFrom('appeals')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('status', '!=', 'closed')
    .where('anonymized_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The card fields of the family's newest full appeal, for «Всё ещё верно?» on return. */
export async function latestKnownCard(db: Db, contactId: number) {
  return db
    .selectFrom('appeals')
    .select(['full_name', 'address', 'marital_status', 'minor_children', 'birth_date', 'phone'])
    .where('contact_id', '=', contactId)
    .where('anonymized_at', 'is', null)
    .where('full_name', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** A family message arrived for staff: the inbox shows the appeal as unread until it is opened. */
export async function markAppealUnread(db: Db, appealId: number, now: Date): Promise<void> {
  await db.updateTable('appeals').set({ unread_at: now }).where('id', '=', appealId).execute();
}

export async function markAppealRead(db: Db, appealId: number): Promise<void> {
  await db
    .updateTable('appeals')
    .set({ unread_at: null })
    .where('id', '=', appealId)
    .where('unread_at', 'is not', null)
    .execute();
}
