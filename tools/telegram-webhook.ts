/**
 * `npm run telegram:webhook` — register the Telegram webhook of this deployment.
 *
 *   npm run telegram:webhook                 # setWebhook(PUBLIC_BASE_URL + /telegram/webhook, secret, allowed updates)
 *   npm run telegram:webhook -- --drop       # ... and drop the updates Telegram holds for the bot
 *   npm run telegram:webhook -- --info       # only show what Telegram has registered
 *   npm run telegram:webhook -- --delete     # remove the webhook
 *
 * Reads the same settings as the server (environment, then a .env file beside package.json).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api } from 'node-telegram-bot-api';
import { ConfigError, loadConfig } from '../src/config.ts';
import { registerTelegramWebhook } from '../src/channels/telegram/webhookSetup.ts';

async function main(args: string[]): Promise<number> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const envFile = resolve(root, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig(process.env);
  if (!config.TELEGRAM_BOT_TOKEN || !config.TELEGRAM_WEBHOOK_SECRET) {
    console.error('TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET must be set (see .env.example)');
    return 1;
  }
  const api = new Api(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_BASE, timeoutMs: 15_000 });
  if (args.includes('--delete')) {
    await api.deleteWebhook(args.includes('--drop') ? { drop_pending_updates: true } : {});
    console.log('webhook deleted');
    return 0;
  }
  if (!args.includes('--info')) {
    if (!process.env.PUBLIC_BASE_URL) {
      console.error('PUBLIC_BASE_URL must be set to the https:// address Telegram can reach, e.g. https://bot.example.org');
      return 1;
    }
    await registerTelegramWebhook(api, { publicBaseUrl: config.publicBaseUrl, secret: config.TELEGRAM_WEBHOOK_SECRET, dropPendingUpdates: args.includes('--drop') });
  }
  const info = await api.getWebhookInfo();
  console.log(
    JSON.stringify(
      {
        url: info.url,
        pending_update_count: info.pending_update_count,
        allowed_updates: info.allowed_updates,
        ...(info.last_error_message ? { last_error_date: info.last_error_date, last_error_message: info.last_error_message } : {}),
      },
      null,
      2,
    ),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `telegram:webhook failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
