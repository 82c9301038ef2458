import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Api } from 'node-telegram-bot-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTelegramWebhook } from '../../../src/channels/telegram/webhookSetup.ts';
import { FakeBotApi } from './fakeBotApi.ts';

/** `npm run telegram:webhook` (tools/telegram-webhook.ts) against a fake Bot API. */
const TOKEN = '777:TEST-token-abcdefghijklmnopqrstuvwxyz';
const SECRET = 'tool_secret_0123456789abcdef';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let fake: FakeBotApi;
beforeAll(async () => {
  fake = await new FakeBotApi(TOKEN).start();
});
afterAll(() => fake?.stop());

const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/telegram-webhook.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    timeout: 30_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );

describe('telegram:webhook', () => {
  it('registers PUBLIC_BASE_URL/telegram/webhook with the secret and the allowed updates', async () => {
    const r = await run([], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url, PUBLIC_BASE_URL: 'https://bot.example.org/' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fake.webhook).toEqual({ url: 'https://bot.example.org/telegram/webhook', secret_token: SECRET, allowed_updates: ['message', 'callback_query'] });
    expect(JSON.parse(r.stdout)).toMatchObject({ url: 'https://bot.example.org/telegram/webhook', pending_update_count: 0 });
  });

  it('explains what is missing instead of registering a wrong URL', async () => {
    const noUrl = await run([], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('PUBLIC_BASE_URL');
    const noToken = await run([], { PUBLIC_BASE_URL: 'https://bot.example.org' });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('TELEGRAM_BOT_TOKEN');
    const plainHttp = await run([], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url, PUBLIC_BASE_URL: 'http://bot.example.org' });
    expect(plainHttp.code).toBe(1);
    expect(plainHttp.stderr).toContain('HTTPS');
  });

  it('--delete removes the webhook', async () => {
    await registerTelegramWebhook(new Api(TOKEN, { apiRoot: fake.url }), { publicBaseUrl: 'https://x.example.org', secret: SECRET });
    expect(fake.webhook?.url).toBe('https://x.example.org/telegram/webhook');
    const r = await run(['--delete'], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url });
    expect(r.code).toBe(0);
    expect(fake.webhook).toBeNull();
  });
});
