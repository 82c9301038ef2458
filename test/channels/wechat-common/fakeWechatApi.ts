import { startFakeServer } from '../../support/fakeServer.ts';

/**
 * A fake api.weixin.qq.com on 127.0.0.1: records every call and answers like WeChat. Tests script its answers
 * per path with `answerNext` (consumed in order) or `answerWith` (a function of the call).
 */
export interface FakeCall {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  at: number;
}

type Answer = { status?: number; json?: unknown; raw?: string; file?: { contentType: string; bytes: Buffer }; delayMs?: number };

export interface FakeWechatApi {
  url: string;
  calls: FakeCall[];
  /** Calls to one path ('/cgi-bin/stable_token', '/cgi-bin/message/custom/send', ...). */
  callsTo(path: string): FakeCall[];
  /** The next answers for a path, in order (then the default answer again). */
  answerNext(path: string, ...answers: Answer[]): void;
  /** Answer a path by a function of the call (undefined: the default answer). */
  answerWith(path: string, fn: (call: FakeCall) => Answer | undefined): void;
  /** The access token currently valid (stable_token hands it out; force_refresh rotates it). */
  validToken(): string;
  /** Every call carrying a token other than the valid one gets errcode 40001. Default true. */
  checkTokens: boolean;
  /** Temporary media GET /cgi-bin/media/get serves, by media id (others: errcode 40007, as after the 3 days). */
  media: Map<string, { contentType: string; bytes: Buffer }>;
  waitForCalls(path: string, count: number, timeoutMs?: number): Promise<FakeCall[]>;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeWechatApi(): Promise<FakeWechatApi> {
  const calls: FakeCall[] = [];
  const queued = new Map<string, Answer[]>();
  const fns = new Map<string, (call: FakeCall) => Answer | undefined>();
  let generation = 1;
  const token = () => `ACCESS_TOKEN_${generation}`;

  const defaultAnswer = (call: FakeCall): Answer => {
    if (call.path === '/cgi-bin/stable_token') {
      if (call.body.force_refresh === true) generation++;
      return { json: { access_token: token(), expires_in: 7200 } };
    }
    if (api.checkTokens && call.query.access_token !== token()) return { json: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' } };
    if (call.path === '/cgi-bin/message/template/send') return { json: { errcode: 0, errmsg: 'ok', msgid: 200228332 } };
    if (call.path === '/cgi-bin/media/get') {
      const file = api.media.get(call.query.media_id ?? '');
      return file ? { file } : { json: { errcode: 40007, errmsg: 'invalid media_id' } };
    }
    return { json: { errcode: 0, errmsg: 'ok' } };
  };

  const server = await startFakeServer((req, raw, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      body = { unparsable: true };
    }
    const call: FakeCall = { path: url.pathname, query: Object.fromEntries(url.searchParams), body, at: Date.now() };
    calls.push(call);
    const answer = queued.get(call.path)?.shift() ?? fns.get(call.path)?.(call) ?? defaultAnswer(call);
    const send = () => {
      res.statusCode = answer.status ?? 200;
      if (answer.file) {
        res.setHeader('content-type', answer.file.contentType);
        res.end(answer.file.bytes);
        return;
      }
      // WeChat sends some errors (media/get's among them) as text/plain; JSON either way.
      res.setHeader('content-type', call.path === '/cgi-bin/media/get' ? 'text/plain' : 'application/json');
      res.end(answer.raw ?? JSON.stringify(answer.json ?? {}));
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  });

  const api: FakeWechatApi = {
    url: server.url,
    calls,
    checkTokens: true,
    media: new Map(),
    callsTo: (path) => calls.filter((c) => c.path === path),
    answerNext(path, ...answers) {
      queued.set(path, [...(queued.get(path) ?? []), ...answers]);
    },
    answerWith(path, fn) {
      fns.set(path, fn);
    },
    validToken: token,
    async waitForCalls(path, count, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const found = calls.filter((c) => c.path === path);
        if (found.length >= count) return found;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`expected ${count} call(s) to ${path} within ${timeoutMs} ms, got ${calls.filter((c) => c.path === path).length}`);
    },
    reset() {
      calls.length = 0;
      api.media.clear();
      queued.clear();
      fns.clear();
    },
    close: () => server.close(),
  };
  return api;
}
