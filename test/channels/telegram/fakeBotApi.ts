import { CallWaiters, sendJson, startFakeServer, type FakeServer } from '../../support/fakeServer.ts';

/** One request as the fake Bot API saw it: form fields decoded, JSON-valued fields (reply_markup, ...) parsed. */
export interface BotApiCall {
  method: string;
  params: Record<string, unknown>;
  /** performance.now() at arrival. */
  at: number;
  /** What the fake answered. */
  status: number;
}

type Scripted = { method: string; match?: (params: Record<string, unknown>) => boolean; status: number; body: unknown };

/**
 * A fake Telegram Bot API on 127.0.0.1: answers like the real one (`{ok, result}` / `{ok:false, error_code,
 * description, parameters}`), keeps a log of every call, and can be told to fail the next matching call.
 */
export class FakeBotApi {
  readonly calls: BotApiCall[] = [];
  private scripted: Scripted[] = [];
  private server!: FakeServer;
  private nextMessageId = 1000;
  private readonly waiters = new CallWaiters(() => `fake Bot API calls: ${JSON.stringify(this.calls.map((c) => c.method))}`);
  webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | null = null;

  /** Called on every call (benchmarks measure arrival times here). */
  onCall: ((call: BotApiCall) => void) | null = null;

  /** `keepLog: false` keeps no call log (long benchmark runs); onCall still sees every call. */
  constructor(
    readonly token: string,
    private readonly opts: { keepLog?: boolean } = {},
  ) {}

  get url(): string {
    return this.server.url;
  }

  async start(): Promise<this> {
    this.server = await startFakeServer((req, body, res) => {
      const at = performance.now();
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
      const reply = (status: number, json: unknown) => sendJson(res, status, json);
      if (!m) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
      const [, token, method] = m;
      const params = decode(body.toString('utf8'), req.headers['content-type'] ?? '');
      const record = (status: number) => {
        const call = { method: method!, params, at, status };
        if (this.opts.keepLog !== false) this.calls.push(call);
        this.onCall?.(call);
        this.waiters.wake();
      };
      if (token !== this.token) {
        record(401);
        return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
      }
      const i = this.scripted.findIndex((s) => s.method === method && (!s.match || s.match(params)));
      if (i >= 0) {
        const [s] = this.scripted.splice(i, 1);
        record(s!.status);
        return reply(s!.status, s!.body);
      }
      record(200);
      reply(200, { ok: true, result: this.result(method!, params) });
    });
    return this;
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  /** The next call of `method` (matching `match`) gets this error instead of success. */
  failNext(method: string, error: { error_code: number; description: string; parameters?: Record<string, unknown> }, match?: (p: Record<string, unknown>) => boolean): void {
    this.scripted.push({ method, match, status: error.error_code, body: { ok: false, ...error } });
  }

  sent(chatId?: string | number): BotApiCall[] {
    return this.calls.filter((c) => c.method === 'sendMessage' && c.status === 200 && (chatId === undefined || String(c.params.chat_id) === String(chatId)));
  }

  /** Resolves when `pred` holds (checked on every call), or rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    return this.waiters.waitFor(pred, timeoutMs, what);
  }

  private result(method: string, params: Record<string, unknown>): unknown {
    switch (method) {
      case 'sendMessage':
        return { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(params.chat_id), type: 'private' }, text: params.text };
      case 'setWebhook':
        this.webhook = { url: String(params.url), secret_token: params.secret_token as string | undefined, allowed_updates: params.allowed_updates as string[] | undefined };
        return true;
      case 'deleteWebhook':
        this.webhook = null;
        return true;
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0, ...(this.webhook?.allowed_updates ? { allowed_updates: this.webhook.allowed_updates } : {}) };
      case 'getMe':
        return { id: 1, is_bot: true, first_name: 'Fake', username: 'fake_bot' };
      default:
        return true;
    }
  }
}

const JSON_FIELDS = new Set(['reply_markup', 'allowed_updates', 'entities', 'link_preview_options']);

function decode(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    // The library JSON-encodes structured fields (reply_markup, allowed_updates) inside the form.
    out[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
  }
  return out;
}
