import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { send } from '@koa/send';
import Router from '@koa/router';
import type { Context } from 'koa';

/**
 * The admin console's built files (console/dist) at /console. Hashed assets are cached for a year (their name
 * changes with their content); index.html is revalidated on every load, so a new build is picked up at once.
 * Any other /console/* path is a page of the console's own router (history mode) and gets index.html.
 *
 * CSP: scripts and styles only from this origin: no inline script, no eval, no inline <style> or style="" in
 * markup (the build has none). Element Plus and ECharts position popovers and tooltips through the CSSOM
 * (element.style), which CSP does not restrict, so they need no 'unsafe-inline'; the browser test fails on any
 * violation. API calls only to this origin.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function consoleRouter(distDir: string): Router {
  const router = new Router({ strict: true });

  const notBuilt = (ctx: Context) => {
    ctx.status = 503;
    ctx.set('Retry-After', '30');
    ctx.body = { error: 'the admin console is not built yet; `npm start` builds it, or run `npm run console:build`' };
  };

  async function index(ctx: Context) {
    if (!existsSync(join(distDir, 'index.html'))) return notBuilt(ctx);
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    await send(ctx, 'index.html', { root: distDir, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') });
  }

  router.get('/console/assets/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    // Only names the build writes (name-hash.ext): anything else, dot files and traversal included, is a 404.
    if (!/^[A-Za-z0-9._-]+$/.test(file) || file.startsWith('.')) {
      ctx.status = 404;
      ctx.body = { error: `no console asset ${file}` };
      return;
    }
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    try {
      await send(ctx, `assets/${file}`, { root: distDir, setHeaders: (res) => res.setHeader('Cache-Control', IMMUTABLE) });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      ctx.status = 404;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: `no console asset ${file}; reload the page to get the current build` };
    }
  });

  // /console without the slash: the console's router works under /console/.
  router.get('/console', (ctx) => ctx.redirect('/console/'));
  router.get('/console/', index);
  router.get('/console/{*page}', index);
  return router;
}
