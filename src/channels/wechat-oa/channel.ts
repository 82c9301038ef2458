import type Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { HandleInbound } from '../../app/handleInbound.ts';
import type { Clock } from '../../app/ports/clock.ts';
import type { ReplayGuard } from '../../app/ports/replayGuard.ts';
import type { DeliveryResult, Sender } from '../../app/ports/sender.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { createWechatApiClient, type WechatApiClient } from '../wechat-common/apiClient.ts';
import { createWechatCrypto } from '../wechat-common/crypto.ts';
import { defaultPushMode, type WechatPushMode } from '../wechat-common/signedRequest.ts';
import { createTokenBucket, type RetryOptions } from '../wechat-common/delivery.ts';
import { createWechatUsers, type Reachability, type WechatUsers } from '../wechat-common/users.ts';
import { createDeliveryClaims } from './deliveryClaims.ts';
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
  connection: Connection;
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

export interface WechatOaChannel {
  /** GET and POST /wechat/oa. */
  router: Router;
  /** The Sender for channel 'wechat-oa': customer-service message in the window, template message outside it. */
  sender: Sender;
  /** Whether (and how) the bot can reach a user now. */
  reachability(openid: string): Promise<Reachability>;
  /** A notice of a known kind (picks that kind's template outside the window). */
  sendNotice(openid: string, kind: string, messages: OutboundMessage[], url?: string): Promise<DeliveryResult>;
  api: WechatApiClient;
  users: WechatUsers;
  /** Build this channel's indexes (call once at start-up, after the connection is open). */
  init(): Promise<void>;
  /** Wait for late answers still being delivered (graceful shutdown, tests). */
  drain(): Promise<void>;
  /** Delete delivery claims older than `cutoff` (for databases that ignore TTL indexes). */
  purgeDeliveryClaims(cutoff: Date): Promise<number>;
}

/** The WeChat Official Account channel: inbound route, outbound sender, reachability. */
export function createWechatOaChannel(deps: WechatOaChannelDeps): WechatOaChannel {
  const { config, connection, logger, clock } = deps;
  const log = logger.child({ channel: WECHAT_OA_CHANNEL });
  const mode = config.mode ?? defaultPushMode(config.aesKey);
  if (mode !== 'plain' && !config.aesKey) throw new Error(`WECHAT_OA_MODE=${mode} needs WECHAT_OA_AES_KEY (the EncodingAESKey from the console)`);
  const crypto = createWechatCrypto({ token: config.token, appId: config.appId, aesKey: config.aesKey, previousAesKey: config.previousAesKey });
  const api = createWechatApiClient({ config: { appId: config.appId, secret: config.secret, apiBase: config.apiBase }, connection, logger: log, clock, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const users = createWechatUsers(connection, {
    appId: config.appId,
    csWindowHours: config.csWindowHours,
    csQuota: config.csQuota,
    templatesConfigured: Object.keys(config.templateIds).length > 0,
  });
  const claims = createDeliveryClaims(connection, config.appId);
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

  return {
    router,
    sender: outbound.sender,
    reachability: (openid) => users.reachability(openid, clock.now()),
    sendNotice: outbound.sendNotice,
    api,
    users,
    async init() {
      await Promise.all(['WechatToken', 'WechatUser', 'WechatDelivery'].map((name) => connection.models[name]?.init()));
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    purgeDeliveryClaims: claims.purgeOlderThan,
  };
}

/** WECHAT_TEMPLATE_IDS (a JSON object, already checked by config.ts) as a map; {} when unset. */
export function parseTemplateIds(json: string | undefined): Record<string, string> {
  if (!json) return {};
  const parsed = JSON.parse(json) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
