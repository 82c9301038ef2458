import pino, { type Logger } from 'pino';
import { maskPii } from '../domain/pii/mask.ts';

export type { Logger };

/**
 * JSON logs with personal data masked: known fields are redacted by path, and every string that reaches the
 * log is scanned for ID and mobile numbers (a user's message text may contain them anywhere).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'redcollar' },
      redact: { paths: ['*.idNumber', '*.mobile', '*.PII_KEY', 'headers.authorization', '*.headers.authorization'], censor: '[masked]' },
      formatters: {
        log: (obj) => maskDeep(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPii(a) : a)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
    },
    destination,
  );
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (depth > 6) return value;
  if (typeof value === 'string') return maskPii(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, depth + 1)]));
  }
  if (value instanceof Error) return { type: value.name, message: maskPii(value.message), stack: value.stack ? maskPii(value.stack) : undefined };
  return value;
}
