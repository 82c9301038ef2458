import type { CertificationDeps } from '../../../src/app/certification/deps.ts';
import { applicationStatus } from '../../../src/app/certification/applicationStatus.ts';
import { createWechatMpChannel, type WechatMpChannel, type WechatMpConfig } from '../../../src/channels/wechat-mp/channel.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createMongoChannelStores } from '../../../src/store/mongo/channelStores.ts';
import { createMongoReplayGuard } from '../../../src/store/mongo/replayGuard.ts';
import { createMongoApplicationRepository } from '../../../src/store/mongo/applicationRepository.ts';
import type { createAppInstance } from '../../support/appHarness.ts';
import { content } from '../../support/engineHarness.ts';
import type { FakeWechatApi } from './fakeWechatApi.ts';

export const MP_APPID = 'wx0123456789abcdef';
export const MP_SECRET = 'mp-secret-0123456789abcdef012345';
export const MP_TOKEN = 'mpPushToken123';
export const MP_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const TEMPLATE_A = 'tplA_0123456789abcdefghijklmnopqrstuvwxyzABC';
export const TEMPLATE_B = 'tplB_0123456789abcdefghijklmnopqrstuvwxyzABC';

type App = Awaited<ReturnType<typeof createAppInstance>>;

/** The mini program channel on a real pipeline and database, talking to a fake WeChat API. */
export function mpChannel(app: App, fake: FakeWechatApi, config: Partial<WechatMpConfig> = {}): WechatMpChannel {
  const c = content();
  // The real status use case over the real application store (empty here: registration is what these tests do).
  const status = applicationStatus({
    workers: app.workers,
    applications: createMongoApplicationRepository(app.connection),
    policies: c.policies,
    translator: c.translator,
  } as Pick<CertificationDeps, 'workers' | 'applications' | 'policies' | 'translator'> as CertificationDeps);
  return createWechatMpChannel({
    config: {
      appId: MP_APPID,
      secret: MP_SECRET,
      token: MP_TOKEN,
      aesKey: MP_AES_KEY,
      apiBase: fake.url,
      subscribeTemplateIds: [TEMPLATE_A, TEMPLATE_B],
      retry: { attempts: 3, baseDelayMs: 20 },
      ...config,
    },
    handleInbound: app.handle,
    stores: createMongoChannelStores(app.connection, app.cipher, app.clock),
    replayGuard: createMongoReplayGuard(app.connection),
    logger: createLogger('silent'),
    clock: app.clock,
    workers: app.workers,
    regions: c.regions,
    status,
    translator: c.translator,
  });
}
