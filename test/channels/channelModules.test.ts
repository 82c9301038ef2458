import { describe, expect, it } from 'vitest';
import { applicationStatus } from '../../src/app/certification/applicationStatus.ts';
import type { CertificationDeps } from '../../src/app/certification/deps.ts';
import { CHANNELS } from '../../src/channels/index.ts';
import { isCliChannel } from '../../src/channels/cli/module.ts';
import type { ChannelContext, ChannelModule } from '../../src/channels/module.ts';
import type { TelegramChannel } from '../../src/channels/telegram/channel.ts';
import type { WechatMpChannel } from '../../src/channels/wechat-mp/channel.ts';
import type { WechatOaChannel } from '../../src/channels/wechat-oa/channel.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createMongoApplicationRepository } from '../../src/store/mongo/applicationRepository.ts';
import { createMongoChannelStores } from '../../src/store/mongo/channelStores.ts';
import { createAppInstance } from '../support/appHarness.ts';
import { testDbUri } from '../support/db.ts';
import { content } from '../support/engineHarness.ts';
import { createMemoryReplayGuard } from '../support/memoryReplayGuard.ts';
import { channelModuleContract, timersLeftBy } from './channelModuleContract.ts';
import { FakeBotApi } from './telegram/fakeBotApi.ts';
import { startFakeWechatApi } from './wechat-common/fakeWechatApi.ts';
import { FakeWechatApi } from './wechat-mp/fakeWechatApi.ts';

/** Every channel of the list, built from settings as main.ts builds it, against the ChannelModule contract. */
const OA_APPID = 'wx1234567890abcdef';
const MP_APPID = 'wx0123456789abcdef';
const MP_SECRET = 'mp-secret-0123456789abcdef012345';
const BOT_TOKEN = '123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789';
const TG_SECRET = 'webhook-secret-0123456789';
const TEMPLATE = 'tplA_0123456789abcdefghijklmnopqrstuvwxyzABC';

async function build(tag: string, env: Record<string, string>) {
  const app = await createAppInstance(testDbUri(tag));
  const c = content();
  const stores = createMongoChannelStores(app.connection, app.cipher, app.clock);
  const ctx: ChannelContext = {
    handleInbound: app.handle,
    logger: createLogger('silent'),
    clock: app.clock,
    stores,
    replayGuard: createMemoryReplayGuard(),
    workers: app.workers,
    regions: c.regions,
    translator: c.translator,
    status: applicationStatus({ workers: app.workers, applications: createMongoApplicationRepository(app.connection), policies: c.policies, translator: c.translator } as Pick<CertificationDeps, 'workers' | 'applications' | 'policies' | 'translator'> as CertificationDeps),
    defaultLocale: 'zh-CN',
    shutdownTimeoutMs: 2000,
  };
  // Only the channel under test is switched on, as its settings would do it.
  const config = loadConfig({ SIM_ENABLED: 'false', ...env });
  const modules = CHANNELS.map((d) => d.create(ctx, config)).filter((m): m is ChannelModule => m !== null);
  if (modules.length !== 1) throw new Error(`expected one channel from ${JSON.stringify(env)}, got ${modules.map((m) => m.id).join(', ')}`);
  await stores.ready();
  return { app, module: modules[0]! };
}

channelModuleContract('sim', async () => {
  const { app, module } = await build('contract_sim', { SIM_ENABLED: 'true' });
  return {
    module,
    makeKnown: async () => undefined,
    knownUser: 'sim-alice',
    knownAnswer: { reachable: true, how: 'direct' },
    unknownUser: 'sim-never-seen',
    // Pushes wait in the outbox until the page asks, so anyone is reachable.
    unknownAnswer: { reachable: true, how: 'direct' },
    probe: { method: 'GET', path: '/sim' },
    close: () => app.close(),
  };
}, { senderLimit: false });

channelModuleContract('cli', async () => {
  const { app, module } = await build('contract_cli', { CLI_ENABLED: 'true' });
  if (!isCliChannel(module)) throw new Error('not the terminal channel');
  const shown: string[] = [];
  return {
    module,
    makeKnown: async (userId) => module.attach(userId, (messages) => shown.push(...messages.map((m) => m.text))),
    knownUser: 'cli-alice',
    knownAnswer: { reachable: true, how: 'direct' },
    unknownUser: 'cli-bob',
    unknownAnswer: { reachable: false, reason: 'notConnected' },
    close: () => app.close(),
  };
}, { senderLimit: false });

