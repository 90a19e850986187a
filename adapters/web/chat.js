(() => {
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const store = window.localStorage;
  let locale = store.getItem('sd-locale') || ((navigator.language || 'ru').startsWith('en') ? 'en' : 'ru');
  // The session token lives in an HttpOnly cookie the script never sees. An older page kept it here in
  // local storage: it is handed to the server once (in a header, never in a URL), which moves it into the cookie.
  const legacyToken = store.getItem('sd-session');
  let source;
  let ended = false;
  let strings = {};
  const shownRefs = new Set();
  const shownIds = new Set();

  const uuid = () =>
    crypto.randomUUID
      ? crypto.randomUUID()
      : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
          (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16),
        );

  async function api(method, url, body, extraHeaders) {
    const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...(extraHeaders || {}) };
    const response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      // Too many requests: the page's own polite line in the person's language, not the raw answer.
      const text = response.status === 429 ? strings['web-rate-limited'] || data.message : data.message;
      const error = new Error(text || response.statusText);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  async function loadStrings() {
    strings = await api('GET', `/api/web/strings?locale=${locale}`);
    document.documentElement.lang = locale;
    document.title = strings['web-title'];
    // The header follows the language switch too; it shows the name without the tab's " — chat" suffix,
    // which does not fit beside the RU/EN buttons on a phone.
    $('title').textContent = strings['web-title'].split(' — ')[0];
    $('text').placeholder = strings['web-placeholder'];
    $('send').textContent = strings['web-send'];
    $('forget').textContent = strings['web-forget'];
    for (const b of document.querySelectorAll('.lang button'))
      b.setAttribute('aria-pressed', String(b.dataset.locale === locale));
  }

  // Phone numbers in the assistant's messages: +7 … (the form every channel links), 8-800-…, and 112.
  const PHONE = /\+7[\s(]*\d{3,5}[\s)]*\d[\d\s-]{4,}\d|8-800-\d{3,4}-\d{2,4}(?:-\d{2})?|(?<![\d+])112(?!\d)/g;

  /**
   * The text with its phone numbers as tap-to-call links. Built from text nodes and <a> elements — never
   * innerHTML — so nothing a message carries can turn into markup.
   */
  function appendWithPhoneLinks(parent, text) {
    let last = 0;
    for (const match of text.matchAll(PHONE)) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      const link = document.createElement('a');
      link.href = `tel:${match[0].replace(/[^\d+]/g, '')}`;
      link.textContent = match[0];
      parent.appendChild(link);
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function bubble(direction, text) {
    const div = document.createElement('div');
    div.className = `msg ${direction}`;
    if (direction === 'out') appendWithPhoneLinks(div, text);
    else div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function notice(text) {
    const div = document.createElement('div');
    div.className = 'notice';
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  function render(message) {
    if (shownIds.has(message.id)) return;
    shownIds.add(message.id);
    if (message.direction === 'in' && message.ref && shownRefs.has(message.ref)) return;
    const div = bubble(message.direction, message.text);
    if (message.direction !== 'out') return;
    // Only the newest question's buttons stay active; older ones are history.
    log.querySelectorAll('.buttons button').forEach((b) => {
      b.disabled = true;
    });
    if (!message.buttons) return;
    const box = document.createElement('div');
    box.className = 'buttons';
    for (const row of message.buttons) {
      const rowDiv = document.createElement('div');
      rowDiv.className = 'row';
      for (const button of row) {
        const el = document.createElement('button');
        el.type = 'button';
        el.textContent = button.label;
        el.dataset.payload = button.payload;
        el.addEventListener('click', () => send({ type: 'button', payload: button.payload }, button.label));
        rowDiv.appendChild(el);
      }
      box.appendChild(rowDiv);
    }
    div.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }

  // A retried POST reuses its messageId, so the server processes it once even if the first try got through.
  async function send(event, echo) {
    const messageId = uuid();
    if (echo) {
      shownRefs.add(messageId);
      bubble('in', echo);
    }
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await api('POST', '/api/web/messages', { messageId, event });
        return true;
      } catch (error) {
        if (error.status && error.status < 500) {
          notice(error.message);
          return false;
        }
        if (error.status === 500) return false; // the server already answered with an apology in the chat
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
    notice(strings['web-send-failed'] || 'Not sent');
    return false;
  }

  function status(text) {
    $('status').textContent = text || '';
    $('status').style.display = text ? 'block' : 'none';
  }

  // The cookie goes with the stream request by itself: nothing of the session is in the URL.
  function connect(after) {
    source = new EventSource(`/api/web/events?after=${after}`);
    source.onopen = () => status('');
    source.onmessage = (e) => render(JSON.parse(e.data));
    source.onerror = () => {
      if (!ended) status(strings['web-offline'] || '…');
    };
    // The chat was opened in more tabs than allowed: this one steps back instead of reconnecting.
    source.addEventListener('replaced', () => {
      source.close();
      status(strings['web-replaced'] || '…');
    });
    // The chat was ended (here or in another tab): forget it on this page too.
    source.addEventListener('ended', () => forgetHere());
  }

  /** Clears everything of the chat from this page and this browser (the server already forgot the token). */
  function forgetHere() {
    ended = true;
    if (source) source.close();
    for (const key of ['sd-session', 'sd-locale']) store.removeItem(key);
    shownIds.clear();
    shownRefs.clear();
    log.replaceChildren();
    status('');
    $('text').value = '';
    $('text').disabled = true;
    $('send').disabled = true;
    $('forget').disabled = true;
    notice(strings['web-forgotten'] || 'The chat is ended.');
    const restart = document.createElement('button');
    restart.type = 'button';
    restart.className = 'restart';
    restart.textContent = strings['web-new-chat'] || 'New chat';
    restart.addEventListener('click', () => {
      log.replaceChildren();
      startFresh().catch((error) => notice(String(error.message || error)));
    });
    log.appendChild(restart);
  }

  // «Завершить и забыть чат» (a shared family phone): the server invalidates the session, the page forgets it.
  $('forget').addEventListener('click', async () => {
    if (!window.confirm(strings['web-forget-confirm'] || 'End the chat?')) return;
    try {
      await api('POST', '/api/web/sessions/end');
    } catch (error) {
      notice(error.message);
      return;
    }
    forgetHere();
  });

  async function startFresh() {
    await api('POST', '/api/web/sessions', { locale });
    ended = false;
    $('text').disabled = false;
    $('send').disabled = false;
    $('forget').disabled = false;
    connect(0);
    await send({ type: 'start' });
  }

  $('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    const ok = await send({ type: 'text', text }, text);
    if (!ok && !$('text').value) $('text').value = text; // never lose what the person typed
  });
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('form').requestSubmit();
    }
  });
  for (const b of document.querySelectorAll('.lang button')) {
    b.addEventListener('click', async () => {
      if (b.dataset.locale === locale) return;
      locale = b.dataset.locale;
      store.setItem('sd-locale', locale);
      await loadStrings();
      await send({ type: 'setLocale', locale });
    });
  }

  (async () => {
    await loadStrings();
    // The cookie is HttpOnly: ask the server whether this browser has a live chat.
    const legacy = legacyToken ? { 'x-chat-session': legacyToken } : {};
    const { active } = await api('GET', '/api/web/session', undefined, legacy);
    store.removeItem('sd-session');
    if (active) connect(0);
    else await startFresh();
  })().catch((error) => notice(String(error.message || error)));
})();
