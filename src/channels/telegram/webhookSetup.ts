import type { Api } from 'node-telegram-bot-api';
import { TELEGRAM_WEBHOOK_PATH } from './routes.ts';

/** The update kinds the bot handles; Telegram sends nothing else (no edits, channel posts, reactions). */
export const ALLOWED_UPDATES = ['message', 'callback_query'];

/**
 * Register this deployment's webhook with Telegram: URL = PUBLIC_BASE_URL + /telegram/webhook, the secret that
 * Telegram will send in X-Telegram-Bot-Api-Secret-Token, and the update kinds above. Returns what Telegram reports
 * afterwards, so the operator sees pending updates and the last delivery error.
 */
export async function registerTelegramWebhook(
  api: Api,
  opts: { publicBaseUrl: string; secret: string; dropPendingUpdates?: boolean; maxConnections?: number },
): Promise<{ url: string; pendingUpdateCount: number; lastErrorMessage?: string }> {
  const url = `${opts.publicBaseUrl.replace(/\/+$/, '')}${TELEGRAM_WEBHOOK_PATH}`;
  if (!/^https:\/\//.test(url)) throw new Error(`Telegram delivers webhooks over HTTPS only; PUBLIC_BASE_URL is ${opts.publicBaseUrl} (set it to the https:// address the bot is reachable at)`);
  await api.setWebhook({
    url,
    secret_token: opts.secret,
    allowed_updates: ALLOWED_UPDATES,
    ...(opts.dropPendingUpdates ? { drop_pending_updates: true } : {}),
    ...(opts.maxConnections ? { max_connections: opts.maxConnections } : {}),
  });
  const info = await api.getWebhookInfo();
  return { url: info.url, pendingUpdateCount: info.pending_update_count, ...(info.last_error_message ? { lastErrorMessage: info.last_error_message } : {}) };
}
