import type { Clock } from '../../app/ports/clock.ts';
import type { MediaContent } from '../../app/ports/media.ts';
import type { Logger } from '../../infra/logger.ts';
import type { TokenStore } from '../ports.ts';

/**
 * A thin typed client for the WeChat server API (api.weixin.qq.com), shared by the Official Account and the Mini
 * Program. It owns the access token: fetched from /cgi-bin/stable_token, cached in a TokenStore (MongoDB's
 * `wechat_tokens` in the app, one document per app id) so every instance uses the same one, refreshed 5 minutes before it
 * expires, fetched at most once at a time per process, and force-refreshed once when WeChat says it is invalid.
 *
 * stable_token (unlike the old /cgi-bin/token) hands back the same token to every caller while it is valid, so
 * two instances refreshing at the same moment do not invalidate each other; only `force_refresh` rotates it, and
 * that is done only when the token in the database is the one WeChat just refused.
 */

/** errcodes meaning "this access token is no longer good". */
const TOKEN_INVALID = new Set([40001, 42001, 40014]);
/** errcodes worth trying again later: -1 is "system busy". */
const TRANSIENT = new Set([-1]);

export class WechatApiError extends Error {
  override name = 'WechatApiError';
  constructor(
    readonly path: string,
    /** WeChat's errcode; 0 for an HTTP or network failure. */
    readonly errcode: number,
    readonly errmsg: string,
    /** Network error, timeout, HTTP 5xx or errcode -1: the same call may succeed later. */
    readonly transient: boolean,
    readonly httpStatus?: number,
  ) {
    super(`WeChat API ${path} failed: ${errcode ? `errcode ${errcode} (${errmsg})` : errmsg}`);
  }
}

export interface WechatApiConfig {
  appId: string;
  secret: string;
  /** e.g. https://api.weixin.qq.com (tests point it at a fake server on loopback). */
  apiBase: string;
  /** Refresh this long before the token expires. Default 5 minutes. */
  refreshEarlyMs?: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

export interface WechatApiDeps {
  config: WechatApiConfig;
  /** Where the token is shared between instances (store/mongo/wechatAccessTokens.ts in the app). */
  tokenStore: TokenStore;
  logger: Logger;
  clock: Clock;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface WechatApiResult {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

export type CustomMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'msgmenu'; msgmenu: { head_content: string; list: { id: string; content: string }[]; tail_content: string } };

export interface TemplateMessage {
  template_id: string;
  url?: string;
  data: Record<string, { value: string; color?: string }>;
}

export function memoryTokenStore(): TokenStore {
  const tokens = new Map<string, { accessToken: string; expiresAt: Date }>();
  return {
    load: async (appId) => tokens.get(appId) ?? null,
    save: async (appId, accessToken, expiresAt) => void tokens.set(appId, { accessToken, expiresAt }),
  };
}

export function createWechatApiClient(deps: WechatApiDeps) {
  const { config, logger, clock } = deps;
  const doFetch = deps.fetch ?? fetch;
  const base = config.apiBase.replace(/\/+$/, '');
  const refreshEarlyMs = config.refreshEarlyMs ?? 5 * 60_000;
  const timeoutMs = config.timeoutMs ?? 10_000;
  const store = deps.tokenStore;

  let memo: { token: string; expiresAt: number } | null = null;
  let inflight: Promise<string> | null = null;

  const fresh = (expiresAt: number) => expiresAt - refreshEarlyMs > clock.now().getTime();

  /** One POST with a JSON body; errcode ≠ 0 becomes a WechatApiError. */
  async function post(path: string, body: unknown, query: Record<string, string> = {}): Promise<WechatApiResult> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new WechatApiError(path, 0, `network error: ${(err as Error).message}`, true);
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 500) throw new WechatApiError(path, 0, `HTTP ${res.status}`, true, res.status);
    if (!res.ok) throw new WechatApiError(path, 0, `HTTP ${res.status}`, false, res.status);
    let json: WechatApiResult;
    try {
      json = JSON.parse(text) as WechatApiResult;
    } catch {
      throw new WechatApiError(path, 0, 'the answer is not JSON', true, res.status);
    }
    if (typeof json.errcode === 'number' && json.errcode !== 0) {
      throw new WechatApiError(path, json.errcode, String(json.errmsg ?? ''), TRANSIENT.has(json.errcode), res.status);
    }
    return json;
  }

