import type { HandleInbound } from '../../app/handleInbound.ts';
import type { Clock } from '../../app/ports/clock.ts';
import type { ReachAnswer } from '../../app/ports/reach.ts';
import type { ReplayGuard } from '../../app/ports/replayGuard.ts';
import type { DeliveryResult } from '../../app/ports/sender.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { gatedRoutes, type ChannelModule } from '../module.ts';
import { OPENID, type ChannelStores, type Reachability, type WechatUserStore } from '../ports.ts';
import { createWechatApiClient, type WechatApiClient } from '../wechat-common/apiClient.ts';
import { createWechatCrypto } from '../wechat-common/crypto.ts';
import { wechatMediaSource } from '../wechat-common/mediaSource.ts';
import { defaultPushMode, type WechatPushMode } from '../wechat-common/signedRequest.ts';
import { createTokenBucket, type RetryOptions } from '../wechat-common/delivery.ts';
import { WECHAT_OA_CHANNEL } from './inbound.ts';
import { createWechatOaOutbound, type TemplateDataBuilder } from './outbound.ts';
import { wechatOaRouter } from './routes.ts';
import { DEFAULT_OA_TEXTS, type WechatOaTexts } from './texts.ts';

export { WECHAT_OA_CHANNEL };

export interface WechatOaConfig {
  appId: string;
  secret: string;
  token: string;
  /** EncodingAESKey (43 characters); absent in plaintext mode. */
  aesKey?: string | undefined;
  /** The EncodingAESKey before the last change; tried when the current key fails. */
  previousAesKey?: string | undefined;
  /** The console's 消息加解密方式 (WECHAT_OA_MODE); default safe with an AES key, else plain. */
  mode?: WechatPushMode | undefined;
  /** e.g. https://api.weixin.qq.com */
  apiBase: string;
  /** Passive reply budget (WeChat waits 5 s); default setting 4000. */
  replyBudgetMs: number;
  timestampWindowSeconds: number;
  csWindowHours: number;
  csQuota: number;
  /** Notice kind → template id (WECHAT_TEMPLATE_IDS). */
  templateIds: Record<string, string>;
  /** Customer-service choices as msgmenu (tappable) instead of numbered text. Default false. */
  csMenus?: boolean;
  /** Outbound API calls per second, per process (token bucket). Default 20. */
  sendRatePerSecond?: number;
  /** Retries of transient send failures. Default 4 attempts from 500 ms. */
  retry?: RetryOptions;
  /** Template kind for Sender.send, which carries none. Default 'applicationProgress', else 'default'. */
  defaultTemplateKind?: string;
}

