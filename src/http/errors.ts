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
      ctx.body = { ...extra, error: status >= 500 ? 'internal error; the request was not completed' : clientMessage(status, e) };
    }
  };
}

function clientMessage(status: number, e: { message?: string; type?: string; expose?: boolean }): string {
  if (status === 413) return 'request body too large';
  if (e.type === 'entity.parse.failed') return 'request body is not valid JSON';
  if (status === 415) return 'unsupported content type; send application/json';
  return e.message && (e.expose ?? true) ? e.message : 'bad request';
}
