/**
 * The one place the console talks HTTP. Every call goes to the admin API with the session cookie; unsafe
 * methods carry the CSRF token the session gave us. Failures become ApiError with the server's message, so a
 * page shows what the API said rather than a status code.
 */

export interface ConflictCurrent {
  version: number;
  stage?: string;
  by?: string;
  at?: string;
  action?: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    /** The API's machine-readable code (csrf, passwordChangeRequired, conflict, ...), when it sent one. */
    readonly code: string | undefined,
    /** The whole JSON body, for the fields particular to one error (retryAfterSeconds, lockedUntil, current). */
    readonly body: Record<string, unknown>,
    /** The API's own English sentence, when `message` is the console's wording of it (HttpClientOptions.explain). */
    readonly serverMessage: string = message,
  ) {
    super(message);
  }

  get retryAfterSeconds(): number | undefined {
    const v = this.body.retryAfterSeconds;
    return typeof v === 'number' ? v : undefined;
  }

  get lockedUntil(): string | undefined {
    const v = this.body.lockedUntil;
    return typeof v === 'string' ? v : undefined;
  }

  /** On a 409: the record as it is now, so the page can say who changed it and what. */
  get current(): ConflictCurrent | undefined {
    const v = this.body.current;
    return v && typeof v === 'object' && typeof (v as ConflictCurrent).version === 'number' ? (v as ConflictCurrent) : undefined;
  }
}

/** No answer at all (server down, network gone): status 0, so callers tell it apart from an API refusal. */
export class NetworkError extends ApiError {
  override name = 'NetworkError';
  constructor(cause: unknown) {
    super(0, `the server could not be reached (${cause instanceof Error ? cause.message : String(cause)})`, 'network', {});
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface HttpClientOptions {
  base: string;
  fetch?: typeof fetch;
  /** Called on every 401 from a route other than the session itself: the session ended. */
  onUnauthorized?: (error: ApiError) => void;
  /** Called when the API says the password must be changed first. */
  onPasswordChangeRequired?: (error: ApiError) => void;
  /** Words a refusal for the admin (logic/refusal.ts); it becomes the error's `message`, the API's stays in `serverMessage`. */
  explain?: (error: ApiError) => string;
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Reads an error body whatever the server sent: JSON with `error`, or text (a proxy's page), or nothing. */
async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    body = {};
  }
  const message =
    typeof body.error === 'string' && body.error
      ? body.error
      : typeof body.message === 'string' && body.message
        ? body.message
        : `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return new ApiError(response.status, message, typeof body.code === 'string' ? body.code : undefined, body);
}

function explained(error: ApiError, explain: HttpClientOptions['explain']): ApiError {
  if (!explain) return error;
  const message = explain(error);
  return message === error.message ? error : new ApiError(error.status, message, error.code, error.body, error.message);
}

export function createHttpClient(options: HttpClientOptions) {
  const doFetch = options.fetch ?? ((input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init));
  let csrfToken: string | undefined;

  async function send(method: string, path: string, init: { query?: Query; body?: unknown } = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    let response: Response;
    try {
      response = await doFetch(`${options.base}${path}${queryString(init.query)}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch (cause) {
      throw new NetworkError(cause);
    }
    if (!response.ok) {
      const error = explained(await errorFrom(response), options.explain);
      if (error.status === 401 && !path.startsWith('/session')) options.onUnauthorized?.(error);
      if (error.status === 403 && error.code === 'passwordChangeRequired') options.onPasswordChangeRequired?.(error);
      throw error;
    }
    return response;
  }

  async function json<T>(method: string, path: string, init: { query?: Query; body?: unknown } = {}): Promise<T> {
    const response = await send(method, path, init);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    setCsrfToken(token: string | undefined) {
      csrfToken = token;
    },
    get: <T>(path: string, query?: Query) => json<T>('GET', path, { query }),
    post: <T>(path: string, body?: unknown) => json<T>('POST', path, { body: body ?? {} }),
    del: <T = void>(path: string) => json<T>('DELETE', path),
    put: <T>(path: string, body: unknown, query?: Query) => json<T>('PUT', path, { body, query }),
    patch: <T>(path: string, body: unknown) => json<T>('PATCH', path, { body }),
    /** A file download (report, export): the bytes and the name the server suggests. */
    async download(path: string, query?: Query): Promise<{ blob: Blob; filename: string | undefined }> {
      const response = await send('GET', path, { query });
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1];
      return { blob: await response.blob(), filename };
    },
    url: (path: string, query?: Query) => `${options.base}${path}${queryString(query)}`,
  };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
