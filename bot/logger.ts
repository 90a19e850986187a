import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Logs never carry personal data: flows and adapters log ids, never message text. As a second line of
 * defence, logged errors keep only type, code, message and stack: database errors also carry the failed
 * query's parameters and row values (`params`, `detail`, `where`), which are personal data.
 */
export function createLogger(
  level: string,
  options: { pretty?: boolean; destination?: DestinationStream } = {},
): Logger {
  const pretty = options.pretty ?? false;
  const config = {
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
    ...(pretty && !options.destination
      ? { transport: { target: 'pino-pretty', options: { colorize: true } } }
      : {}),
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
