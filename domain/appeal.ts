import { z } from 'zod';

/** Purposes of an appeal, from the client card (cases.md, 003_…txt:1038). */
export const PURPOSES = [
  'lawyer',
  'psychologist',
  'other_specialist',
  'social_services',
  'social_support',
  'gosuslugi',
  'other',
] as const;
export type Purpose = (typeof PURPOSES)[number];

export const CONTACT_MODES = ['phone', 'in_person'] as const;
export const CALL_MODES = ['chat_now', 'callback_asap', 'callback_window'] as const;
export const CALLBACK_WINDOWS = ['morning', 'afternoon'] as const;
export const MARITAL_STATUSES = ['married', 'not_married'] as const;

/** What the intake collects; persisted in the conversation state (only after consent) and then as an appeal. */
export const AppealDraftSchema = z.object({
  fullName: z.string(),
  address: z.string(),
  maritalStatus: z.enum(MARITAL_STATUSES),
  minorChildren: z.number().int().min(0).max(20),
  birthDate: z.string(), // ISO date
  phone: z.string(), // E.164
  purpose: z.enum(PURPOSES),
  needText: z.string().optional(),
  contactMode: z.enum(CONTACT_MODES),
  callMode: z.enum(CALL_MODES).optional(),
  callbackWindow: z.enum(CALLBACK_WINDOWS).optional(),
  /** When the center promised to get in touch (ISO instant); the SLA timer fires here. */
  callbackDueAt: z.string().optional(),
  callbackWindowFrom: z.string().optional(),
  /** A crisis signal came during this intake (issue 11 §4): the appeal is stored as urgent. */
  urgent: z.boolean().optional(),
});
export type AppealDraft = z.infer<typeof AppealDraftSchema>;

export const APPEAL_STATUSES = ['new', 'in_work', 'waiting', 'closed'] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];

/** Human-facing number: year and a zero-padded sequence, e.g. "2026-00042". */
export function formatAppealNumber(id: number, createdAt: Date): string {
  return `${createdAt.getUTCFullYear()}-${String(id).padStart(5, '0')}`;
}