describe('the terminal channel', () => {
  it('shows pushes to the attached user only, and takes no turn once stopped', async () => {
    const { app, module } = await build('contract_cli_push', { CLI_ENABLED: 'true' });
    if (!isCliChannel(module)) throw new Error('not the terminal channel');
    try {
      const shown: string[] = [];
      module.attach('cli-carol', (messages) => shown.push(...messages.map((m) => m.text)));
      expect(await module.sender!.send('cli', 'cli-carol', [{ text: 'for carol' }])).toEqual({ ok: true });
      expect(await module.sender!.send('cli', 'cli-dave', [{ text: 'for dave' }])).toMatchObject({ ok: false, permanent: false });
      expect(shown).toEqual(['for carol']);
      expect((await module.say('菜单')).replies.length).toBeGreaterThan(0);
      await module.stop();
      await expect(module.say('菜单')).rejects.toThrow(/not attached/);
      expect(await module.reach.reach('cli-carol', 'notice')).toEqual({ reachable: false, reason: 'notConnected' });
    } finally {
      await app.close();
    }
  });
});

describe('Telegram', () => {
  it("regression: Telegram's stop left its shutdown timers running", async () => {
    const bot = await new FakeBotApi(BOT_TOKEN).start();
    const { app, module } = await build('contract_tg_timers', { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET: TG_SECRET, TELEGRAM_API_BASE: bot.url });
    try {
      await module.start();
      expect(await timersLeftBy(() => module.stop())).toBe(0);
    } finally {
      await bot.stop();
      await app.close();
    }
  });
});

channelModuleContract('wechat-oa', async () => {
  const fake = await startFakeWechatApi();
  const { app, module } = await build('contract_oa', { WECHAT_OA_APPID: OA_APPID, WECHAT_OA_SECRET: 'secret-secret-secret-secret', WECHAT_OA_TOKEN: 'redcollarToken1', WECHAT_API_BASE: fake.url });
  const oa = module as WechatOaChannel;
  return {
    module,
    makeKnown: (openid) => oa.users.touchInbound(openid, app.clock.now()),
    knownUser: 'oWx_contract_known_abcdefgh',
    knownAnswer: { reachable: true, how: 'window' },
    unknownUser: 'oWx_contract_never_abcdefgh',
    unknownAnswer: { reachable: false, reason: 'unknownUser' },
    // WECHAT_CS_QUOTA (5) customer-service messages per window; no template configured to fall back on.
    limit: { userId: 'oWx_contract_quota_abcdefgh', allowed: 5, prepare: (openid) => oa.users.touchInbound(openid, app.clock.now()) },
    probe: { method: 'GET', path: '/wechat/oa' },
    close: async () => {
      await fake.close();
      await app.close();
    },
  };
});

channelModuleContract('wechat-mp', async () => {
  const fake = await new FakeWechatApi(MP_APPID, MP_SECRET).start();
  const { app, module } = await build('contract_mp', { WECHAT_MP_APPID: MP_APPID, WECHAT_MP_SECRET: MP_SECRET, WECHAT_API_BASE: fake.url, WECHAT_MP_SUBSCRIBE_TEMPLATE_IDS: TEMPLATE });
  const mp = module as WechatMpChannel;
  const grant = (openid: string) => mp.subscriptions.record(openid, { [TEMPLATE]: 'accept' }, app.clock.now());
  return {
    module,
    makeKnown: grant,
    knownUser: 'oMp_contract_known_abcdefgh',
    knownAnswer: { reachable: true, how: 'subscribe' },
    unknownUser: 'oMp_contract_never_abcdefgh',
    unknownAnswer: { reachable: false, reason: 'unknownUser' },
    // One subscribe message per grant the user gave.
    limit: { userId: 'oMp_contract_grant_abcdefgh', allowed: 1, prepare: grant },
    probe: { method: 'GET', path: '/mp/api/openapi.json' },
    close: async () => {
      await fake.stop();
      await app.close();
    },
  };
});

channelModuleContract('telegram', async () => {
  const bot = await new FakeBotApi(BOT_TOKEN).start();
  const { app, module } = await build('contract_tg', { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET: TG_SECRET, TELEGRAM_API_BASE: bot.url, TELEGRAM_PER_CHAT_PER_SECOND: '30', TELEGRAM_GLOBAL_PER_SECOND: '1000' });
  const tg = module as TelegramChannel;
  return {
    module,
    makeKnown: (chatId) => tg.users.markReachable(chatId, app.clock.now()),
    knownUser: '424242',
    knownAnswer: { reachable: true, how: 'direct' },
    unknownUser: '434343',
    unknownAnswer: { reachable: false, reason: 'unknownUser' },
    // A chat that blocked the bot: the first send meets the 403, and after it nothing more goes through.
    limit: {
      userId: '444444',
      allowed: 0,
      prepare: async (chatId) => bot.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' }, (p) => String(p.chat_id) === chatId),
    },
    probe: { method: 'POST', path: '/telegram/webhook', body: JSON.stringify({ update_id: 1 }), headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET } },
    close: async () => {
      await bot.stop();
      await app.close();
    },
  };
});
