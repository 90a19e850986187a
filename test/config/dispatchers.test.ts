import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DispatcherDirectory,
  demoPassword,
  hashPassword,
  loadDispatchers,
} from '../../config/dispatchers.ts';
import { ConfigError } from '../../config/env.ts';

describe('dispatchers', () => {
  let dir: string;
  const file = async (name: string, text: string) => {
    const where = path.join(dir, name);
    await writeFile(where, text);
    return where;
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sd-dispatchers-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the configured list: Telegram ids and web logins, passwords checked against scrypt hashes', async () => {
    const where = await file(
      'ok.yaml',
      `dispatchers:
  - { id: anna, name: Анна Петрова, telegramId: 100200300, login: anna, passwordHash: "${hashPassword('anna-secret-1')}" }
  - { id: oleg, name: Олег Смирнов, telegramId: 100200301 }
`,
    );
    const { directory, webPassword } = await loadDispatchers({ DISPATCHERS_FILE: where }, 'unused-generated');
    expect(webPassword).toBeUndefined();
    expect(directory.byTelegramId(100200301)?.name).toBe('Олег Смирнов');
    expect(directory.byTelegramId(999)).toBeUndefined();
    expect(directory.byTelegramId(undefined)).toBeUndefined();
    expect((await directory.verify('anna', 'anna-secret-1'))?.id).toBe('anna');
    expect(await directory.verify('anna', 'anna-secret-2')).toBeUndefined();
    expect(await directory.verify('oleg', 'anything')).toBeUndefined();
    expect(await directory.verify('nobody', 'anna-secret-1')).toBeUndefined();
    // Nothing of a checked password stays in memory (the old cache kept "login\0password" keys).
    expect(inspect(directory, { depth: 10 })).not.toContain('anna-secret-1');
    expect(directory.byId('anna')?.role).toBeUndefined();
    expect(directory.byId('oleg')?.telegramId).toBe(100200301);
  });

  it('without a file: one web account "dispatcher" and the Telegram ids from the environment', async () => {
    const { directory, webPassword } = await loadDispatchers(
      { DISPATCHER_TELEGRAM_IDS: ' 11, 22 ' },
      'generated-pass-1',
    );
    expect(webPassword).toBe('generated-pass-1');
    expect((await directory.verify('dispatcher', 'generated-pass-1'))?.name).toBe('Дежурный диспетчер');
    // The single account of a first run is its administrator (sees the access log).
    expect(directory.byId('dispatcher')?.role).toBe('admin');
    expect(directory.byTelegramId(22)?.id).toBe('tg22');
    const chosen = await loadDispatchers({ DISPATCHER_PASSWORD: 'chosen-pass-1' }, 'generated-pass-1');
    expect(await chosen.directory.verify('dispatcher', 'generated-pass-1')).toBeUndefined();
    expect(await chosen.directory.verify('dispatcher', 'chosen-pass-1')).toBeDefined();
  });

  it('in production never invents a password: no dispatchers configured → a clear refusal to start', async () => {
    const loading = loadDispatchers({ NODE_ENV: 'production' }, 'generated-pass-1');
    await expect(loading).rejects.toBeInstanceOf(ConfigError);
    await expect(loading).rejects.toThrow(
      /NODE_ENV=production needs configured dispatchers: set DISPATCHERS_FILE/,
    );
    // A chosen password is configured, not invented.
    const chosen = await loadDispatchers(
      { NODE_ENV: 'production', DISPATCHER_PASSWORD: 'chosen-pass-1' },
      'x',
    );
    expect(chosen.webPassword).toBe('chosen-pass-1');
  });

  it('reads an optional role; admin sees the access log', async () => {
    const where = await file(
      'roles.yaml',
      `dispatchers:\n  - { id: boss, name: Зав, login: boss, role: admin, passwordHash: "${hashPassword('boss-pass-1')}" }\n  - { id: anna, name: Анна, telegramId: 7 }\n`,
    );
    const { directory } = await loadDispatchers({ DISPATCHERS_FILE: where }, 'x');
    expect(directory.byId('boss')?.role).toBe('admin');
    expect(directory.byId('anna')?.role).toBeUndefined();
    const bad = await file(
      'bad-role.yaml',
      'dispatchers:\n  - { id: a, name: A, telegramId: 7, role: root }\n',
    );
    await expect(loadDispatchers({ DISPATCHERS_FILE: bad }, 'x')).rejects.toThrow(/role/);
  });

  it('checks a password off the event loop, and an unknown login costs the same scrypt work', async () => {
    const directory = new DispatcherDirectory([
      { id: 'anna', name: 'Анна', login: 'anna', passwordHash: hashPassword('anna-secret-1') },
    ]);
    const median = async (login: string) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await directory.verify(login, 'wrong-password');
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[2] ?? 0;
    };
    const known = await median('anna');
    const unknown = await median('nobody');
    // Before: ~1 ms for an unknown login against 27–75 ms for a known one.
    expect(unknown).toBeGreaterThan(known * 0.4);

    // Six wrong passwords at once: a timer set meanwhile fires long before they are all checked.
    const started = performance.now();
    let timerLag = Number.POSITIVE_INFINITY;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        timerLag = performance.now() - started;
        resolve();
      }, 0),
    );
    await Promise.all([...Array(6)].map(() => directory.verify('anna', 'wrong-password')));
    const total = performance.now() - started;
    await timer;
    expect(timerLag).toBeLessThan(total / 3);
  });

  it('keeps the generated demo password in a 0600 file in DATA_DIR and reuses it', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await demoPassword(dataDir);
    expect(first.file).toBe(path.join(dataDir, 'dispatcher-password'));
    expect((await stat(first.file ?? '')).mode & 0o777).toBe(0o600);
    expect((await demoPassword(dataDir)).password).toBe(first.password);
    expect((await demoPassword(':memory:')).file).toBeUndefined();
  });

  it.each([
    [
      'no one to act',
      'dispatchers:\n  - { id: anna, name: Анна }\n',
      'a dispatcher needs a telegramId or a login',
    ],
    [
      'a login without a hash',
      'dispatchers:\n  - { id: anna, name: Анна, login: anna }\n',
      'login and passwordHash go together',
    ],
    [
      'a plain password',
      'dispatchers:\n  - { id: anna, name: Анна, login: anna, passwordHash: secret }\n',
      'npm run hash-password',
    ],
    [
      'the same Telegram id twice',
      'dispatchers:\n  - { id: anna, name: Анна, telegramId: 5 }\n  - { id: oleg, name: Олег, telegramId: 5 }\n',
      'duplicate tg:5',
    ],
  ])('refuses %s, naming the problem', async (_case, text, message) => {
    const where = await file(`bad-${Math.random()}.yaml`, text);
    const loading = loadDispatchers({ DISPATCHERS_FILE: where }, 'x');
    await expect(loading).rejects.toBeInstanceOf(ConfigError);
    await expect(loading).rejects.toThrow(message);
  });

  it('says which file it cannot read', async () => {
    await expect(loadDispatchers({ DISPATCHERS_FILE: path.join(dir, 'missing.yaml') }, 'x')).rejects.toThrow(
      /DISPATCHERS_FILE: cannot read .*missing\.yaml/,
    );
  });
});
