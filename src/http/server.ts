import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import type { Registry } from 'prom-client';
import type { Logger } from '../infra/logger.ts';
import { errorMiddleware } from './errors.ts';
import { frameHeaders } from './frameHeaders.ts';

export interface HttpDeps {
  logger: Logger;
  metrics: Registry;
  maxBodyKb: number;
  /** Database and scheduler are usable. */
  ready(): Promise<boolean>;
  /** Channel routers (the simulator, later WeChat and Telegram). */
  routers: Router[];
  /** Behind a reverse proxy: read the client's address and protocol from X-Forwarded-For / -Proto (TRUST_PROXY). */
  trustProxy?: boolean;
}

/** A thin Koa app: errors as JSON, bounded bodies, health and metrics, and the channels' routes. */
export function createHttpApp(deps: HttpDeps): Koa {
  const app = new Koa({ proxy: deps.trustProxy ?? false });
  app.silent = true; // errors are logged by errorMiddleware, not printed by Koa
  app.use(frameHeaders());
  app.use(errorMiddleware(deps.logger));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: `${deps.maxBodyKb}kb`,
      encoding: 'utf-8',
      // Only objects and arrays are JSON bodies here; `"str"` or `1` are refused as malformed.
      jsonStrict: true,
      onError: (err, ctx) => {
        const e = err as { status?: number; type?: string };
        ctx.throw(e.status === 413 || e.type === 'entity.too.large' ? 413 : 400, e.status === 413 || e.type === 'entity.too.large' ? 'request body too large' : 'request body is not valid JSON');
      },
    }),
  );

  const core = new Router();
  core.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  core.get('/readyz', async (ctx) => {
    const ready = await deps.ready().catch(() => false);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready' };
  });
  core.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.metrics();
  });
  app.use(core.routes()).use(core.allowedMethods());
  for (const router of deps.routers) app.use(router.routes()).use(router.allowedMethods());
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: `no route for ${ctx.method} ${ctx.path}` };
  });
  return app;
}
