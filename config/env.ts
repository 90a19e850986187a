import { z } from 'zod';

/** Every setting the service reads from the environment, validated once at start-up. */
const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** PostgreSQL connection string; unset → embedded PGlite in DATA_DIR. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    /** Redis for the scheduler; unset → the demo starts a private redis-server if it can. */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    /** Prefix for BullMQ keys, so several centers (or test runs) can share one Redis. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]+$/i)
      .default('sd'),
    CENTER_CONFIG: z.string().min(1).default('config/centers/belovo.yaml'),
    /** Password for the dispatcher page (user "dispatcher"); unset → a random one is printed at start. */
    DISPATCHER_PASSWORD: z.string().min(8).optional(),
    /** YAML list of dispatchers (Telegram ids, web logins); see config/dispatchers.example.yaml. */
    DISPATCHERS_FILE: z.string().min(1).optional(),
    /** Without DISPATCHERS_FILE: comma-separated Telegram user ids allowed to act in the staff chat. */
    DISPATCHER_TELEGRAM_IDS: z
      .string()
      .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, 'expected comma-separated numeric Telegram ids')
      .optional(),
    // Dispatcher login (issue 12).
    /** A web session unused this long ends. */
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** A web session ends this long after login, however active. */
    SESSION_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 7)
      .default(12),
    /** Secure flag of the session cookie: auto = when the request came over HTTPS (see trustProxy). */
    SESSION_COOKIE_SECURE: z.enum(['auto', 'always', 'never']).optional(),
    /** Failed logins per login name within LOGIN_LOCK_MINUTES that lock that login for LOGIN_LOCK_MINUTES. */
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
    /** The same per client IP (higher: a center's dispatchers may share one address). */
    LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(10000).default(20),
    LOGIN_LOCK_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    /** The public address of the service (e.g. https://sd.example.org), accepted as Origin of staff requests. */
    PUBLIC_ORIGIN: z
      .url({ protocol: /^https?$/ })
      .transform((url) => new URL(url).origin)
      .optional(),
    /**
     * Which reverse proxies to believe about the client's IP (X-Forwarded-For) and scheme (X-Forwarded-Proto):
     * unset/false → none (the service faces clients directly); true → any; a number → that many hops; or
     * comma-separated addresses/CIDRs of the proxies (e.g. 127.0.0.1,10.0.0.0/8). Rate limits are per client IP.
     */
    TRUST_PROXY: z
      .string()
      .regex(
        /^(true|false|\d+|[0-9a-fA-F:./]+(\s*,\s*[0-9a-fA-F:./]+)*)$/,
        'expected true, false, a hop count, or proxy addresses',
      )
      .optional()
      .transform((value): boolean | number | string => {
        if (value === undefined || value === 'false') return false;
        if (value === 'true') return true;
        return /^\d+$/.test(value) ? Number(value) : value;
      }),
    /** Web chat limits per visitor (see adapters/web/limits.ts for what each counts). */
    WEB_SESSIONS_PER_IP: z.coerce.number().int().min(1).default(30),
    WEB_MESSAGES_PER_SESSION: z.coerce.number().int().min(1).default(30),
    WEB_MESSAGES_PER_IP: z.coerce.number().int().min(1).default(300),
    WEB_READS_PER_IP: z.coerce.number().int().min(1).default(600),
    WEB_STREAMS_PER_SESSION: z.coerce.number().int().min(1).max(50).default(3),
    WEB_SESSION_IDLE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    // Telegram (issue 3). No token → no Telegram channel.
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'expected a token like 123456:ABC… from @BotFather')
      .optional(),
    /** Bot API base URL; tests and local emulators point it at a fake server. */
    TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).default('https://api.telegram.org'),
    TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
    /** Public HTTPS URL Telegram posts updates to (webhook mode), e.g. https://bot.example.org/telegram/webhook. */
    TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Sent by Telegram in X-Telegram-Bot-Api-Secret-Token; 1–256 of A–Z a–z 0–9 _ -. */
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, 'use 1–256 characters A-Z a-z 0-9 _ -')
      .optional(),
    /** Chat id of the dispatchers' group (negative, e.g. -1001234567890); a forum gets a topic per appeal. */
    TELEGRAM_STAFF_CHAT_ID: z
      .string()
      .regex(/^-?\d+$/, 'expected a numeric chat id')
      .optional(),

    // VK (issue 4). No token → no VK channel.
    VK_GROUP_TOKEN: z.string().min(20, 'expected a community access token').optional(),
    VK_GROUP_ID: z.coerce.number().int().positive().optional(),
    /** API base URL; tests point it at a fake server. */
    VK_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.vk.com/method'),
    VK_MODE: z.enum(['longpoll', 'callback']).default('longpoll'),
    /** "Secret key" set in the community's Callback API settings; VK sends it in every event. */
    VK_CALLBACK_SECRET: z.string().min(1).max(50).optional(),
    /** The string VK asks the server to return when the Callback API address is confirmed. */
    VK_CONFIRMATION_CODE: z.string().min(1).max(64).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_BOT_TOKEN && env.TELEGRAM_MODE === 'webhook') {
      for (const key of ['TELEGRAM_WEBHOOK_URL', 'TELEGRAM_WEBHOOK_SECRET'] as const) {
        if (!env[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'required when TELEGRAM_MODE=webhook' });
      }
    }
    if (env.VK_GROUP_TOKEN && !env.VK_GROUP_ID) {
      ctx.addIssue({ code: 'custom', path: ['VK_GROUP_ID'], message: 'required with VK_GROUP_TOKEN' });
    }
    if (env.VK_GROUP_TOKEN && env.VK_MODE === 'callback') {
      for (const key of ['VK_CALLBACK_SECRET', 'VK_CONFIRMATION_CODE'] as const) {
        if (!env[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'required when VK_MODE=callback' });
      }
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The dispatcher-login settings of an environment, as buildServer takes them. */
export function staffAccessSettings(env: Env) {
  return {
    idleMs: env.SESSION_IDLE_MINUTES * 60_000,
    maxMs: env.SESSION_MAX_HOURS * 3600_000,
    // Production sits behind TLS: never send the session cookie in clear, whatever the proxy says.
    cookieSecure: env.SESSION_COOKIE_SECURE ?? (env.NODE_ENV === 'production' ? 'always' : 'auto'),
    maxLoginFailures: env.LOGIN_MAX_FAILURES,
    maxIpFailures: env.LOGIN_MAX_FAILURES_PER_IP,
    failureWindowMs: env.LOGIN_LOCK_MINUTES * 60_000,
    lockMs: env.LOGIN_LOCK_MINUTES * 60_000,
    publicOrigin: env.PUBLIC_ORIGIN,
  } as const;
}

/** Parses the environment; throws a ConfigError whose message names every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Treat empty strings as unset: `FOO= npm start` should mean "use the default".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid environment configuration:\n${lines.join('\n')}`);
}
