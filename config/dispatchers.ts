import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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

/** "scrypt$<salt hex>$<hash hex>" — node's scrypt with its default cost (N=16384), 64-byte key. */
export function hashPassword(password: string, salt = randomBytes(16)): string {
  return `scrypt$${salt.toString('hex')}$${scryptSync(password, salt, 64).toString('hex')}`;
}

function passwordMatches(password: string, stored: string): boolean {
  const [, saltHex = '', hashHex = ''] = stored.split('$');
  const expected = Buffer.from(hashHex, 'hex');
  const actual = scryptSync(password, Buffer.from(saltHex, 'hex'), expected.length);
  return timingSafeEqual(actual, expected);
}

/** Who may act: looked up by Telegram id (staff chat) or by login and password (web). */
export class DispatcherDirectory {
  private readonly verified = new Map<string, string>();

  constructor(readonly dispatchers: readonly Dispatcher[]) {}

  byTelegramId(telegramId: number | undefined): Dispatcher | undefined {
    return telegramId === undefined ? undefined : this.dispatchers.find((d) => d.telegramId === telegramId);
  }

  byId(id: string): Dispatcher | undefined {
    return this.dispatchers.find((d) => d.id === id);
  }

  /**
   * Checks a web login. scrypt is deliberately slow (~50 ms), and the browser repeats basic-auth credentials
   * on every request, so a successful check is remembered (keyed by a hash of login and password).
   */
  verify(login: string, password: string): Dispatcher | undefined {
    const dispatcher = this.dispatchers.find((d) => d.login === login);
    if (!dispatcher?.passwordHash) return undefined;
    const key = `${login}\u0000${password}`;
    if (this.verified.get(key) === dispatcher.passwordHash) return dispatcher;
    if (!passwordMatches(password, dispatcher.passwordHash)) return undefined;
    if (this.verified.size > 1000) this.verified.clear();
    this.verified.set(key, dispatcher.passwordHash);
    return dispatcher;
  }
}

/** The single web account of a first run: login "dispatcher". */
export const webDispatcher = (password: string): Dispatcher => ({
  id: 'dispatcher',
  name: 'Дежурный диспетчер',
  login: 'dispatcher',
  passwordHash: hashPassword(password),
});

export type DispatcherSettings = {
  DISPATCHERS_FILE?: string;
  DISPATCHER_PASSWORD?: string;
  DISPATCHER_TELEGRAM_IDS?: string;
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
