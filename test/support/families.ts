import type { AppealDraft } from '../../domain/appeal.ts';
import { createAppeal } from '../../storage/appeals.ts';
import { recordConsent } from '../../storage/consents.ts';
import { upsertContact } from '../../storage/contacts.ts';
import type { Db } from '../../storage/db.ts';
import { messagesAfter } from '../../storage/messages.ts';

export const DRAFT: AppealDraft = {
  fullName: 'Иванова Мария Петровна',
  address: 'пгт Инской, ул. Ильича, 12',
  maritalStatus: 'married',
  minorChildren: 3,
  birthDate: '1990-01-01',
  phone: '+79131234567',
  purpose: 'lawyer',
  contactMode: 'phone',
  callMode: 'callback_asap',
};

/** A web-chat family with consent (of the given version) and one appeal. */
export async function familyWithAppeal(
  db: Db,
  externalId: string,
  now: Date,
  consentVersion = 'v',
): Promise<{ contactId: number; consentId: number; appealId: number; number: string }> {
  const contact = await upsertContact(db, 'web', externalId, now);
  const consentId = await recordConsent(db, {
    contactId: contact.id,
    channel: 'web',
    version: consentVersion,
    granted: true,
    at: now,
  });
  const appeal = await createAppeal(db, {
    contactId: contact.id,
    consentId,
    channel: 'web',
    draft: DRAFT,
    now,
  });
  return { contactId: contact.id, consentId, appealId: appeal.id, number: appeal.number };
}

/** Another appeal of the same family. */
export async function anotherAppeal(
  db: Db,
  family: { contactId: number; consentId: number },
  now: Date,
): Promise<{ appealId: number; number: string }> {
  const appeal = await createAppeal(db, { ...family, channel: 'web', draft: DRAFT, now });
  return { appealId: appeal.id, number: appeal.number };
}

export type SentMessage = { text: string; buttons?: Array<Array<{ label: string; payload: string }>> };

/** What the family was sent (the outbound ledger), oldest first. */
export async function sentTo(db: Db, contactId: number): Promise<SentMessage[]> {
  return (await messagesAfter(db, contactId, 0))
    .filter((message) => message.direction === 'out')
    .map((message) => message.body as SentMessage);
}
