import type { ApiResponse } from './adminApiHarness.ts';

/**
 * A browser-like client of the admin API for the console's session: it keeps the `rc_session` cookie it was
 * given and sends the CSRF token from the login answer on unsafe requests (unless a test says otherwise).
 */
export interface ConsoleClient {
  cookie: string | null;
  csrfToken: string | null;
  /** POST /admin/api/session; on 200 the cookie and CSRF token are kept. */
  login(username: string, password: string): Promise<ApiResponse>;
  /** `csrf`: the header to send (null = none); by default the login's token on POST/PUT/PATCH/DELETE. */
  call(method: string, path: string, body?: unknown, opts?: { csrf?: string | null; headers?: Record<string, string> }): Promise<ApiResponse>;
}

export function consoleClient(baseUrl: string, headers: Record<string, string> = {}): ConsoleClient {
  const client: ConsoleClient = {
    cookie: null,
    csrfToken: null,
    async login(username, password) {
      const res = await client.call('POST', '/session', { username, password }, { csrf: null });
      if (res.status === 200) {
        const set = res.headers.getSetCookie().find((c) => c.startsWith('rc_session='));
        client.cookie = set ? set.split(';')[0]! : null;
        client.csrfToken = res.body.csrfToken;
      }
      return res;
    },
    async call(method, path, body, opts = {}) {
      const unsafe = !['GET', 'HEAD'].includes(method);
      const csrf = opts.csrf === undefined ? (unsafe ? client.csrfToken : null) : opts.csrf;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const res = await fetch(`${baseUrl}/admin/api${path}`, {
        method,
        headers: {
          ...headers,
          ...(client.cookie ? { cookie: client.cookie } : {}),
          ...(csrf ? { 'x-csrf-token': csrf } : {}),
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        ...(payload !== undefined ? { body: payload } : {}),
      });
      const raw = await res.text();
      const json = (res.headers.get('content-type') ?? '').includes('json');
      return { status: res.status, headers: res.headers, body: json && raw ? JSON.parse(raw) : raw, raw };
    },
  };
  return client;
}
