import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as wecom from '@wecom/crypto';
import { Registry } from 'prom-client';
import { afterEach } from 'vitest';
import type { ActionRegistry } from '../../../src/app/actions/types.ts';
import type { HandleInbound } from '../../../src/app/handleInbound.ts';
import { createWechatOaChannel, type WechatOaChannel, type WechatOaConfig } from '../../../src/channels/wechat-oa/channel.ts';
import { buildWechatXml, parseWechatXml } from '../../../src/channels/wechat-common/xml.ts';
import { createHttpApp } from '../../../src/http/server.ts';
import { createLogger, type Logger } from '../../../src/infra/logger.ts';
import { createMongoChannelStores } from '../../../src/store/mongo/channelStores.ts';
import { createMongoReplayGuard } from '../../../src/store/mongo/replayGuard.ts';
import { createAppInstance, TestClock } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../wechat-common/fakeWechatApi.ts';

/**
 * The WeChat OA channel on a real pipeline (createAppInstance: real stores on the per-file test database), served
 * by the app's own HTTP stack on a random port, talking to a fake WeChat API on loopback. The "WeChat side" of
 * the tests signs and encrypts with @wecom/crypto, an implementation independent of ours.
 */
export const APP_ID = 'wx1234567890abcdef';
export const TOKEN = 'redcollarToken1';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const OLD_AES_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
export const GH_ID = 'gh_0123456789ab';

export interface HarnessOptions {
  replyBudgetMs?: number;
  /** Wrap the pipeline (e.g. to slow it down). */
  wrapHandle?: (handle: HandleInbound) => HandleInbound;
  actions?: (base: ActionRegistry) => ActionRegistry;
  templateIds?: Record<string, string>;
  config?: Partial<WechatOaConfig>;
  fake?: FakeWechatApi;
  logger?: Logger;
  /** Share another harness's database (a second instance of the app). */
  uri?: string;
}

export async function startOaHarness(tag: string, opts: HarnessOptions = {}) {
  const uri = opts.uri ?? testDbUri(tag);
  const clock = new TestClock();
  const app = await createAppInstance(uri, { clock, ...(opts.actions ? { actions: opts.actions } : {}) });
  const fake = opts.fake ?? (await startFakeWechatApi());
  const logger = opts.logger ?? createLogger('silent');
  const handle = opts.wrapHandle ? opts.wrapHandle(app.handle) : app.handle;
  const channel: WechatOaChannel = createWechatOaChannel({
    config: {
      appId: APP_ID,
      secret: 'secret-secret-secret-secret',
      token: TOKEN,
      aesKey: AES_KEY,
      previousAesKey: OLD_AES_KEY,
      apiBase: fake.url,
      replyBudgetMs: opts.replyBudgetMs ?? 4000,
      timestampWindowSeconds: 300,
      csWindowHours: 48,
      csQuota: 5,
      templateIds: opts.templateIds ?? {},
      retry: { attempts: 3, baseDelayMs: 5 },
      ...opts.config,
    },
    handleInbound: handle,
    stores: createMongoChannelStores(app.connection, app.cipher, clock),
    replayGuard: createMongoReplayGuard(app.connection),
    logger,
    clock,
  });
  await channel.start();
  await app.connection.models.SignedNonce!.init();
  const http = createHttpApp({ logger, metrics: new Registry(), maxBodyKb: 64, ready: async () => true, routers: [channel.routes] });
  const server: Server = http.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const wx = wechatClient(url, clock);

  return {
    uri,
    app,
    channel,
    fake,
    clock,
    url,
    wx,
    async close() {
      await channel.stop();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      if (!opts.fake) await fake.close();
      await app.close();
    },
  };
}

export type OaHarness = Awaited<ReturnType<typeof startOaHarness>>;

/**
 * For a test file whose tests each start their own harness (startOaHarness starts a fake WeChat server when given
 * none): each is closed after its test. With one shared server, a late customer-service message or a token refresh
 * by one test's channel showed up in a later test's calls, or rotated the token it was using.
 */
export function oaHarnessPerTest(): (tag: string, opts?: HarnessOptions) => Promise<OaHarness> {
  let open: OaHarness[] = [];
  afterEach(async () => {
    for (const h of open) await h.close();
    open = [];
  });
  return async (tag, opts = {}) => {
    const h = await startOaHarness(tag, opts);
    open.push(h);
    return h;
  };
}

export interface PushOptions {
  /** How WeChat sends it: safe mode (default), compatible or plaintext. */
  mode?: 'safe' | 'plain' | 'compatible';
  aesKey?: string;
  appId?: string;
  timestamp?: number;
  nonce?: string;
  /** Replace the query string entirely (bad-input tests). */
  query?: Record<string, string>;
  /** Replace the body entirely (bad-input tests). */
  body?: string | Buffer;
  contentType?: string;
}

