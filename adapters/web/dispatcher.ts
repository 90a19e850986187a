import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { CenterProfile } from '../../config/center.ts';
import type { Dispatcher, DispatcherDirectory } from '../../config/dispatchers.ts';
import { listAppeals } from '../../storage/appeals.ts';
import type { Db } from '../../storage/db.ts';

export type DispatcherPageOptions = { db: Db; center: CenterProfile; directory: DispatcherDirectory };

const escapeHtml = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The dispatcher login (HTTP basic auth against the configured dispatchers), shared by the inbox, the staff
 * API and this page. Returns who is acting, or undefined.
 */
export function authenticate(
  request: FastifyRequest,
  directory: DispatcherDirectory,
): Dispatcher | undefined {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return undefined;
  const [login = '', password = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(/:(.*)/s);
  return directory.verify(login, password);
}

function deny(reply: FastifyReply) {
  return reply
    .code(401)
    .header('www-authenticate', 'Basic realm="dispatcher", charset="UTF-8"')
    .type('text/plain; charset=utf-8')
    .send('Требуется вход диспетчера / Dispatcher login required');
}

/**
 * The dispatcher's queue (read-only for now: issue 6 adds take/reply/close). Personal data is shown only
 * behind the dispatcher login; the page is never cached.
 */
export function registerDispatcherPage(app: FastifyInstance, options: DispatcherPageOptions): void {
  app.get('/dispatcher', async (request, reply) => {
    if (!authenticate(request, options.directory)) return deny(reply);
    const appeals = await listAppeals(options.db, 200);
    const zone = options.center.timeZone;
    const when = (date: Date | null) =>
      date ? DateTime.fromJSDate(date).setZone(zone).toFormat('dd.MM HH:mm') : '—';
    const rows = appeals
      .map(
        (a) => `<tr class="${a.overdue_at ? 'overdue' : ''}">
  <td>${escapeHtml(a.number)}</td><td>${when(a.created_at)}</td><td>${escapeHtml(a.status)}${a.overdue_at ? ' ⚠️ просрочено' : ''}</td>
  <td>${escapeHtml(a.full_name ?? '(обезличено)')}</td><td>${escapeHtml(a.phone)}</td><td>${escapeHtml(a.address)}</td>
  <td>${escapeHtml(a.purpose)}${a.need_text ? `<br><small>${escapeHtml(a.need_text)}</small>` : ''}</td>
  <td>${escapeHtml(a.contact_mode)} ${escapeHtml(a.call_mode ?? '')}</td><td>${when(a.callback_due_at)}</td>
  <td>${escapeHtml(a.channel)} · ${escapeHtml(a.kind)}</td></tr>`,
      )
      .join('\n');
    const html = `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Обращения — диспетчер</title>
<meta http-equiv="refresh" content="30">
<style>body{font:14px system-ui,sans-serif;margin:16px}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccd;padding:4px 6px;text-align:left;vertical-align:top}tr.overdue{background:#fff0e6}</style>
</head><body><h1>Обращения (${appeals.length})</h1>
<table><thead><tr><th>№</th><th>Создано</th><th>Статус</th><th>ФИО</th><th>Телефон</th><th>Адрес</th><th>Вопрос</th><th>Формат</th><th>Связаться до</th><th>Канал</th></tr></thead>
<tbody>${rows || '<tr><td colspan="10">Пока нет обращений</td></tr>'}</tbody></table></body></html>`;
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  });
}
