import { z } from 'zod';

/**
 * The whole configuration, read from the environment once and checked here. Every setting is documented in
 * .env.example. A bad value stops start-up with one line per problem naming the variable and the fix.
 */

const bool = (name: string) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: `${name} must be true or false` })
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ message: `${name} must be a whole number` })
    .int({ message: `${name} must be a whole number` })
    .min(min, { message: `${name} must be at least ${min}` })
    .max(max, { message: `${name} must be at most ${max}` });

const pushMode = (name: string) => z.enum(['plain', 'compatible', 'safe'], { message: `${name} must be plain, compatible or safe (as set in the WeChat console)` }).optional();

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
  SIM_ENABLED: bool('SIM_ENABLED').default(true),
  MAX_BODY_KB: int('MAX_BODY_KB', 1, 10_240).default(64),
  MAX_MESSAGE_LENGTH: int('MAX_MESSAGE_LENGTH', 10, 100_000).default(2000),
  SHUTDOWN_TIMEOUT_SECONDS: int('SHUTDOWN_TIMEOUT_SECONDS', 1, 600).default(10),
  EMBEDDED_MONGO_BACKEND: z.enum(['h2', 'memory'], { message: 'EMBEDDED_MONGO_BACKEND must be h2 (kept on disk) or memory' }).default('h2'),

  // ---- WeChat Official Account (enabled when APPID, SECRET and TOKEN are set) ----
  WECHAT_OA_APPID: z.string().regex(/^wx[0-9a-f]{16}$/i, { message: 'WECHAT_OA_APPID looks like wx followed by 16 hex characters' }).optional(),
  WECHAT_OA_SECRET: z.string().min(16, { message: 'WECHAT_OA_SECRET is the AppSecret from the WeChat console (32 characters)' }).optional(),
  WECHAT_OA_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, { message: 'WECHAT_OA_TOKEN is the 3-32 letter/digit Token set in the WeChat console' }).optional(),
  WECHAT_OA_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, { message: 'WECHAT_OA_AES_KEY is the 43-character EncodingAESKey' }).optional(),
  WECHAT_OA_AES_KEY_PREVIOUS: z.string().regex(/^[A-Za-z0-9]{43}$/, { message: 'WECHAT_OA_AES_KEY_PREVIOUS is the previous 43-character EncodingAESKey' }).optional(),
  /** The console's 消息加解密方式; unset: safe when WECHAT_OA_AES_KEY is set, else plain. */
  WECHAT_OA_MODE: pushMode('WECHAT_OA_MODE'),
  WECHAT_API_BASE: z.url({ message: 'WECHAT_API_BASE must be an absolute URL' }).default('https://api.weixin.qq.com'),
  WECHAT_REPLY_BUDGET_MS: int('WECHAT_REPLY_BUDGET_MS', 500, 4800).default(4000),
  WECHAT_TIMESTAMP_WINDOW_SECONDS: int('WECHAT_TIMESTAMP_WINDOW_SECONDS', 30, 3600).default(300),
  WECHAT_CS_WINDOW_HOURS: int('WECHAT_CS_WINDOW_HOURS', 1, 168).default(48),
  WECHAT_CS_QUOTA: int('WECHAT_CS_QUOTA', 1, 100).default(5),
  /** JSON object: notice kind → template id, e.g. {"applicationProgress":"abc..."}. */
  WECHAT_TEMPLATE_IDS: z
    .string()
    .refine((v) => { try { const o = JSON.parse(v); return o && typeof o === 'object' && !Array.isArray(o) && Object.values(o).every((x) => typeof x === 'string'); } catch { return false; } }, { message: 'WECHAT_TEMPLATE_IDS must be a JSON object of notice kind to template id, e.g. {"applicationProgress":"TEMPLATE_ID"}' })
    .optional(),

  // ---- WeChat Mini Program (enabled when APPID and SECRET are set) ----
  WECHAT_MP_APPID: z.string().regex(/^wx[0-9a-f]{16}$/i, { message: 'WECHAT_MP_APPID looks like wx followed by 16 hex characters' }).optional(),
  WECHAT_MP_SECRET: z.string().min(16, { message: 'WECHAT_MP_SECRET is the mini program AppSecret' }).optional(),
  WECHAT_MP_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, { message: 'WECHAT_MP_TOKEN is the 3-32 letter/digit message-push Token' }).optional(),
  WECHAT_MP_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, { message: 'WECHAT_MP_AES_KEY is the 43-character EncodingAESKey' }).optional(),
  /** The push's 消息加密方式; unset: safe when WECHAT_MP_AES_KEY is set, else plain. */
  WECHAT_MP_MODE: pushMode('WECHAT_MP_MODE'),
  /** Subscribe-message template ids the bot may use, in order of preference, comma-separated. */
  WECHAT_MP_SUBSCRIBE_TEMPLATE_IDS: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$/, { message: 'WECHAT_MP_SUBSCRIBE_TEMPLATE_IDS is a comma-separated list of template ids' })
    .transform((v) => v.split(','))
    .optional(),

  // ---- Telegram (enabled when the bot token is set) ----
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, { message: 'TELEGRAM_BOT_TOKEN looks like 123456:ABC... (from @BotFather)' }).optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, { message: 'TELEGRAM_WEBHOOK_SECRET is 16-256 characters of A-Z, a-z, 0-9, _ and -' }).optional(),
  TELEGRAM_API_BASE: z.url({ message: 'TELEGRAM_API_BASE must be an absolute URL' }).default('https://api.telegram.org'),
  TELEGRAM_PER_CHAT_PER_SECOND: z.coerce.number().positive().max(30).default(1),
  TELEGRAM_GLOBAL_PER_SECOND: z.coerce.number().positive().max(1000).default(30),
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
  const pairs: [string, unknown, string, unknown][] = [
    ['WECHAT_OA_APPID', c.WECHAT_OA_APPID, 'WECHAT_OA_TOKEN', c.WECHAT_OA_TOKEN],
    ['WECHAT_OA_APPID', c.WECHAT_OA_APPID, 'WECHAT_OA_SECRET', c.WECHAT_OA_SECRET],
    ['WECHAT_MP_APPID', c.WECHAT_MP_APPID, 'WECHAT_MP_SECRET', c.WECHAT_MP_SECRET],
    ['TELEGRAM_BOT_TOKEN', c.TELEGRAM_BOT_TOKEN, 'TELEGRAM_WEBHOOK_SECRET', c.TELEGRAM_WEBHOOK_SECRET],
  ];
  const missing = pairs.filter(([, a, , b]) => (a === undefined) !== (b === undefined)).map(([a, av, b]) => (av === undefined ? `${a} is required when ${b} is set` : `${b} is required when ${a} is set`));
  if (missing.length) throw new ConfigError(missing);
  const keyless = (
    [
      ['WECHAT_OA_MODE', c.WECHAT_OA_MODE, 'WECHAT_OA_AES_KEY', c.WECHAT_OA_AES_KEY],
      ['WECHAT_MP_MODE', c.WECHAT_MP_MODE, 'WECHAT_MP_AES_KEY', c.WECHAT_MP_AES_KEY],
    ] as const
  )
    .filter(([, mode, , key]) => mode !== undefined && mode !== 'plain' && key === undefined)
    .map(([name, mode, keyName]) => `${name}=${mode} needs ${keyName} (the EncodingAESKey from the WeChat console)`);
  if (keyless.length) throw new ConfigError(keyless);
  const publicBaseUrl = (c.PUBLIC_BASE_URL ?? `http://${c.HOST}:${c.PORT}`).replace(/\/$/, '');
  return { ...c, publicBaseUrl };
}