export interface PushResult {
  status: number;
  raw: string;
  /** The reply's Content (decrypted and signature-checked in safe mode); null for "success" or errors. */
  text: string | null;
  /** The whole reply message, decrypted. */
  fields: Record<string, string> | null;
}

/** WeChat's side of the conversation: builds, signs and encrypts pushes; checks and decrypts passive replies. */
export function wechatClient(url: string, clock: TestClock) {
  let seq = 0;
  const nextMsgId = () => `${7_300_000_000_000_000_000n + BigInt(Date.now()) * 1000n + BigInt(++seq)}`;

  async function push(fields: Record<string, string | number>, opts: PushOptions = {}): Promise<PushResult> {
    const mode = opts.mode ?? 'safe';
    const timestamp = String(opts.timestamp ?? Math.floor(clock.now().getTime() / 1000));
    const nonce = opts.nonce ?? String(Math.floor(Math.random() * 1e9));
    const plainXml = buildWechatXml(fields);
    let body: string | Buffer;
    let query: Record<string, string>;
    const signature = wecomSignature(TOKEN, timestamp, nonce);
    if (mode === 'plain') {
      body = plainXml;
      query = { signature, timestamp, nonce };
    } else {
      const encrypt = wecom.encrypt(opts.aesKey ?? AES_KEY, plainXml, opts.appId ?? APP_ID);
      const msgSignature = wecom.getSignature(TOKEN, timestamp, nonce, encrypt);
      const outer: Record<string, string | number> = { ToUserName: GH_ID, Encrypt: encrypt };
      body = mode === 'compatible' ? `<xml>${plainXml.slice(5, -6)}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` : buildWechatXml(outer);
      query = { signature, timestamp, nonce, openid: String(fields.FromUserName ?? ''), encrypt_type: 'aes', msg_signature: msgSignature };
    }
    if (opts.body !== undefined) body = opts.body;
    if (opts.query) query = opts.query;
    const res = await fetch(`${url}/wechat/oa?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': opts.contentType ?? 'text/xml' }, body });
    const raw = await res.text();
    return { status: res.status, raw, ...readReply(raw, mode !== 'plain') };
  }

  function readReply(raw: string, encrypted: boolean): { text: string | null; fields: Record<string, string> | null } {
    if (!raw.startsWith('<xml>')) return { text: null, fields: null };
    let fields = parseWechatXml(raw).fields;
    if (encrypted) {
      const { Encrypt, MsgSignature, TimeStamp, Nonce } = fields;
      if (!Encrypt || !MsgSignature || !TimeStamp || !Nonce) throw new Error(`an encrypted request got an unencrypted reply: ${raw}`);
      if (wecom.getSignature(TOKEN, TimeStamp, Nonce, Encrypt) !== MsgSignature) throw new Error('the reply MsgSignature does not verify');
      const { message, id } = wecom.decrypt(AES_KEY, Encrypt);
      if (id !== APP_ID) throw new Error(`the reply was encrypted for ${id}`);
      fields = parseWechatXml(message).fields;
    }
    return { text: fields.Content ?? null, fields };
  }

  const base = (openid: string, type: string) => ({ ToUserName: GH_ID, FromUserName: openid, CreateTime: Math.floor(clock.now().getTime() / 1000), MsgType: type });

  return {
    push,
    nextMsgId,
    /** A text message; returns the reply text (null for "success"). */
    async text(openid: string, content: string, opts: PushOptions & { msgId?: string } = {}): Promise<PushResult> {
      return push({ ...base(openid, 'text'), Content: content, MsgId: opts.msgId ?? nextMsgId() }, opts);
    },
    async event(openid: string, event: string, eventKey?: string, opts: PushOptions = {}): Promise<PushResult> {
      return push({ ...base(openid, 'event'), Event: event, ...(eventKey !== undefined ? { EventKey: eventKey } : {}) }, opts);
    },
    async message(openid: string, type: string, extra: Record<string, string>, opts: PushOptions = {}): Promise<PushResult> {
      return push({ ...base(openid, type), ...extra, MsgId: nextMsgId() }, opts);
    },
    /** GET /wechat/oa URL verification. */
    async verify(query: Record<string, string>): Promise<{ status: number; raw: string }> {
      const res = await fetch(`${url}/wechat/oa?${new URLSearchParams(query)}`);
      return { status: res.status, raw: await res.text() };
    },
  };
}

/** The plain signature as WeChat computes it (sorted token, timestamp, nonce), written out independently. */
export function wecomSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}

export const openidOf = (n: number | string) => `oWx_test_${String(n).padStart(6, '0')}_abcdefghij`.slice(0, 28);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
