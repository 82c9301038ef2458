import Router from '@koa/router';
import type { ActionHandler } from '../../app/actions/types.ts';
import type { HandleInbound, InboundMessage } from '../../app/handleInbound.ts';
import { handleUntilAdmitted } from '../../app/untilAdmitted.ts';
import type { Clock } from '../../app/ports/clock.ts';
import type { ReachAnswer } from '../../app/ports/reach.ts';
import type { ReplayGuard } from '../../app/ports/replayGuard.ts';
import type { Sender } from '../../app/ports/sender.ts';
import type { WorkerRepository } from '../../app/ports/workerRepository.ts';
import type { RegionNode } from '../../domain/regions/regions.ts';
import type { OutboundMessage, Translator } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { waitAtMost } from '../../infra/waitAtMost.ts';
import { gatedRoutes, type ChannelModule } from '../module.ts';
import { OPENID, TEMPLATE_ID, type ChannelStores, type MpSessionStore, type MpSubscriptionStore } from '../ports.ts';
import { KeyedQueue } from '../telegram/keyedQueue.ts';
import { createWechatApiClient, type WechatApiClient } from '../wechat-common/apiClient.ts';
import { createWechatCrypto } from '../wechat-common/crypto.ts';
import { createTokenBucket, maskOpenid, type RetryOptions } from '../wechat-common/delivery.ts';
import { wechatMediaSource } from '../wechat-common/mediaSource.ts';
import { defaultPushMode, type WechatPushMode } from '../wechat-common/signedRequest.ts';
import { mpApiRouter } from './apiRoutes.ts';
import { createCode2Session } from './code2session.ts';
import { createMpOutbound, defaultSubscribeData, WECHAT_MP_CHANNEL, type SubscribeDataBuilder } from './outbound.ts';
import { mpPushRouter } from './pushRoutes.ts';

export { WECHAT_MP_CHANNEL };

export interface WechatMpConfig {
  appId: string;
  secret: string;
  /** Message-push Token; without it /wechat/mp is not served (the REST API works without pushes). */
  token?: string | undefined;
  /** EncodingAESKey, for compatible- and safe-mode pushes. */
  aesKey?: string | undefined;
  /** The console's 消息加密方式 for pushes (WECHAT_MP_MODE); default safe with an AES key, else plain. */
  mode?: WechatPushMode | undefined;
  /** e.g. https://api.weixin.qq.com */
  apiBase: string;
  /** Lifetime of a login session. Default 7 days. */
  sessionTtlHours?: number;
  /** Accepted clock skew of push timestamps. Default 300 s. */
  timestampWindowSeconds?: number;
  /** Subscribe-message template ids the bot uses, in order of preference. Default none. */
  subscribeTemplateIds?: string[];
  /** The page a subscribe message opens. Default 'pages/index/index'. */
  subscribePage?: string;
  /** Which version of the mini program a subscribe message opens. Default 'formal'. */
  miniprogramState?: 'formal' | 'trial' | 'developer';
  /** WeChat API calls per second, per process. Default 20. */
  sendRatePerSecond?: number;
  retry?: RetryOptions;
  defaultLocale?: 'zh-CN' | 'en';
  /** Pushes accepted and not yet handled before /wechat/mp answers 503. Default 10,000. */
  maxQueuedPushes?: number;
  /** How long stop() waits for accepted pushes. Default 10 s. */
  closeTimeoutMs?: number;
}

export interface WechatMpChannelDeps {
  config: WechatMpConfig;
  handleInbound: HandleInbound;
  /** Sessions, subscribe grants and the access token. */
  stores: ChannelStores;
  /** (timestamp, nonce) pairs of pushes already used, shared by every instance. */
  replayGuard: ReplayGuard;
  logger: Logger;
  clock: Clock;
  workers: WorkerRepository;
  regions: RegionNode[];
  /** The `certification.status` action, for GET /mp/api/status. */
  status: ActionHandler;
  translator: Translator;
  /** Subscribe-message data for the configured templates' keywords (default: thing1 + time2). */
  templateData?: SubscribeDataBuilder;
  /** Notices the user can still answer, for GET /mp/api/notices (none without it). */
  notices?: ((openid: string, now: Date) => Promise<OutboundMessage[]>) | undefined;
  fetch?: typeof fetch;
}

export interface WechatMpChannel extends ChannelModule {
  /** /mp/api/* always; GET and POST /wechat/mp when a push Token is configured. 503 once stopping. */
  readonly routes: NonNullable<ChannelModule['routes']>;
  /** The Sender for channel 'wechat-mp': subscribe messages, one grant per message. */
  readonly sender: Sender;
  api: WechatApiClient;
  sessions: MpSessionStore;
  subscriptions: MpSubscriptionStore;
  /** Resolves when every accepted push has been handled and answered (tests; stop() waits for it too). */
  idle(): Promise<void>;
}