  async function fetchStableToken(forceRefresh: boolean): Promise<string> {
    const json = await post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: config.appId, secret: config.secret, ...(forceRefresh ? { force_refresh: true } : {}) });
    const token = json.access_token;
    const expiresIn = Number(json.expires_in);
    if (typeof token !== 'string' || !token || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new WechatApiError('/cgi-bin/stable_token', 0, 'the answer has no access_token/expires_in', true);
    }
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + expiresIn * 1000);
    await store.save(config.appId, token, expiresAt, now);
    memo = { token, expiresAt: expiresAt.getTime() };
    logger.info({ appId: config.appId, forceRefresh, expiresIn }, 'wechat access token fetched');
    return token;
  }

  async function loadShared(): Promise<{ accessToken: string; expiresAt: Date } | null> {
    return store.load(config.appId);
  }

  /** Single-flight: concurrent callers in this process share one database read and at most one fetch. */
  function singleFlight(work: () => Promise<string>): Promise<string> {
    if (!inflight) {
      inflight = work().finally(() => {
        inflight = null;
      });
    }
    return inflight;
  }

  async function accessToken(): Promise<string> {
    if (memo && fresh(memo.expiresAt)) return memo.token;
    return singleFlight(async () => {
      const shared = await loadShared();
      if (shared && fresh(shared.expiresAt.getTime())) {
        memo = { token: shared.accessToken, expiresAt: shared.expiresAt.getTime() };
        return shared.accessToken;
      }
      return fetchStableToken(false);
    });
  }

  /** WeChat refused `rejected`: use a newer shared token if another instance already got one, else force a new one. */
  async function replaceToken(rejected: string): Promise<string> {
    if (memo?.token === rejected) memo = null;
    return singleFlight(async () => {
      if (memo && memo.token !== rejected && fresh(memo.expiresAt)) return memo.token;
      const shared = await loadShared();
      if (shared && shared.accessToken !== rejected && fresh(shared.expiresAt.getTime())) {
        memo = { token: shared.accessToken, expiresAt: shared.expiresAt.getTime() };
        return shared.accessToken;
      }
      return fetchStableToken(true);
    });
  }

  /** A request that needs the access token; an invalid-token answer refreshes the token once and retries once. */
  async function withToken<T>(path: string, request: (token: string) => Promise<T>): Promise<T> {
    const token = await accessToken();
    try {
      return await request(token);
    } catch (err) {
      if (!(err instanceof WechatApiError) || !TOKEN_INVALID.has(err.errcode)) throw err;
      logger.warn({ path, errcode: err.errcode }, 'wechat refused the access token; refreshing once');
      return request(await replaceToken(token));
    }
  }

  const call = (path: string, body: unknown): Promise<WechatApiResult> => withToken(path, (token) => post(path, body, { access_token: token }));

  /**
   * One GET of a file. WeChat answers a file with its own content type, and a refusal with a JSON errcode (as
   * application/json or text/plain), which becomes a WechatApiError like any other call's.
   */
  async function getFile(path: string, query: Record<string, string>): Promise<MediaContent> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await doFetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs * 3) });
    } catch (err) {
      throw new WechatApiError(path, 0, `network error: ${(err as Error).message}`, true);
    }
    if (res.status >= 500) throw new WechatApiError(path, 0, `HTTP ${res.status}`, true, res.status);
    if (!res.ok) throw new WechatApiError(path, 0, `HTTP ${res.status}`, false, res.status);
    const contentType = (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
    const bytes = Buffer.from(await res.arrayBuffer());
    if (contentType === 'application/json' || contentType === 'text/plain') {
      let json: WechatApiResult;
      try {
        json = JSON.parse(bytes.toString('utf8')) as WechatApiResult;
      } catch {
        throw new WechatApiError(path, 0, `the answer is ${contentType} but not JSON`, true, res.status);
      }
      const errcode = typeof json.errcode === 'number' ? json.errcode : 0;
      throw new WechatApiError(path, errcode, String(json.errmsg ?? 'a JSON answer where a file was expected'), TRANSIENT.has(errcode), res.status);
    }
    return { contentType, bytes };
  }

  return {
    accessToken,
    call,
    /** POST /cgi-bin/message/custom/send: a customer-service message (inside the user's window). */
    sendCustomMessage: (openid: string, message: CustomMessage) => call('/cgi-bin/message/custom/send', { touser: openid, ...message }),
    /** POST /cgi-bin/message/template/send: a template message (the path outside the window). */
    sendTemplateMessage: (openid: string, message: TemplateMessage) => call('/cgi-bin/message/template/send', { touser: openid, ...message }),
    /** POST /cgi-bin/menu/create: replace the account's custom menu. */
    createMenu: (menu: { button: unknown[] }) => call('/cgi-bin/menu/create', menu),
    /** GET /cgi-bin/media/get: a temporary media file (a picture a user sent; WeChat keeps it for 3 days). */
    getMedia: (mediaId: string) => withToken('/cgi-bin/media/get', (token) => getFile('/cgi-bin/media/get', { access_token: token, media_id: mediaId })),
  };
}

export type WechatApiClient = ReturnType<typeof createWechatApiClient>;
