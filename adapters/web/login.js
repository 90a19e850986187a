// The dispatcher login page: posts JSON (the staff area accepts nothing else) and opens the inbox.
// A separate file, not inline: the pages' content security policy allows no inline script.
(() => {
  const $ = (id) => document.getElementById(id);
  const TEXTS = {
    ru: {
      invalid: 'Неверный логин или пароль.',
      locked: (min) => `Слишком много неудачных попыток. Попробуйте через ${min} мин.`,
      network: 'Нет связи с сервером. Проверьте подключение и попробуйте ещё раз.',
      other: (status) => `Не удалось войти (ошибка ${status}). Попробуйте ещё раз.`,
      expired: 'Сеанс завершён — войдите снова.',
      switchTo: 'English',
    },
    en: {
      invalid: 'Wrong login or password.',
      locked: (min) => `Too many failed attempts. Try again in ${min} min.`,
      network: 'No connection to the server. Check the connection and try again.',
      other: (status) => `Could not log in (error ${status}). Please try again.`,
      expired: 'Your session has ended — please log in again.',
      switchTo: 'Русский',
    },
  };
  let lang = localStorage.getItem('dispatcher-lang') === 'en' ? 'en' : 'ru';
  const originals = new Map();

  function applyLanguage() {
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll('[data-en]')) {
      if (!originals.has(node)) originals.set(node, node.textContent);
      node.textContent = lang === 'en' ? node.dataset.en : originals.get(node);
    }
    $('lang').textContent = TEXTS[lang].switchTo;
    $('lang').lang = lang === 'en' ? 'ru' : 'en';
    document.title = lang === 'en' ? 'Dispatcher login' : 'Вход диспетчера';
  }

  $('lang').addEventListener('click', () => {
    lang = lang === 'en' ? 'ru' : 'en';
    localStorage.setItem('dispatcher-lang', lang);
    applyLanguage();
  });

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const t = TEXTS[lang];
    $('error').textContent = '';
    $('submit').disabled = true;
    try {
      const response = await fetch('/dispatcher/login', {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: $('login').value.trim(), password: $('password').value }),
      });
      if (response.ok) {
        location.assign(`/dispatcher${location.hash || ''}`);
        return;
      }
      const data = await response.json().catch(() => ({}));
      $('password').value = '';
      if (response.status === 401) $('error').textContent = t.invalid;
      else if (response.status === 429)
        $('error').textContent = t.locked(Math.ceil((data.retryAfter || 60) / 60));
      else $('error').textContent = t.other(response.status);
    } catch {
      $('error').textContent = t.network;
    } finally {
      $('submit').disabled = false;
    }
  });

  applyLanguage();
  if (new URLSearchParams(location.search).has('expired')) $('error').textContent = TEXTS[lang].expired;
})();
