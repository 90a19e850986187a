import { ConfigError, loadEnv } from '../config/env.ts';
import { createService } from './app.ts';
import { createLogger } from './logger.ts';

/**
 * How to log in, for the start banner. A generated password is shown only on a terminal: stdout that is not a
 * TTY usually ends up in a log collector, where a password must never be.
 */
export function loginHint(
  env: Pick<ReturnType<typeof loadEnv>, 'DISPATCHERS_FILE' | 'DISPATCHER_PASSWORD'>,
  service: { dispatcherPassword?: string; dispatcherPasswordFile?: string },
  isTTY = Boolean(process.stdout.isTTY),
) {
  if (env.DISPATCHERS_FILE) return `accounts from ${env.DISPATCHERS_FILE}`;
  if (env.DISPATCHER_PASSWORD) return 'user "dispatcher", password from DISPATCHER_PASSWORD';
  if (isTTY) return `user "dispatcher", password "${service.dispatcherPassword}"`;
  return service.dispatcherPasswordFile
    ? `user "dispatcher", password in ${service.dispatcherPasswordFile}`
    : 'user "dispatcher", a random password; set DISPATCHER_PASSWORD to choose one';
}

/** `npm start`: reads the environment, starts the service, and shuts down cleanly on SIGINT/SIGTERM. */
export async function main(): Promise<void> {
  let env: ReturnType<typeof loadEnv>;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(env.LOG_LEVEL, {
    pretty: process.stdout.isTTY && env.NODE_ENV !== 'production',
  });
  let service: Awaited<ReturnType<typeof createService>>;
  try {
    service = await createService(env, logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const address = await service.app.listen({ host: env.HOST, port: env.PORT });
  const base = address.replace('127.0.0.1', 'localhost');
  console.log(`\n  Web chat:        ${base}/`);
  console.log(`  Dispatcher inbox: ${base}/dispatcher  (${loginHint(env, service)})`);
  console.log(
    `  Database:        ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${env.DATA_DIR}/pglite`}\n`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
