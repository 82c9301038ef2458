import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import Koa from 'koa';
import { errorMiddleware } from '../../../src/http/errors.ts';
import { createLogger, type Logger } from '../../../src/infra/logger.ts';

/** The app's HTTP stack as src/http/server.ts builds it (JSON errors, bounded JSON bodies), around some routers. */
export async function serveRouters(routers: Router[], opts: { maxBodyKb?: number; logger?: Logger } = {}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const logger = opts.logger ?? createLogger('silent');
  const app = new Koa({ proxy: false });
  app.silent = true;
  app.use(errorMiddleware(logger));
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: `${opts.maxBodyKb ?? 64}kb`,
      encoding: 'utf-8',
      jsonStrict: true,
      onError: (err, ctx) => {
        const e = err as { status?: number; type?: string };
        const tooLarge = e.status === 413 || e.type === 'entity.too.large';
        ctx.throw(tooLarge ? 413 : 400, tooLarge ? 'request body too large' : 'request body is not valid JSON');
      },
    }),
  );
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: `no route for ${ctx.method} ${ctx.path}` };
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
