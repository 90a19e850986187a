import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, loadDispatchers } from '../../config/dispatchers.ts';
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
    expect(directory.verify('anna', 'anna-secret-1')?.id).toBe('anna');
    // A remembered success does not let a wrong password through.
    expect(directory.verify('anna', 'anna-secret-2')).toBeUndefined();
    expect(directory.verify('oleg', 'anything')).toBeUndefined();
    expect(directory.verify('nobody', 'anna-secret-1')).toBeUndefined();
    expect(directory.byId('oleg')?.telegramId).toBe(100200301);
  });

  it('without a file: one web account "dispatcher" and the Telegram ids from the environment', async () => {
    const { directory, webPassword } = await loadDispatchers(
      { DISPATCHER_TELEGRAM_IDS: ' 11, 22 ' },
      'generated-pass-1',
    );
    expect(webPassword).toBe('generated-pass-1');
    expect(directory.verify('dispatcher', 'generated-pass-1')?.name).toBe('Дежурный диспетчер');
    expect(directory.byTelegramId(22)?.id).toBe('tg22');
    const chosen = await loadDispatchers({ DISPATCHER_PASSWORD: 'chosen-pass-1' }, 'generated-pass-1');
    expect(chosen.directory.verify('dispatcher', 'generated-pass-1')).toBeUndefined();
    expect(chosen.directory.verify('dispatcher', 'chosen-pass-1')).toBeDefined();
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