/** The WeChat Mini Program channel: login and REST API for the front end, customer-service pushes, subscribe messages. */
export function createWechatMpChannel(deps: WechatMpChannelDeps): WechatMpChannel {
  const { config, stores, clock } = deps;
  const logger = deps.logger.child({ channel: WECHAT_MP_CHANNEL });
  const templateIds = config.subscribeTemplateIds ?? [];
  const bad = templateIds.filter((t) => !TEMPLATE_ID.test(t));
  if (bad.length) throw new Error(`subscribe template ids must be letters, digits, _ and -: ${bad.join(', ')}`);

  const api = createWechatApiClient({ config: { appId: config.appId, secret: config.secret, apiBase: config.apiBase }, tokenStore: stores.wechatTokens(), logger, clock, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const code2Session = createCode2Session({ appId: config.appId, secret: config.secret, apiBase: config.apiBase, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const sessions = stores.mpSessions({ ttlMs: (config.sessionTtlHours ?? 24 * 7) * 3_600_000 });
  const subscriptions = stores.mpSubscriptions();
  const outbound = createMpOutbound({
    api,
    subscriptions,
    logger,
    clock,
    bucket: createTokenBucket(config.sendRatePerSecond ?? 20),
    templateIds,
    templateData: deps.templateData ?? defaultSubscribeData,
    page: config.subscribePage ?? 'pages/index/index',
    miniprogramState: config.miniprogramState ?? 'formal',
    ...(config.retry ? { retry: config.retry } : {}),
  });

  const maxQueued = config.maxQueuedPushes ?? 10_000;
  const queue = new KeyedQueue(maxQueued, (err, openid) => logger.error({ err, openid: maskOpenid(openid) }, 'mini program push failed'));

  async function handlePush(message: InboundMessage): Promise<void> {
    // Acknowledged to WeChat already: a full turn queue is waited out here, not left to a redelivery.
    const result = await handleUntilAdmitted(deps.handleInbound, message, { giveUpAfterMs: 30_000, stopping: () => stopped });
    // WeChat retries a push it got no answer to; the first delivery has sent (or is sending) these replies.
    if (result.duplicate || result.replies.length === 0) return;
    const sent = await outbound.sendCustomerService(message.userId, result.replies);
    if (!sent.ok) logger.warn({ openid: maskOpenid(message.userId), reason: sent.reason }, 'the answer to a mini program message could not be delivered');
  }

  let stopped = false;
  const router = new Router();
  const apiRouter = mpApiRouter({
    code2Session,
    sessions,
    subscriptions,
    handleInbound: deps.handleInbound,
    workers: deps.workers,
    regions: deps.regions,
    status: deps.status,
    translator: deps.translator,
    clock,
    logger,
    templateIds,
    defaultLocale: config.defaultLocale ?? 'zh-CN',
    notices: deps.notices,
  });
  router.use(apiRouter.routes(), apiRouter.allowedMethods());
  if (config.token) {
    const mode = config.mode ?? defaultPushMode(config.aesKey);
    if (mode !== 'plain' && !config.aesKey) throw new Error(`WECHAT_MP_MODE=${mode} needs WECHAT_MP_AES_KEY (the EncodingAESKey from the console)`);
    const crypto = createWechatCrypto({ token: config.token, appId: config.appId, aesKey: config.aesKey });
    const push = mpPushRouter({
      crypto,
      clock,
      logger,
      timestampWindowSeconds: config.timestampWindowSeconds ?? 300,
      mode,
      replay: deps.replayGuard,
      appId: config.appId,
      accept: (decision) => decision.kind !== 'turn' || queue.push(decision.message.userId, () => handlePush(decision.message)),
    });
    router.use(push.routes(), push.allowedMethods());
  }

  /** Subscribe grants are how the bot reaches a mini program user on its own; someone never seen is unknown. */
  async function reach(openid: string): Promise<ReachAnswer> {
    if (!OPENID.test(openid)) return { reachable: false, reason: 'unknownUser' };
    const grants = await subscriptions.view(openid, templateIds);
    if (grants.some((g) => g.remaining > 0)) return { reachable: true, how: 'subscribe' };
    const known = (await subscriptions.raw(openid)) !== null || (await sessions.hasLiveSession(openid, clock.now()));
    return { reachable: false, reason: known ? 'quotaExhausted' : 'unknownUser' };
  }

  return {
    id: WECHAT_MP_CHANNEL,
    // Pictures are not taken from the mini program yet (its API carries text and choices only).
    capabilities: { images: false },
    routes: gatedRoutes(router, () => !stopped),
    sender: outbound.sender,
    media: { scheme: 'wechat-mp-media', source: wechatMediaSource(api, 'wechat-mp-media') },
    reach: { reach },
    api,
    sessions,
    subscriptions,
    start: () => stores.ready(),
    async stop() {
      stopped = true;
      await waitAtMost(queue.idle(), config.closeTimeoutMs ?? 10_000);
    },
    idle: () => queue.idle(),
    async housekeeping(now) {
      await sessions.purgeExpired(now);
    },
  };
}
