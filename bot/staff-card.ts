import type { CenterProfile } from '../config/center.ts';
import { relativeMomentArgs } from '../domain/moments.ts';
import { summaryArgs } from '../flows/intake-steps.ts';
import type { OutboundMessage } from '../flows/types.ts';
import type { Appeal } from '../storage/schema.ts';

/**
 * The appeal card dispatchers see in their chat: the same fields the family checked before sending, plus
 * number, kind, channel and the moment the center promised to get in touch. Channel-neutral.
 */
export function staffCard(appeal: Appeal, center: CenterProfile, now: Date): OutboundMessage {
  const fields = summaryArgs(
    {
      fullName: appeal.full_name ?? '—',
      address: appeal.address ?? '—',
      maritalStatus: (appeal.marital_status ?? undefined) as 'married' | 'not_married' | undefined,
      minorChildren: appeal.minor_children ?? undefined,
      birthDate: appeal.birth_date ?? undefined,
      phone: appeal.phone ?? '—',
      purpose: appeal.purpose as never,
      needText: appeal.need_text ?? undefined,
      contactMode: appeal.contact_mode as never,
      callMode: (appeal.call_mode ?? undefined) as never,
      callbackWindow: (appeal.callback_window ?? undefined) as never,
    },
    center.timeZone,
  );
  const parts: OutboundMessage['parts'] = [
    {
      key: 'staff-card-header',
      args: {
        urgent: appeal.urgent ? 'yes' : 'no',
        number: appeal.number ?? String(appeal.id),
        kind: appeal.kind,
        channel: appeal.channel,
      },
    },
    { key: 'card-fields', args: fields },
  ];
  if (appeal.callback_due_at) {
    parts.push({
      key: 'staff-card-due',
      args: relativeMomentArgs(appeal.callback_due_at, now, center.timeZone),
    });
  }
  return { parts };
}