export interface WechatOaChannelDeps {
  config: WechatOaConfig;
  handleInbound: HandleInbound;
  /** Where the channel keeps its users' windows, its access token and its delivery claims. */
  stores: ChannelStores;
  /** (timestamp, nonce) pairs already used, shared by every instance. */
  replayGuard: ReplayGuard;
  logger: Logger;
  clock: Clock;
  /** Overrides of the channel's own texts (voice not recognised, unsupported message). */
  texts?: Partial<WechatOaTexts>;
  /** How a notice becomes a template's data fields. */
  templateData?: TemplateDataBuilder;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface WechatOaChannel extends ChannelModule {
  /** GET and POST /wechat/oa. */
  readonly routes: NonNullable<ChannelModule['routes']>;
  /** The Sender for channel 'wechat-oa': customer-service message in the window, template message outside it. */
  readonly sender: NonNullable<ChannelModule['sender']>;
  /** The window and quota as the store has them. */
  reachability(openid: string): Promise<Reachability>;
  /** A notice of a known kind (picks that kind's template outside the window). */
  sendNotice(openid: string, kind: string, messages: OutboundMessage[], url?: string): Promise<DeliveryResult>;
  api: WechatApiClient;
  users: WechatUserStore;
  /** Wait for late answers still being delivered (tests; stop() does it too). */
  drain(): Promise<void>;
}

/** Delivery claims are only needed while WeChat may still retry a message; two days is ample. */
const CLAIM_RETENTION_MS = 2 * 86_400_000;

/** The WeChat Official Account channel: inbound route, outbound sender, reach. */
export function createWechatOaChannel(deps: WechatOaChannelDeps): WechatOaChannel {
  const { config, stores, logger, clock } = deps;
  const log = logger.child({ channel: WECHAT_OA_CHANNEL });
  const mode = config.mode ?? defaultPushMode(config.aesKey);
  if (mode !== 'plain' && !config.aesKey) throw new Error(`WECHAT_OA_MODE=${mode} needs WECHAT_OA_AES_KEY (the EncodingAESKey from the console)`);
  const crypto = createWechatCrypto({ token: config.token, appId: config.appId, aesKey: config.aesKey, previousAesKey: config.previousAesKey });
  const api = createWechatApiClient({ config: { appId: config.appId, secret: config.secret, apiBase: config.apiBase }, tokenStore: stores.wechatTokens(), logger: log, clock, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const templatesConfigured = Object.keys(config.templateIds).length > 0;
  const users = stores.wechatUsers({
    appId: config.appId,
    csWindowHours: config.csWindowHours,
    csQuota: config.csQuota,
    templatesConfigured,
  });
  const claims = stores.wechatDeliveryClaims(config.appId);
  const outbound = createWechatOaOutbound({
    api,
    users,
    logger: log,
    clock,
    bucket: createTokenBucket(config.sendRatePerSecond ?? 20),
    templateIds: config.templateIds,
    csMenus: config.csMenus ?? false,
    ...(config.retry ? { retry: config.retry } : {}),
    ...(config.defaultTemplateKind ? { defaultTemplateKind: config.defaultTemplateKind } : {}),
    ...(deps.templateData ? { templateData: deps.templateData } : {}),
  });

  let stopped = false;
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const p = work.catch(() => undefined).finally(() => pending.delete(p));
    pending.add(p);
  };

  const router = wechatOaRouter({
    crypto,
    handleInbound: deps.handleInbound,
    users,
    claims,
    outbound,
    logger: log,
    clock,
    texts: { ...DEFAULT_OA_TEXTS, ...deps.texts },
    replyBudgetMs: config.replyBudgetMs,
    timestampWindowSeconds: config.timestampWindowSeconds,
    mode,
    replay: deps.replayGuard,
    appId: config.appId,
    track,
  });

  async function drain(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  /** From the window and quota the store keeps; a user who never wrote (no document) is unknown. */
  async function reach(openid: string): Promise<ReachAnswer> {
    if (!OPENID.test(openid)) return { reachable: false, reason: 'unknownUser' };
    const doc = await users.get(openid);
    if (!doc) return { reachable: false, reason: 'unknownUser' };
    if (doc.subscribed === false) return { reachable: false, reason: 'unsubscribed' };
    const r = await users.reachability(openid, clock.now());
    if (r.canSendCs) return { reachable: true, how: 'window' };
    if (r.viaTemplate) return { reachable: true, how: 'template' };
    const open = !!r.windowEndsAt && r.windowEndsAt.getTime() > clock.now().getTime();
    return { reachable: false, reason: open ? 'quotaExhausted' : 'windowClosed' };
  }

  return {
    id: WECHAT_OA_CHANNEL,
    capabilities: { images: true },
    routes: gatedRoutes(router, () => !stopped),
    sender: outbound.sender,
    media: { scheme: 'wechat-media', source: wechatMediaSource(api, 'wechat-media') },
    reach: { reach },
    reachability: (openid) => users.reachability(openid, clock.now()),
    sendNotice: outbound.sendNotice,
    api,
    users,
    start: () => stores.ready(),
    async stop() {
      stopped = true;
      await drain();
    },
    drain,
    async housekeeping(now) {
      await claims.purgeOlderThan(new Date(now.getTime() - CLAIM_RETENTION_MS));
    },
  };
}
