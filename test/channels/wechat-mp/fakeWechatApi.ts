import { createHash } from 'node:crypto';
import { CallWaiters, sendJson, startFakeServer, type FakeServer } from '../../support/fakeServer.ts';

export interface WechatApiCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | null;
  at: number;
  /** The errcode the fake answered (0 = success). */
  errcode: number;
}

/** The openid the fake hands out for a login code `good-<name>`: stable per name, 28 characters like real ones. */
export const openidOf = (name: string) => `o${createHash('sha256').update(name).digest('base64url').slice(0, 27)}`;

/**
 * A fake WeChat server API on 127.0.0.1: jscode2session (codes `good-<name>` succeed, `used-*` are 40163, anything
 * else 40029), stable_token, customer-service and subscribe messages. Logs every call; errors can be scripted.
 */
export class FakeWechatApi {
  readonly calls: WechatApiCall[] = [];
  private server!: FakeServer;
  private scripted: { path: string; status?: number; body: Record<string, unknown> }[] = [];
  private tokenSeq = 0;
  private readonly waiters = new CallWaiters(() => `fake WeChat API calls: ${JSON.stringify(this.calls.map((c) => c.path))}`);

  constructor(
    readonly appId: string,
    readonly secret: string,
  ) {}

  get url(): string {
    return this.server.url;
  }

  async start(): Promise<this> {
    this.server = await startFakeServer((req, raw, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const query = Object.fromEntries(url.searchParams);
      const text = raw.toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const answer = (status: number, json: Record<string, unknown>) => {
        this.calls.push({ method: req.method ?? '', path: url.pathname, query, body, at: performance.now(), errcode: typeof json.errcode === 'number' ? json.errcode : status >= 400 ? -status : 0 });
        sendJson(res, status, json);
        this.waiters.wake();
      };
      const i = this.scripted.findIndex((s) => s.path === url.pathname);
      if (i >= 0) {
        const [s] = this.scripted.splice(i, 1);
        return answer(s!.status ?? 200, s!.body);
      }
      answer(200, this.route(req.method ?? '', url.pathname, query, body));
    });
    return this;
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  /** The next call of `path` gets this answer. */
  failNext(path: string, body: Record<string, unknown>, status = 200): void {
    this.scripted.push({ path, status, body });
  }

  sent(path: string, openid?: string): WechatApiCall[] {
    return this.calls.filter((c) => c.path === path && c.errcode === 0 && (openid === undefined || c.body?.touser === openid));
  }

  waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    return this.waiters.waitFor(pred, timeoutMs, what);
  }

  private route(method: string, path: string, query: Record<string, string>, body: Record<string, unknown> | null): Record<string, unknown> {
    if (path === '/sns/jscode2session' && method === 'GET') {
      if (query.appid !== this.appId || query.secret !== this.secret) return { errcode: 40125, errmsg: 'invalid appsecret' };
      if (query.grant_type !== 'authorization_code') return { errcode: 40002, errmsg: 'invalid grant_type' };
      const code = query.js_code ?? '';
      if (code.startsWith('used-')) return { errcode: 40163, errmsg: 'code been used' };
      if (!code.startsWith('good-')) return { errcode: 40029, errmsg: 'invalid code' };
      const name = code.slice('good-'.length);
      return { openid: openidOf(name), session_key: createHash('md5').update(`sk-${name}`).digest('base64') };
    }
    if (path === '/cgi-bin/stable_token' && method === 'POST') {
      if (body?.appid !== this.appId || body?.secret !== this.secret) return { errcode: 40125, errmsg: 'invalid appsecret' };
      return { access_token: `AT_${++this.tokenSeq}`, expires_in: 7200 };
    }
    if (path.startsWith('/cgi-bin/') && method === 'POST') {
      if (!query.access_token?.startsWith('AT_')) return { errcode: 40001, errmsg: 'invalid credential' };
      return { errcode: 0, errmsg: 'ok' };
    }
    return { errcode: 404, errmsg: 'not found' };
  }
}
