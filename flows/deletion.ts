import { DateTime } from 'luxon';
import { z } from 'zod';
import type { FlowContext, Msg, OutboundMessage, SystemEvent } from './types.ts';
import { msg } from './types.ts';

/**
 * «Удалить мои данные», the question: before confirming, the family is told exactly what it cancels — its
 * upcoming appointments (with dates), outreach subscriptions and open appeals. The runtime looks them up
 * (effect `previewDeletion` → event `deletionPreview`); the list is kept in the state so a re-asked question
 * shows it again.
 */
export const DeletionPreviewSchema = z.object({
  bookings: z.array(z.string()),
  subscriptions: z.array(z.string()),
  openAppeals: z.array(z.string()),
});
export type DeletionPreview = z.infer<typeof DeletionPreviewSchema>;

export type DeletionPreviewEvent = Extract<SystemEvent, { type: 'deletionPreview' }>;

export const previewOf = (event: DeletionPreviewEvent): DeletionPreview => ({
  bookings: event.bookings,
  subscriptions: event.subscriptions,
  openAppeals: event.openAppeals,
});

/** At most this many appointments are listed one by one; the rest are counted. */
const LISTED_BOOKINGS = 5;

export function deletionQuestion(preview: DeletionPreview | undefined, ctx: FlowContext): OutboundMessage {
  return {
    parts: [msg('delete-question'), ...cancelledLines(preview, ctx)],
    buttons: [
      [
        { label: msg('delete-yes'), payload: 'delete:yes' },
        { label: msg('delete-no'), payload: 'delete:no' },
      ],
    ],
  };
}

function cancelledLines(preview: DeletionPreview | undefined, ctx: FlowContext): Msg[][] {
  if (!preview) return [];
  const lines: Msg[] = [];
  const when = (iso: string) =>
    DateTime.fromISO(iso).setZone(ctx.center.timeZone).setLocale(ctx.locale).toFormat('dd.MM.yyyy HH:mm');
  if (preview.bookings.length > 0) {
    lines.push(msg('delete-cancels-bookings', { count: preview.bookings.length }));
    for (const iso of preview.bookings.slice(0, LISTED_BOOKINGS))
      lines.push(msg('delete-cancels-booking', { when: when(iso) }));
    const more = preview.bookings.length - LISTED_BOOKINGS;
    if (more > 0) lines.push(msg('delete-cancels-more', { count: more }));
  }
  if (preview.subscriptions.length > 0) {
    lines.push(
      msg('delete-cancels-subscriptions', {
        count: preview.subscriptions.length,
        settlements: preview.subscriptions.join(', '),
      }),
    );
  }
  if (preview.openAppeals.length > 0) {
    lines.push(
      msg('delete-cancels-appeals', {
        count: preview.openAppeals.length,
        numbers: preview.openAppeals.map((number) => `№ ${number}`).join(', '),
      }),
    );
  }
  return lines.length > 0 ? [[msg('delete-cancels-title'), ...lines]] : [[msg('delete-cancels-nothing')]];
}
