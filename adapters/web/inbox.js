(() => {
  // Everything that came from families or the database is put on the page with textContent only.
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 5000;
  const L = {
    status: { new: 'Новое', in_work: 'В работе', waiting: 'Ожидание', closed: 'Закрыто' },
    tabs: [
      ['new', 'Новые'],
      ['in_work', 'В работе'],
      ['waiting', 'Ожидание'],
      ['closed', 'Закрытые'],
      ['all', 'Все'],
      ['overdue', 'Просроченные'],
    ],
    purpose: {
      lawyer: 'Консультация юриста',
      psychologist: 'Консультация психолога',
      other_specialist: 'Другой специалист',
      social_services: 'Социальные услуги',
      social_support: 'Социальное сопровождение',
      gosuslugi: 'Помощь с Госуслугами',
      other: 'Другое',
    },
    contactMode: { phone: 'по телефону', in_person: 'личный приём' },
    callMode: {
      chat_now: 'написать в чат сейчас',
      callback_asap: 'перезвонить',
      callback_window: 'перезвонить в удобное время',
    },
    callbackWindow: { morning: 'до обеда', afternoon: 'после обеда' },
    channel: { web: 'веб-чат', telegram: 'Telegram', vk: 'ВКонтакте' },
    kind: { primary: 'первичное', secondary: 'вторичное' },
    marital: { married: 'в браке', not_married: 'не в браке' },
    result: {
      resolved: 'решено',
      partly: 'решено частично',
      not_resolved: 'не решено',
      withdrawn: 'отозвано семьёй',
    },
    action: {
      take: 'взял(а) в работу',
      wait: 'перевёл(а) в ожидание',
      'callback-done': 'перезвонил(а)',
      close: 'закрыл(а)',
      reopen: 'вернул(а) в работу',
      reply: 'ответил(а) семье',
      route: 'добавил(а) пункт маршрута',
      'follow-up': 'согласовал(а) время связи',
    },
    via: { web: 'веб', telegram: 'Telegram' },
    answer: { yes: 'да', no: 'нет', partly: 'частично' },
    booking: {
      held: 'бронь',
      confirmed: 'записан(а)',
      cancelled: 'отменено',
      expired: 'бронь истекла',
      attended: 'пришёл(ла)',
      missed: 'не пришёл(ла)',
    },
  };
  const ERRORS = {
    not_found: 'Обращение не найдено — возможно, его удалили.',
    not_allowed:
      'Это действие сейчас невозможно: статус обращения уже изменился (возможно, его взял другой диспетчер). Данные обновлены.',
    result_required: 'Выберите результат, с которым закрываете обращение.',
    anonymised: 'Семья удалила свои данные: обращение можно только закрыть.',
    closed: 'Обращение закрыто. Верните его в работу, чтобы написать семье.',
    no_contact: 'Чат семьи недоступен (семья удалила данные или заблокировала бота).',
    completed: 'Семья уже ответила на опрос.',
    not_closed: 'Опрос отправляется только после закрытия обращения.',
    unauthorised: 'Сеанс завершён — войдите снова.',
    unsupported_media_type: 'Сервер отклонил запрос (неверный формат). Обновите страницу.',
    internal: 'Ошибка на сервере. Попробуйте ещё раз через минуту.',
  };

  let tz = 'UTC';
  let filter = 'new';
  let current = null;
  let detail = null;
  let lastMessageId = 0;
  let polling = false;
  let listSignature = '';
  let detailSignature = '';

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const label = (table, value) => (value == null || value === '' ? '—' : table[value] || String(value));

  const when = (iso, withYear) => {
    if (!iso) return '—';
    const options = { timeZone: tz, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' };
    if (withYear) options.year = 'numeric';
    return new Intl.DateTimeFormat('ru-RU', options).format(new Date(iso));
  };
  const birthDate = (iso) =>
    /^\d{4}-\d{2}-\d{2}$/.test(iso || '') ? iso.split('-').reverse().join('.') : iso || '—';

  /** "2026-11-26T15:00" typed in the center's time zone → an ISO instant (the dispatcher's computer may differ). */
  function zonedIso(value) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value || '');
    if (!m) return null;
    const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    const offsetAt = (ms) => {
      const parts = {};
      for (const p of new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }).formatToParts(new Date(ms)))
        parts[p.type] = p.value;
      return (
        Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - ms
      );
    };
    let ms = wall - offsetAt(wall);
    ms = wall - offsetAt(ms);
    return new Date(ms).toISOString();
  }

  async function api(method, url, body) {
    const init = { method, credentials: 'same-origin', cache: 'no-store', headers: {} };
    // Staff POSTs are JSON only (the server's guard against cross-site forms), so even "no body" is "{}".
    if (method !== 'GET') {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body || {});
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      const error = new Error('network');
      error.text = 'Нет связи с сервером. Проверьте подключение и попробуйте ещё раз.';
      throw error;
    }
    const data = await response.json().catch(() => ({}));
    // The session ended (idle timeout, logout elsewhere, account removed): back to the login form.
    if (response.status === 401) location.assign(`/dispatcher/login?expired=1${location.hash}`);
    if (!response.ok) {
      const error = new Error(data.message || response.statusText);
      error.status = response.status;
      error.code = data.error;
      error.detail = data.message;
      error.text =
        ERRORS[data.error] ||
        (response.status === 400
          ? `Проверьте введённые данные: ${data.message || ''}`
          : `Ошибка ${response.status}${data.message ? `: ${data.message}` : ''}`);
      throw error;
    }
    return data;
  }

  function notice(text, kind) {
    const box = $('notice');
    box.textContent = text || '';
    box.className = kind || '';
  }

  // ---- list ----
  function renderTabs(counts) {
    const tabs = $('tabs');
    tabs.textContent = '';
    for (const [key, name] of L.tabs) {
      const button = el('button', key === 'overdue' ? 'late' : '', name);
      button.type = 'button';
      button.dataset.filter = key;
      button.setAttribute('aria-pressed', String(filter === key));
      button.appendChild(el('span', 'count', counts ? counts[key] : ''));
      button.addEventListener('click', () => {
        filter = key;
        refreshList();
      });
      tabs.appendChild(button);
    }
  }

  function renderList(appeals) {
    const list = $('list');
    list.textContent = '';
    $('empty').hidden = appeals.length > 0;
    for (const a of appeals) {
      const li = el(
        'li',
        (a.overdue ? 'late ' : '') + (a.urgent ? 'urgent ' : '') + (a.id === current ? 'current' : ''),
      );
      li.dataset.id = a.id;
      const button = el('button');
      button.type = 'button';
      const row1 = el('span', 'row1');
      row1.appendChild(el('span', '', `№ ${a.number}`));
      const badges = el('span');
      // A crisis signal came with this appeal: the server lists the open ones first.
      if (a.urgent) {
        badges.appendChild(el('span', 'badge urgent', '🚨 срочно'));
        badges.appendChild(document.createTextNode(' '));
      }
      badges.appendChild(el('span', `badge ${a.status}`, label(L.status, a.status)));
      if (a.overdue) {
        badges.appendChild(document.createTextNode(' '));
        badges.appendChild(el('span', 'badge late', 'просрочено'));
      }
      if (a.unread) {
        badges.appendChild(document.createTextNode(' '));
        badges.appendChild(el('span', 'badge unread', '✉ новое сообщение'));
      }
      if (a.question) {
        badges.appendChild(document.createTextNode(' '));
        badges.appendChild(el('span', 'badge question', 'вопрос из чата'));
      }
      row1.appendChild(badges);
      button.appendChild(row1);
      button.appendChild(
        el(
          'span',
          'sub',
          [a.anonymised ? '(данные удалены)' : a.fullName, a.place].filter(Boolean).join(' · '),
        ),
      );
      button.appendChild(el('br'));
      button.appendChild(
        el(
          'span',
          'sub',
          `${label(L.purpose, a.purpose)} · ${label(L.contactMode, a.contactMode)}${a.callMode ? `, ${label(L.callMode, a.callMode)}` : ''}`,
        ),
      );
      button.appendChild(el('br'));
      const facts = [`создано ${when(a.createdAt)}`, label(L.channel, a.channel), label(L.kind, a.kind)];
      if (a.callbackDueAt && a.status !== 'closed') facts.push(`связаться до ${when(a.callbackDueAt)}`);
      if (a.takenBy) facts.push(`ведёт: ${a.takenBy}`);
      button.appendChild(el('span', 'sub', facts.join(' · ')));
      button.addEventListener('click', () => open(a.id));
      li.appendChild(button);
      list.appendChild(li);
    }
  }

  // ---- the holiday calendar: next year's Government decree must be put into the center profile ----
  function renderCalendarWarning(year) {
    const box = $('calendar-warning');
    box.hidden = !year;
    box.textContent = year
      ? `⚠️ Переносы выходных на ${year} год (постановление Правительства) не внесены в профиль центра ` +
        `(calendar.holidays, calendar.workingWeekends, затем calendar.transfersConfigured). Пока их нет, ` +
        `сроки, слоты и напоминания учитывают только праздники по ст. 112 ТК РФ.`
      : '';
  }

  // ---- crisis alerts: above everything until a dispatcher acknowledges them ----
  const SIGNALS = {
    suicide: 'суицидальные мысли',
    violence: 'насилие, жестокое обращение',
    sexual_violence: 'сексуальное насилие',
    child_danger: 'угроза ребёнку',
    loss: 'потеря близкого',
    emergency: 'чрезвычайная ситуация',
  };
  let urgentSignature = '';
  function renderUrgent(alerts) {
    const signature = JSON.stringify(alerts);
    if (signature === urgentSignature) return;
    urgentSignature = signature;
    const list = $('urgent');
    list.replaceChildren();
    list.hidden = alerts.length === 0;
    for (const alert of alerts) {
      const li = document.createElement('li');
      const when = new Date(alert.at).toLocaleString('ru-RU', {
        timeZone: tz,
        day: '2-digit',
        month: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      });
      const repeats = alert.repeats > 0 ? ` Повторных сигналов: ${alert.repeats}.` : '';
      li.textContent = `🚨 СРОЧНО ${when}: ${SIGNALS[alert.signal] || alert.signal}, канал ${alert.channel}, контакт #${alert.contactId ?? '—'}. Свяжитесь с семьёй вне очереди.${repeats}`;
      const ack = document.createElement('button');
      ack.type = 'button';
      ack.textContent = 'Принято';
      ack.addEventListener('click', async () => {
        ack.disabled = true;
        try {
          await api('POST', `/api/staff/urgent/${alert.id}/ack`, {});
          li.remove();
        } catch (error) {
          ack.disabled = false;
          notice(error.text || String(error), 'error');
        }
      });
      li.append(ack);
      list.append(li);
    }
  }

  // ---- broadcasts to outreach subscribers: who, confirm, then progress until it is done ----
  const BC_ERRORS = {
    unavailable: 'Рассылки недоступны: сервис работает без Redis.',
    bad_request: 'Проверьте текст и получателей.',
  };
  async function loadBroadcastTargets() {
    const data = await api('GET', '/api/staff/outreach/visits?days=1');
    const box = $('bc-settlements');
    const legend = document.createElement('legend');
    legend.textContent = 'Кому';
    box.replaceChildren(legend);
    const all = document.createElement('label');
    const allBox = document.createElement('input');
    allBox.type = 'checkbox';
    allBox.id = 'bc-all';
    const total = Object.values(data.subscribers).reduce((sum, n) => sum + n, 0);
    all.append(allBox, ` Все подписчики (${total})`);
    box.append(all);
    for (const [settlement, count] of Object.entries(data.subscribers)) {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.value = settlement;
      input.className = 'bc-settlement';
      label.append(input, ` ${settlement} (${count})`);
      box.append(label);
    }
  }
  function showBroadcast(p) {
    const state = p.status === 'finished' ? 'завершена' : p.status === 'cancelled' ? 'остановлена' : 'идёт';
    $('bc-progress').textContent =
      `Рассылка №${p.id} ${state}: отправлено ${p.sent} из ${p.total}, ждут ${p.pending}, ` +
      `заблокировали бота ${p.blocked}, ошибок ${p.failed}` +
      (p.messagesPerSecond ? `, ${p.messagesPerSecond} сообщ./с` : '');
  }
  $('bc-panel').addEventListener('toggle', () => {
    if ($('bc-panel').open)
      loadBroadcastTargets().catch((error) => {
        $('bc-progress').textContent = error.text || String(error);
      });
  });
  $('bc-send').addEventListener('click', async () => {
    const text = $('bc-text').value.trim();
    const settlements = [...document.querySelectorAll('.bc-settlement:checked')].map((input) => input.value);
    const everyone = $('bc-all')?.checked;
    if (!text) {
      $('bc-progress').textContent = 'Напишите текст рассылки.';
      return;
    }
    if (!everyone && settlements.length === 0) {
      $('bc-progress').textContent = 'Выберите, кому отправить.';
      return;
    }
    if (!window.confirm('Отправить рассылку выбранным подписчикам? Отменить отправленное будет нельзя.'))
      return;
    const button = $('bc-send');
    button.disabled = true;
    try {
      let progress = await api('POST', '/api/staff/broadcasts', {
        text,
        segment: everyone ? { all: true } : { settlements },
      });
      showBroadcast(progress);
      while (progress.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        progress = await api('GET', `/api/staff/broadcasts/${progress.id}`);
        showBroadcast(progress);
      }
      $('bc-text').value = '';
    } catch (error) {
      $('bc-progress').textContent = BC_ERRORS[error.code] || error.text || String(error);
    } finally {
      button.disabled = false;
    }
  });

  // ---- access log (administrators) ----
  let auditNext = null;
  async function loadAudit(more) {
    const data = await api(
      'GET',
      `/api/staff/audit?limit=50${more && auditNext ? `&before=${auditNext}` : ''}`,
    );
    const rows = $('audit-rows');
    if (!more) rows.textContent = '';
    for (const entry of data.entries) {
      const tr = el('tr');
      for (const value of [
        when(entry.at),
        entry.actorName,
        entry.action,
        entry.appealId ? `№ ${entry.appealId}` : '',
        entry.objectId || '',
        String(entry.status),
        entry.ip || '',
      ]) {
        tr.appendChild(el('td', '', value));
      }
      rows.appendChild(tr);
    }
    auditNext = data.next;
    $('audit-more').hidden = !auditNext;
    $('audit-status').textContent = rows.children.length ? '' : 'Записей нет.';
  }
  $('audit-panel').addEventListener('toggle', () => {
    if ($('audit-panel').open)
      loadAudit(false).catch((error) => {
        $('audit-status').textContent = error.text || String(error);
      });
  });
  $('audit-more').addEventListener('click', () =>
    loadAudit(true).catch((error) => {
      $('audit-status').textContent = error.text || String(error);
    }),
  );
  $('logout').addEventListener('click', async () => {
    await fetch('/dispatcher/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }).catch(() => {});
    location.assign('/dispatcher/login');
  });

  async function refreshList() {
    const query = filter === 'overdue' ? 'status=all&overdue=1' : `status=${filter}`;
    const data = await api('GET', `/api/staff/appeals?${query}`);
    renderUrgent(data.urgent || []);
    renderCalendarWarning(data.calendarTransfersMissing);
    tz = data.timeZone || tz;
    $('me').textContent = `Вы вошли как: ${data.me.name}`;
    $('audit-panel').hidden = data.me.role !== 'admin';
    // Redrawn only when something changed, so a poll does not take away the dispatcher's focus or scroll.
    const signature = JSON.stringify([filter, current, data.counts, data.appeals]);
    if (signature === listSignature) return;
    listSignature = signature;
    const scroll = $('list').scrollTop;
    renderTabs(data.counts);
    renderList(data.appeals);
    $('list').scrollTop = scroll;
  }

  // ---- one appeal ----
  function open(id) {
    if (current !== id) {
      current = id;
      detail = null;
      detailSignature = '';
      lastMessageId = 0;
      $('transcript').textContent = '';
      notice('');
      for (const field of ['reply-text', 'wait-note', 'close-note', 'close-result', 'follow-up-at'])
        $(field).value = '';
      $('route-form').reset();
    }
    if (location.hash !== `#appeal-${id}`) history.replaceState(null, '', `#appeal-${id}`);
    for (const li of $('list').children) li.classList.toggle('current', Number(li.dataset.id) === id);
    return refreshDetail().catch((error) => notice(error.text || String(error), 'error'));
  }

  function cardRows(a) {
    const format =
      label(L.contactMode, a.contactMode) +
      (a.callMode ? `, ${label(L.callMode, a.callMode)}` : '') +
      (a.callbackWindow ? ` (${label(L.callbackWindow, a.callbackWindow)})` : '');
    return [
      ['ФИО', a.anonymised ? '(семья удалила свои данные)' : a.fullName],
      ['Дата рождения', birthDate(a.birthDate)],
      ['Адрес', a.address],
      ['Телефон', a.phone, 'phone'],
      ['Семейное положение', label(L.marital, a.maritalStatus)],
      ['Несовершеннолетних детей', a.minorChildren],
      ['Вопрос', label(L.purpose, a.purpose)],
      ['Описание', a.needText],
      ['Формат связи', format],
      ['Связаться до', when(a.callbackDueAt)],
      ['Перезвонили', a.callbackDoneAt ? when(a.callbackDoneAt) : 'нет'],
      ['Канал', `${label(L.channel, a.channel)} · ${label(L.kind, a.kind)}`],
      ['Создано', when(a.createdAt, true)],
      ['Куратор', a.taken ? `${a.taken.name} (${label(L.via, a.taken.via)})` : 'не назначен'],
      [
        'Результат',
        a.result ? label(L.result, a.result) + (a.closedAt ? `, закрыто ${when(a.closedAt)}` : '') : '—',
      ],
    ];
  }

  function renderCard(a) {
    $('d-title').textContent = `Обращение № ${a.number}`;
    $('d-status').textContent = label(L.status, a.status);
    $('d-status').className = `badge ${a.status}`;
    $('d-late').hidden = !a.overdue;
    $('d-urgent').hidden = !a.urgent;
    const dl = $('card');
    dl.textContent = '';
    for (const [name, value, kind] of cardRows(a)) {
      dl.appendChild(el('dt', '', name));
      const dd = el('dd');
      const text = value === null || value === undefined || value === '' ? '—' : String(value);
      if (kind === 'phone' && /^\+?\d{5,15}$/.test(text)) {
        const link = el('a', '', text);
        link.href = `tel:${text}`;
        dd.appendChild(link);
      } else dd.textContent = text;
      dl.appendChild(dd);
    }
    const isOpen = a.status !== 'closed';
    const live = !a.anonymised;
    $('a-take').disabled = !live || !['new', 'waiting'].includes(a.status);
    $('a-wait').disabled = !live || a.status !== 'in_work';
    $('a-callback').disabled = !live || !isOpen;
    $('a-reopen').disabled = !live || isOpen;
    $('a-survey').hidden = isOpen || !a.hasChat;
    $('a-reply').disabled = !live || !isOpen || !a.hasChat;
    $('a-close').disabled = !isOpen;
    $('a-route').disabled = !live || !a.hasChat;
    $('a-follow-up').disabled = !live;
  }

  function renderHistory(events) {
    const ul = $('history');
    ul.textContent = '';
    for (const e of events) {
      const who = e.actor
        ? e.actor.name + (e.actor.via !== 'system' ? ` (${label(L.via, e.actor.via)})` : '')
        : '';
      let line = `${when(e.at)} — ${who} ${label(L.action, e.action)}`;
      if (e.from !== e.to && e.to) line += `: ${label(L.status, e.from)} → ${label(L.status, e.to)}`;
      if (e.note && e.action !== 'route')
        line += ` · ${e.note.replace(/^result: (\w+)$/, (_, r) => `результат: ${label(L.result, r)}`)}`;
      ul.appendChild(el('li', '', line));
    }
    if (!events.length) ul.appendChild(el('li', 'sub', 'Пока ничего не происходило'));
  }

  function renderTranscript(messages) {
    const box = $('transcript');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    for (const m of messages) {
      if (m.id <= lastMessageId) continue;
      lastMessageId = m.id;
      const bubble = el('div', `msg ${m.direction}${m.status === 'failed' ? ' failed' : ''}`);
      bubble.dataset.id = m.id;
      bubble.appendChild(
        el(
          'span',
          'meta',
          `${m.direction === 'in' ? 'Семья' : 'Бот / диспетчер'} · ${when(m.at)}${m.status === 'failed' ? ' · не доставлено' : ''}`,
        ),
      );
      bubble.appendChild(document.createTextNode(m.text || ''));
      if (m.buttons?.length) bubble.appendChild(el('span', 'choices', `Кнопки: ${m.buttons.join(' | ')}`));
      box.appendChild(bubble);
    }
    if (!box.children.length)
      box.appendChild(
        el('div', 'sub', detail && !detail.appeal.hasChat ? 'Чат семьи недоступен' : 'Сообщений нет'),
      );
    else if (box.firstChild.classList.contains('sub') && box.children.length > 1) box.firstChild.remove();
    if (atBottom || messages.length) box.scrollTop = box.scrollHeight;
  }

  function renderBookings(items) {
    const ul = $('bookings');
    ul.textContent = '';
    for (const b of items) {
      const where =
        b.kind === 'partner'
          ? [b.org, b.address, b.person, b.phone].filter(Boolean).join(', ')
          : `специалист ${b.specialistId || ''}${b.format ? ` (${b.format})` : ''}`;
      ul.appendChild(el('li', '', `${when(b.startsAt)} — ${where} · ${label(L.booking, b.status)}`));
    }
    if (!items.length) ul.appendChild(el('li', 'sub', 'Пунктов маршрута нет'));
  }

  function renderSurvey(survey) {
    const box = $('survey');
    box.textContent = '';
    if (!survey) {
      box.appendChild(el('span', 'sub', 'Не отправлялся (отправляется при закрытии)'));
      return;
    }
    const answers = Object.entries(survey.answers);
    box.appendChild(
      el(
        'div',
        '',
        `Отправлен ${when(survey.sentAt)} · ответов: ${answers.length} из 7${survey.completedAt ? ` · завершён ${when(survey.completedAt)}` : ' · не завершён'}`,
      ),
    );
    if (answers.length)
      box.appendChild(el('div', 'sub', answers.map(([q, a]) => `в${q}: ${label(L.answer, a)}`).join(', ')));
    if (survey.comment) box.appendChild(el('div', '', `Комментарий: ${survey.comment}`));
  }

  async function refreshDetail() {
    if (current === null) return;
    const id = current;
    const data = await api('GET', `/api/staff/appeals/${id}?after=${lastMessageId}`);
    if (id !== current) return; // another appeal was opened meanwhile
    tz = data.timeZone || tz;
    detail = data;
    $('placeholder').hidden = true;
    $('detail').hidden = false;
    renderTranscript(data.transcript);
    const signature = JSON.stringify([data.appeal, data.history, data.bookings, data.survey]);
    if (signature === detailSignature) return;
    detailSignature = signature;
    renderCard(data.appeal);
    renderHistory(data.history);
    renderBookings(data.bookings);
    renderSurvey(data.survey);
  }

  // ---- actions ----
  async function act(button, run, done) {
    if (current === null) return;
    button.disabled = true;
    notice('Отправляю…');
    try {
      const result = await run(current);
      notice(typeof done === 'function' ? done(result) : done, 'ok');
    } catch (error) {
      notice(error.text || String(error.message || error), 'error');
    } finally {
      button.disabled = false;
      detailSignature = ''; // redraw: the buttons' states follow the appeal's status again
      await Promise.all([refreshList(), refreshDetail()]).catch(() => {});
    }
  }
  const post = (path, body) => (id) => api('POST', `/api/staff/appeals/${id}/${path}`, body);

  $('a-take').addEventListener('click', (e) =>
    act(
      e.currentTarget,
      post('take'),
      'Обращение взято в работу; семья получила сообщение, кто им занимается.',
    ),
  );
  $('a-callback').addEventListener('click', (e) =>
    act(e.currentTarget, post('callback-done'), 'Отмечено: Вы связались с семьёй.'),
  );
  $('a-reopen').addEventListener('click', (e) =>
    act(e.currentTarget, post('reopen'), 'Обращение снова в работе.'),
  );
  $('a-survey').addEventListener('click', (e) =>
    act(e.currentTarget, post('survey'), 'Опрос отправлен семье.'),
  );
  $('a-wait').addEventListener('click', (e) => {
    const note = $('wait-note').value.trim();
    act(e.currentTarget, post('wait', note ? { note } : {}), 'Обращение переведено в ожидание.').then(() => {
      if ($('notice').className === 'ok') $('wait-note').value = '';
    });
  });
  $('a-close').addEventListener('click', (e) => {
    const result = $('close-result').value;
    if (!result) {
      notice(ERRORS.result_required, 'error');
      $('close-result').focus();
      return;
    }
    const note = $('close-note').value.trim();
    act(
      e.currentTarget,
      post('close', note ? { result, note } : { result }),
      'Обращение закрыто; семье отправлен опрос.',
    );
  });
  function sendReply(button) {
    const text = $('reply-text').value.trim();
    if (!text) {
      notice('Напишите текст ответа.', 'error');
      $('reply-text').focus();
      return;
    }
    act(
      button,
      async (id) => {
        const r = await post('reply', { text })(id);
        $('reply-text').value = '';
        return r;
      },
      (r) => (r.took ? 'Ответ отправлен; обращение взято Вами в работу.' : 'Ответ отправлен семье.'),
    );
  }
  $('a-reply').addEventListener('click', (e) => sendReply(e.currentTarget));
  $('reply-text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      sendReply($('a-reply'));
    }
  });
  $('a-follow-up').addEventListener('click', (e) => {
    const at = zonedIso($('follow-up-at').value);
    if (!at) {
      notice('Укажите дату и время связи.', 'error');
      return;
    }
    act(
      e.currentTarget,
      async (id) => {
        try {
          return await post('follow-up', { at })(id);
        } catch (error) {
          // Until the server knows this action it answers "not found" (or names it an unknown action).
          if (error.status === 404 || (error.status === 400 && /action/.test(error.detail || ''))) {
            error.text =
              'Сохранение согласованного времени пока недоступно на этом сервере. Запишите время в комментарий к ожиданию.';
          }
          throw error;
        }
      },
      'Согласованное время связи сохранено.',
    );
  });
  $('route-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const org = $('r-org').value.trim();
    const startsAt = zonedIso($('r-starts').value);
    if (!org) {
      notice('Укажите организацию.', 'error');
      return;
    }
    if (!startsAt) {
      notice('Укажите дату и время приёма.', 'error');
      return;
    }
    if (Date.parse(startsAt) <= Date.now()) {
      notice('Время приёма уже прошло — укажите будущее время.', 'error');
      return;
    }
    const endsAt = zonedIso($('r-ends').value);
    if ($('r-ends').value && (!endsAt || Date.parse(endsAt) <= Date.parse(startsAt))) {
      notice('Окончание должно быть позже начала.', 'error');
      return;
    }
    const body = { appealId: current, org, startsAt };
    for (const [key, id] of [
      ['address', 'r-address'],
      ['person', 'r-person'],
      ['phone', 'r-phone'],
    ]) {
      const value = $(id).value.trim();
      if (value) body[key] = value;
    }
    if (endsAt) body.endsAt = endsAt;
    act(
      $('a-route'),
      () => api('POST', '/api/staff/route-items', body),
      () => {
        $('route-form').reset();
        return 'Пункт маршрута добавлен; семья получила сообщение и напоминания.';
      },
    );
  });

  // ---- start and polling ----
  async function poll() {
    if (polling || document.hidden) return;
    polling = true;
    try {
      await Promise.all([refreshList(), refreshDetail()]);
    } catch (error) {
      if (error.code === 'unauthorised') notice(ERRORS.unauthorised, 'error');
    } finally {
      polling = false;
    }
  }

  renderTabs(null);
  const fromHash = /^#appeal-(\d+)$/.exec(location.hash);
  refreshList()
    .then(() => (fromHash ? open(Number(fromHash[1])) : undefined))
    .catch((error) => {
      $('placeholder').textContent = error.text || String(error);
    });
  setInterval(poll, POLL_MS);
})();
