import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createService } from '../../bot/app.ts';
import { loginHint } from '../../bot/main.ts';
import { ConfigError, loadEnv } from '../../config/env.ts';
import { silentLogger } from '../support/fixtures.ts';

describe('start banner and the production rule', () => {
  const service = {
    dispatcherPassword: 'Gen3rated-Secret',
    dispatcherPasswordFile: 'data/dispatcher-password',
  };

  it('shows a generated password only on a terminal; a log gets the file it is kept in', () => {
    expect(loginHint({}, service, true)).toContain('Gen3rated-Secret');
    const logged = loginHint({}, service, false);
    expect(logged).not.toContain('Gen3rated-Secret');
    expect(logged).toBe('user "dispatcher", password in data/dispatcher-password');
    expect(loginHint({}, { dispatcherPassword: 'Gen3rated-Secret' }, false)).not.toContain('Gen3rated');
    expect(loginHint({ DISPATCHER_PASSWORD: 'chosen-pass-1' }, service, true)).not.toContain('chosen-pass-1');
  });

  it('refuses to start in production without configured dispatchers, before opening anything', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sd-prod-'));
    try {
      const env = loadEnv({ NODE_ENV: 'production', DATA_DIR: dataDir });
      const starting = createService(env, silentLogger);
      await expect(starting).rejects.toBeInstanceOf(ConfigError);
      await expect(starting).rejects.toThrow(/NODE_ENV=production needs configured dispatchers/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
