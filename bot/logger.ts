import { pino, type Logger } from 'pino';

/**
 * Logs never carry personal data: flows and adapters log ids, never message text. As a second line of
 * defence, database error fields that echo row values (`detail`, `where`) are dropped from logged errors.
 */
export function createLogger(level: string, pretty = false): Logger {
  return pino({
    level,
    serializers: {
      err: (error: Error & { code?: string }) => ({
        type: error?.name,
        code: error?.code,
        message: error?.message,
        stack: error?.stack,
      }),
    },
    redact: { paths: ['text', 'phone', 'fullName', 'address', '*.text', '*.phone'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}
