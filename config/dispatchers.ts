import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './env.ts';

/**
 * The people allowed to see families' personal data and act on appeals: a Telegram account (buttons and
 * replies in the staff chat) and/or a web login (the inbox page and the staff API). Passwords are stored as
 * scrypt hashes only (`npm run hash-password`).
 */
const DispatcherSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'id: 1–32 of a-z 0-9 _ -'),
    name: z.string().trim().min(1).max(80),
    /** The curator's phone, as the card's "curator and phone" field shows it. */
    phone: z.string().trim().min(3).max(40).optional(),
    telegramId: z.number().int().positive().optional(),
    login: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,40}$/, 'login: 3–40 of A-Z a-z 0-9 _ . -')
      .optional(),
    passwordHash: z
      .string()
      .regex(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{128}$/, 'passwordHash: output of `npm run hash-password`')
      .optional(),
    /** "admin" also sees the audit log of access to personal data; default "dispatcher". */
    role: z.enum(['admin', 'dispatcher']).optional(),
  })
  .refine((d) => d.telegramId !== undefined || d.login !== undefined, {
    message: 'a dispatcher needs a telegramId or a login',
  })
  .refine((d) => (d.login === undefined) === (d.passwordHash === undefined), {
    message: 'login and passwordHash go together',
  });
export type Dispatcher = z.infer<typeof DispatcherSchema>;

const DispatchersFileSchema = z
  .object({ dispatchers: z.array(DispatcherSchema).min(1) })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.dispatchers.forEach((d, index) => {
      for (const key of [`id:${d.id}`, d.login && `login:${d.login}`, d.telegramId && `tg:${d.telegramId}`]) {
        if (!key) continue;
        if (seen.has(key)) {
          ctx.addIssue({ code: 'custom', path: ['dispatchers', index], message: `duplicate ${key}` });
        }
        seen.set(key, index);
      }
    });
  });

/**
 * "scrypt$<salt hex>$<hash hex>" — node's scrypt with its default cost (N=16384), 64-byte key. Synchronous:
 * used only at configuration time (`npm run hash-password`, the demo account at start), never per request.
 */
export function hashPassword(password: string, salt = randomBytes(16)): string {
  return `scrypt$${salt.toString('hex')}$${scryptSync(password, salt, 64).toString('hex')}`;
}

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

/** On libuv's thread pool (~50 ms each): a login never blocks the event loop. */
async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [, saltHex = '', hashHex = ''] = stored.split('$');
  const expected = Buffer.from(hashHex, 'hex');
  const actual = await scryptAsync(password, Buffer.from(saltHex, 'hex'), expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * What an unknown login is checked against: the same salt and key sizes as a real hash, so it costs the same
 * scrypt work and the answer time does not tell which logins exist. It never matches (random bytes).
 */
const DUMMY_HASH = `scrypt$${randomBytes(16).toString('hex')}$${randomBytes(64).toString('hex')}`;

export const isAdmin = (dispatcher: Dispatcher) => dispatcher.role === 'admin';

/** Who may act: looked up by Telegram id (staff chat) or by login and password (web). */
export class DispatcherDirectory {
  constructor(readonly dispatchers: readonly Dispatcher[]) {}

  byTelegramId(telegramId: number | undefined): Dispatcher | undefined {
    return telegramId === undefined ? undefined : this.dispatchers.find((d) => d.telegramId === telegramId);
  }

  byId(id: string): Dispatcher | undefined {
    return this.dispatchers.find((d) => d.id === id);
  }

  /**
   * Checks a web login (once per login: the session cookie carries it afterwards, so nothing is cached here,
   * least of all a password). Unknown logins do the same scrypt work as known ones.
   */
  async verify(login: string, password: string): Promise<Dispatcher | undefined> {
    const dispatcher = this.dispatchers.find((d) => d.login !== undefined && d.login === login);
    const matches = await passwordMatches(password, dispatcher?.passwordHash ?? DUMMY_HASH);
    return matches && dispatcher?.passwordHash ? dispatcher : undefined;
  }
}

/** The single web account of a first run: login "dispatcher". */
export const webDispatcher = (password: string): Dispatcher => ({
  id: 'dispatcher',
  name: 'Дежурный диспетчер',
  login: 'dispatcher',
  passwordHash: hashPassword(password),
  // The only account of a first run also reads the audit log.
  role: 'admin',
});

export type DispatcherSettings = {
  DISPATCHERS_FILE?: string;
  DISPATCHER_PASSWORD?: string;
  DISPATCHER_TELEGRAM_IDS?: string;
  NODE_ENV?: string;
};

/**
 * The configured list: DISPATCHERS_FILE (YAML, see config/dispatchers.example.yaml) when set; otherwise a
 * single web account "dispatcher" with DISPATCHER_PASSWORD (or the generated one) and, from
 * DISPATCHER_TELEGRAM_IDS, Telegram accounts — enough for a first run and the demo.
 */
export async function loadDispatchers(
  settings: DispatcherSettings,
  generatedPassword: string,
): Promise<{ directory: DispatcherDirectory; webPassword?: string }> {
  if (settings.DISPATCHERS_FILE) {
    let text: string;
    try {
      text = await readFile(settings.DISPATCHERS_FILE, 'utf8');
    } catch (error) {
      throw new ConfigError(`DISPATCHERS_FILE: cannot read ${settings.DISPATCHERS_FILE}: ${String(error)}`);
    }
    const parsed = DispatchersFileSchema.safeParse(parse(text));
    if (!parsed.success) {
      const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
      throw new ConfigError(`Invalid dispatchers file ${settings.DISPATCHERS_FILE}:\n${lines.join('\n')}`);
    }
    return { directory: new DispatcherDirectory(parsed.data.dispatchers) };
  }
  if (settings.NODE_ENV === 'production' && !settings.DISPATCHER_PASSWORD) {
    // A password nobody chose, printed to a log collector, is a shared secret nobody controls.
    throw new ConfigError(
      'NODE_ENV=production needs configured dispatchers: set DISPATCHERS_FILE (see config/dispatchers.example.yaml; ' +
        'hashes from `npm run hash-password`) or at least DISPATCHER_PASSWORD. The service does not invent a ' +
        'password in production.',
    );
  }
  const webPassword = settings.DISPATCHER_PASSWORD ?? generatedPassword;
  const telegramIds = (settings.DISPATCHER_TELEGRAM_IDS ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(Number);
  const dispatchers: Dispatcher[] = [
    webDispatcher(webPassword),
    ...telegramIds.map((telegramId) => ({
      id: `tg${telegramId}`,
      name: `Диспетчер ${telegramId}`,
      telegramId,
    })),
  ];
  return { directory: new DispatcherDirectory(dispatchers), webPassword };
}

/**
 * The demo's generated password, kept in `<DATA_DIR>/dispatcher-password` (mode 0600) so it survives restarts
 * and never has to go through a log. `:memory:` data → a fresh one, not stored (returned file undefined).
 */
export async function demoPassword(dataDir: string): Promise<{ password: string; file?: string }> {
  if (dataDir === ':memory:') return { password: randomBytes(12).toString('base64url') };
  const file = path.join(dataDir, 'dispatcher-password');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 8) return { password: stored, file };
  } catch {
    // Not there yet: generated below.
  }
  const password = randomBytes(12).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { password, file };
}
