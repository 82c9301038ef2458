/**
 * `npm run wechat:menu`: create (replace) the Official Account's custom menu with POST /cgi-bin/menu/create.
 * The CLICK keys are the ones the channel understands (src/channels/wechat-oa/menu.ts). Reads the same settings
 * as the app (.env beside package.json, then the environment): WECHAT_OA_APPID, WECHAT_OA_SECRET, WECHAT_API_BASE.
 *
 *   npm run wechat:menu              create the menu
 *   npm run wechat:menu -- --print   print the menu JSON and do nothing else
 *
 * The access token comes from /cgi-bin/stable_token without force_refresh, which hands back the token the running
 * app already uses (if any) instead of replacing it, so this needs no database.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/app/ports/clock.ts';
import { createWechatApiClient, memoryTokenStore, WechatApiError } from '../src/channels/wechat-common/apiClient.ts';
import { OA_MENU } from '../src/channels/wechat-oa/menu.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createLogger } from '../src/infra/logger.ts';

async function main(): Promise<number> {
  if (process.argv.includes('--print')) {
    console.log(JSON.stringify(OA_MENU, null, 2));
    return 0;
  }
  const envFile = resolve(fileURLToPath(new URL('..', import.meta.url)), '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig(process.env);
  if (!config.WECHAT_OA_APPID || !config.WECHAT_OA_SECRET) {
    console.error('WECHAT_OA_APPID and WECHAT_OA_SECRET must be set (in .env or the environment) to create the menu.');
    return 1;
  }
  const api = createWechatApiClient({
    config: { appId: config.WECHAT_OA_APPID, secret: config.WECHAT_OA_SECRET, apiBase: config.WECHAT_API_BASE },
    tokenStore: memoryTokenStore(),
    logger: createLogger('warn'),
    clock: systemClock,
  });
  await api.createMenu({ button: [...OA_MENU.button] });
  console.log(`menu created for ${config.WECHAT_OA_APPID}: ${OA_MENU.button.map((b) => b.name).join(' | ')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else if (err instanceof WechatApiError) console.error(`${err.message}${err.errcode === 40164 ? ' — add this server\'s IP to the account\'s IP whitelist' : ''}`);
    else console.error(err);
    process.exit(1);
  },
);
