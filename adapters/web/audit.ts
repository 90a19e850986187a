/**
 * What the audit log calls each staff route. Every route of the staff API is recorded (an unknown one under its
 * method and pattern, so a new route is never silently missed); a few are not access to personal data and are
 * polled (schedules, broadcast progress). Reads of the same thing by the same person within a few minutes are
 * one entry: the inbox re-reads an open card every 5 s.
 */
export type AuditAction = {
  name: string;
  appealId?: number | null;
  objectId?: string | null;
  coalesceMs?: number;
};

const VIEW_COALESCE_MS = 5 * 60_000;

/** Not personal data and polled: no entry. */
const NOT_AUDITED = new Set(['GET /api/staff/outreach/visits', 'GET /api/staff/broadcasts/:id']);

const NAMES: Record<string, string> = {
  'GET /api/staff/appeals': 'appeals.list',
  'GET /api/staff/appeals/:id': 'appeal.view',
  'GET /api/staff/appeals/:id/history': 'appeal.history',
  'POST /api/staff/appeals/:id/reply': 'appeal.reply',
  'POST /api/staff/appeals/:id/survey': 'appeal.survey',
  'POST /api/staff/appeals/:id/follow-up': 'appeal.follow-up',
  'POST /api/staff/urgent/:id/ack': 'urgent.ack',
  'POST /api/staff/bookings/:id/cancel': 'booking.cancel',
  'POST /api/staff/route-items': 'route.add',
  'GET /api/staff/reports/summary': 'reports.summary',
  'GET /api/staff/reports/appeals.csv': 'reports.export',
  'POST /api/staff/outreach/cancellations': 'outreach.cancel',
  'POST /api/staff/outreach/changes': 'outreach.change',
  'POST /api/staff/outreach/extra-dates': 'outreach.extra',
  'POST /api/staff/broadcasts': 'broadcast.create',
  'POST /api/staff/broadcasts/:id/cancel': 'broadcast.cancel',
  'GET /api/staff/audit': 'audit.view',
};

/** Only short id-like values go into the log (never texts a dispatcher typed). */
const idLike = (value: unknown) =>
  (typeof value === 'string' || typeof value === 'number') && /^[\w.:-]{1,40}$/.test(String(value))
    ? String(value)
    : null;

const field = (source: unknown, key: string) =>
  source && typeof source === 'object' ? (source as Record<string, unknown>)[key] : undefined;

export function auditActionOf(
  method: string,
  route: string,
  params: Record<string, unknown>,
  query: unknown,
  body: unknown,
): AuditAction | undefined {
  const key = `${method} ${route}`;
  if (NOT_AUDITED.has(key)) return undefined;
  if (key === 'POST /api/staff/appeals/:id/:action') {
    const action = idLike(params.action) ?? 'unknown';
    return { name: `appeal.${action}` };
  }
  const name = NAMES[key] ?? key;
  const isRead = method === 'GET';
  const objectId =
    key === 'GET /api/staff/reports/appeals.csv' || key === 'GET /api/staff/reports/summary'
      ? [idLike(field(query, 'from')), idLike(field(query, 'to'))].join('..')
      : key === 'POST /api/staff/route-items'
        ? idLike(field(body, 'contactId'))
        : route.includes(':id') && !route.startsWith('/api/staff/appeals/:id')
          ? idLike(params.id)
          : null;
  const bodyAppeal = Number(field(body, 'appealId'));
  return {
    name,
    objectId,
    ...(key === 'POST /api/staff/route-items' &&
    Number.isSafeInteger(bodyAppeal) &&
    bodyAppeal > 0 &&
    bodyAppeal < 2 ** 31
      ? { appealId: bodyAppeal }
      : {}),
    // Exports are always recorded one by one; repeated reads of one screen are one view.
    ...(isRead && name !== 'reports.export' ? { coalesceMs: VIEW_COALESCE_MS } : {}),
  };
}
