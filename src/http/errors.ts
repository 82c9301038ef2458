import type { Middleware } from 'koa';
import type { Logger } from '../infra/logger.ts';

/** An error whose message is safe and useful to show to the client. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra fields of the JSON answer (a conflict's `code` and `current`); never `error` itself. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * Every error leaves as JSON `{ "error": "..." }` with no stack trace. Client errors (4xx, including the body
 * parser's "invalid JSON" and "request entity too large") keep their message; server errors say only that
 * something went wrong, and the details go to the log.
 */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
      const status = e.status ?? e.statusCode ?? 500;
      if (status >= 500) logger.error({ err, path: ctx.path, method: ctx.method }, 'request failed');
      ctx.status = status;
      ctx.type = 'application/json';
      const extra = err instanceof HttpError && status < 500 ? err.extra : undefined;
      const code = status < 500 ? (extra?.code ?? defaultCode(status, e)) : 'internal';
      ctx.body = { ...extra, code, error: status >= 500 ? 'internal error; the request was not completed' : clientMessage(status, e) };
    }
  };
}

/**
 * The stable `code` of a refusal that names none itself (a wrong password, a missing token, the body parser's
 * refusals), so that a client can branch on every 4xx by `code` rather than by the English text.
 */
const CODES_BY_STATUS: Record<number, string> = {
  400: 'invalid', 401: 'unauthenticated', 403: 'forbidden', 404: 'notFound', 405: 'methodNotAllowed', 409: 'conflict',
  413: 'tooLarge', 415: 'unsupportedMediaType', 422: 'refused', 423: 'locked', 429: 'tooManyRequests',
};

function defaultCode(status: number, e: { type?: string }): string {
  if (e.type === 'entity.parse.failed') return 'invalidJson';
  return CODES_BY_STATUS[status] ?? 'clientError';
}

function clientMessage(status: number, e: { message?: string; type?: string; expose?: boolean }): string {
  if (status === 413) return 'request body too large';
  if (e.type === 'entity.parse.failed') return 'request body is not valid JSON';
  if (status === 415) return 'unsupported content type; send application/json';
  return e.message && (e.expose ?? true) ? e.message : 'bad request';
}
