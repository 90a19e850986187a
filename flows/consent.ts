import { localized } from '../config/center.ts';
import { formatWorkingHours } from '../domain/center-info.ts';
import type { FlowContext, OutboundMessage } from './types.ts';
import { msg } from './types.ts';

/** The center's name, phone, address and hours as Fluent arguments. */
export function centerArgs(ctx: FlowContext) {
  return {
    center: localized(ctx.center.name, ctx.locale),
    organisation: localized(ctx.center.organisation, ctx.locale),
    phone: ctx.center.phone,
    address: localized(ctx.center.address, ctx.locale),
    hours: formatWorkingHours(ctx.center, ctx.locale),
  };
}

const consentButtons = (withMore: boolean) => [
  [
    { label: msg('consent-yes'), payload: 'consent:yes' },
    { label: msg('consent-no'), payload: 'consent:no' },
  ],
  ...(withMore ? [[{ label: msg('consent-more'), payload: 'consent:more' }]] : []),
];

/**
 * The consent, short: three lines and «Подробнее» for the full text (both carry the version the person agrees
 * to). `purpose` says what it is for: an appeal, or a question for a dispatcher.
 */
export const consentQuestion = (
  ctx: FlowContext,
  purpose: 'appeal' | 'question' = 'appeal',
): OutboundMessage => ({
  parts: [msg('consent-text', { ...centerArgs(ctx), version: ctx.center.consent.version, purpose })],
  buttons: consentButtons(true),
});

export const consentFull = (ctx: FlowContext): OutboundMessage => ({
  parts: [msg('consent-full', { ...centerArgs(ctx), version: ctx.center.consent.version })],
  buttons: consentButtons(false),
});
