import type { Agent } from 'undici';

/** The `fetch` node-telegram-bot-api calls for every Bot API method, and the pool it sends through. */
export interface BotApiFetch {
  fetch: typeof fetch;
  /** Closes the kept-alive connections (channel stop); later calls wait for the first. */
  close(): Promise<void>;
}

/**
 * The Bot API client's transport (its `fetch` option) on undici's `request` instead of the global WHATWG fetch.
 * The library sends every method without a file as a URL-encoded form and reads back only the status and the
 * text of the answer; fetch wraps each of those calls in Request, Headers, Response and web streams, which cost
 * about three times the CPU of the request itself (0.6 against 0.2 ms per sendMessage, client and a local server
 * together). Bodies that are not a form (multipart uploads, streams) go to the global fetch as before.
 *
 * The call's time limit is kept here too (give the library `timeoutMs: 0`): undici's own header and body timers
 * instead of the library's AbortSignal.timeout and the AbortController it joins it to the caller's signal with,
 * two abort signals and a listener on the channel's shared signal for every message. A call that runs out is
 * rejected as a `TimeoutError`, which the library turns into its TimeoutError as it did with its own timer.
 *
 * Loading undici (at the first call) also makes its Agent the process's global dispatcher when none is set yet, so
 * Node's built-in fetch (uploads here, media downloads) sends through that Agent: the setup undici documents.
 */
export function createBotApiFetch(opts: { timeoutMs: number }): BotApiFetch {
  const { timeoutMs } = opts;
  // Loaded at the first call, not at start: undici is over 100 ms of CPU to load, and every process that imports
  // the app's wiring (the tools too) would pay it whether it sends to Telegram or not.
  let loaded: Promise<{ request: typeof import('undici').request; dispatcher: Agent }> | undefined;
  const undici = () =>
    (loaded ??= import('undici').then(({ Agent, request }) => ({
      request,
      // No cap on connections, as the global fetch had none: a call waiting in the pool for a socket would not
      // have its timers running yet (they start once it is written), so a stuck server would hold the ones behind.
      dispatcher: new Agent({ keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
    })));
  const timedOut = (err: unknown): unknown =>
    (err as { code?: string } | null)?.code === 'UND_ERR_HEADERS_TIMEOUT' || (err as { code?: string } | null)?.code === 'UND_ERR_BODY_TIMEOUT'
      ? new DOMException(`the Bot API did not answer within ${timeoutMs} ms`, 'TimeoutError')
      : err;
  const viaUndici = async (url: string | URL, init: RequestInit): Promise<Response> => {
    const { request, dispatcher } = await undici();
    const res = await request(url, {
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      headers: init.headers as Record<string, string> | undefined,
      body: init.body === undefined || init.body === null ? undefined : String(init.body),
      signal: init.signal ?? undefined,
      dispatcher,
    }).catch((err: unknown) => {
      throw timedOut(err);
    });
    const status = res.statusCode;
    // What Transport.request reads of a Response: status and text(). The text is read inside its try, so a body
    // cut off after the headers is retried as a transient failure, as with fetch.
    const text = () =>
      res.body.text().catch((err: unknown) => {
        throw timedOut(err);
      });
    return { status, ok: status >= 200 && status < 300, text } as unknown as Response;
  };
  const botFetch = ((input: string | URL | Request, init: RequestInit = {}) => {
    const body = init.body;
    const isForm = body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams;
    if (isForm && !(input instanceof Request)) return viaUndici(input, init);
    const limit = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, limit]) : limit });
  }) as typeof fetch;
  let closed: Promise<void> | undefined;
  // Idempotent: a channel may be stopped twice (a test's own stop, then its cleanup).
  return { fetch: botFetch, close: () => (closed ??= loaded ? loaded.then(({ dispatcher }) => dispatcher.close()) : Promise.resolve()) };
}
