import { z } from 'zod';
import { CHANNELS, channelSettingsShape } from './channels/index.ts';
import { bool, int } from './infra/envFields.ts';

/**
 * The whole configuration, read from the environment once and checked here: the app's own settings below, and
 * each channel's (declared in its folder, see channels/index.ts). Every setting is documented in .env.example.
 * A bad value stops start-up with one line per problem naming the variable and the fix.
 */

const envSchema = z.object({
  PORT: int('PORT', 0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, { message: 'MONGODB_URI must start with mongodb:// or mongodb+srv:// (or be unset for the embedded database)' })
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_BASE_URL: z.url({ message: 'PUBLIC_BASE_URL must be an absolute URL such as https://bot.example.org' }).optional(),
  DEFAULT_LOCALE: z.enum(['zh-CN', 'en'], { message: 'DEFAULT_LOCALE must be zh-CN or en' }).default('zh-CN'),
  SESSION_TIMEOUT_MINUTES: int('SESSION_TIMEOUT_MINUTES', 1, 7 * 24 * 60).default(30),
  CONVERSATION_RETENTION_DAYS: int('CONVERSATION_RETENTION_DAYS', 1, 3650).default(30),
  DEDUPE_TTL_HOURS: int('DEDUPE_TTL_HOURS', 1, 24 * 30).default(24),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' })
    .default('info'),
  PII_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+=*$/.test(v), {
      message: 'PII_KEY must be 32 random bytes in base64 (generate one with: openssl rand -base64 32)',
    })
    .optional(),
  MAX_BODY_KB: int('MAX_BODY_KB', 1, 10_240).default(64),
  MAX_MESSAGE_LENGTH: int('MAX_MESSAGE_LENGTH', 10, 100_000).default(2000),
  MAX_RUNNING_TURNS: int('MAX_RUNNING_TURNS', 1, 10_000).default(64),
  /** 'adaptive': MAX_RUNNING_TURNS is the ceiling of a limit found from the turns' run times (src/app/turnLimit.ts). */
  RUNNING_TURNS_LIMIT: z.enum(['fixed', 'adaptive'], { message: 'RUNNING_TURNS_LIMIT must be fixed or adaptive' }).default('fixed'),
  MAX_WAITING_TURNS: int('MAX_WAITING_TURNS', 0, 1_000_000).default(2000),
  /** One-message poll answers running at once, apart from MAX_RUNNING_TURNS (they hold no conversation lease). */
  MAX_RUNNING_OUTSIDE_TURNS: int('MAX_RUNNING_OUTSIDE_TURNS', 1, 10_000).default(256),
  SHUTDOWN_TIMEOUT_SECONDS: int('SHUTDOWN_TIMEOUT_SECONDS', 1, 600).default(10),
  SHUTDOWN_LIMIT_SECONDS: int('SHUTDOWN_LIMIT_SECONDS', 1, 3600).default(30),
  /** How long the console's dashboard and counts report reuse their aggregates (0: never). */
  CONSOLE_AGGREGATES_TTL_SECONDS: int('CONSOLE_AGGREGATES_TTL_SECONDS', 0, 3600).default(30),
  EMBEDDED_MONGO_BACKEND: z.enum(['h2', 'memory'], { message: 'EMBEDDED_MONGO_BACKEND must be h2 (kept on disk) or memory' }).default('h2'),
  DEMO_MODE: bool('DEMO_MODE').default(false),
  DEMO_MODE_ALLOW_REAL_DB: bool('DEMO_MODE_ALLOW_REAL_DB').default(false),
  TRUST_PROXY: bool('TRUST_PROXY').default(false),
  ADMIN_SESSION_IDLE_MINUTES: int('ADMIN_SESSION_IDLE_MINUTES', 1, 24 * 60).default(30),
  ADMIN_SESSION_MAX_HOURS: int('ADMIN_SESSION_MAX_HOURS', 1, 30 * 24).default(12),
  ADMIN_LOGIN_MAX_FAILURES: int('ADMIN_LOGIN_MAX_FAILURES', 1, 100).default(5),
  ADMIN_LOGIN_LOCK_MINUTES: int('ADMIN_LOGIN_LOCK_MINUTES', 1, 24 * 60).default(15),
  ADMIN_LOGIN_WINDOW_MINUTES: int('ADMIN_LOGIN_WINDOW_MINUTES', 1, 24 * 60).default(15),
  ADMIN_LOGIN_MAX_PER_ADDRESS: int('ADMIN_LOGIN_MAX_PER_ADDRESS', 1, 10_000).default(20),
  /** Broadcasts (docs/broadcasts.md): above this many recipients a second admin approves. */
  BROADCAST_APPROVAL_THRESHOLD: int('BROADCAST_APPROVAL_THRESHOLD', 0, 10_000_000).default(1000),
  BROADCAST_BATCH_SIZE: int('BROADCAST_BATCH_SIZE', 1, 5000).default(100),
  BROADCAST_CONCURRENCY: int('BROADCAST_CONCURRENCY', 1, 256).default(16),
  BROADCAST_LEASE_SECONDS: int('BROADCAST_LEASE_SECONDS', 2, 600).default(30),
  BROADCAST_TICK_SECONDS: int('BROADCAST_TICK_SECONDS', 1, 3600).default(10),

  ...channelSettingsShape,
});

export type Config = z.infer<typeof envSchema> & { publicBaseUrl: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings in .env files mean "not set", as people expect from `FOO=`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => (i.message.includes(String(i.path[0])) ? i.message : `${String(i.path[0])}: ${i.message}`)));
  }
  const c = parsed.data;
  if (c.MONGODB_URI && !c.PII_KEY) {
    throw new ConfigError([
      'PII_KEY is required when MONGODB_URI is set (the key that encrypts ID and phone numbers must not live only on one machine); generate one with: openssl rand -base64 32',
    ]);
  }
  if (c.DEMO_MODE && c.MONGODB_URI && !c.DEMO_MODE_ALLOW_REAL_DB) {
    throw new ConfigError([
      'DEMO_MODE is refused with MONGODB_URI: an admin could move the clock forward and end real notice periods early; demo on the embedded database (unset MONGODB_URI), or set DEMO_MODE_ALLOW_REAL_DB=true if this database is a throwaway',
    ]);
  }
  const channelProblems = CHANNELS.flatMap((channel) => channel.check?.(c) ?? []);
  if (channelProblems.length) throw new ConfigError(channelProblems);
  const publicBaseUrl = (c.PUBLIC_BASE_URL ?? `http://${c.HOST}:${c.PORT}`).replace(/\/$/, '');
  return { ...c, publicBaseUrl };
}
