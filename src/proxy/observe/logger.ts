import { pino, type Logger } from 'pino';

/**
 * Structured logs: one JSON line per event (pino), to stdout. What goes in is chosen, not
 * filtered: route templates (never the path with its ids), statuses, durations, provider ids,
 * request ids, and error messages — never a secret, token, name, phone, e-mail or card number.
 * The redaction below is a second line of defence for fields that must never appear.
 */
export type Log = (message: string, error?: unknown) => void;

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: 'checkout-proxy' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['authorization', '*.authorization', 'clientSecret', '*.clientSecret', 'apiKey', '*.apiKey', 'password', '*.password', 'token', '*.token'], censor: '[redacted]' },
    },
    options.destination ?? process.stdout,
  );
}

/** The proxy's `log(message, error?)` on a logger: a warning with the error's message (not its data). */
export function logTo(logger: Logger): Log {
  return (message, error) => {
    if (error === undefined) logger.warn(message);
    else logger.warn({ error: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, message);
  };
}
