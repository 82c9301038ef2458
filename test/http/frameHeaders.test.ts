/**
 * No page of ours can be framed by another site: Content-Security-Policy frame-ancestors and X-Frame-Options on
 * every response, set once in src/http/server.ts and merged with the policy a route sets.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Router from '@koa/router';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/main.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createHttpApp } from '../../src/http/server.ts';
import { startTestApp } from '../support/httpApp.ts';

const frameHeadersOf = (res: Response) => ({ csp: res.headers.get('content-security-policy'), xfo: res.headers.get('x-frame-options') });

describe('frame headers on every response of the HTTP app', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const router = new Router();
    router.get('/bare', (ctx) => {
      ctx.type = 'text/html';
      ctx.body = '<p>no policy of its own</p>';
    });
    router.get('/strict', (ctx) => {
      ctx.type = 'text/html';
      ctx.set('Content-Security-Policy', "default-src 'none'; img-src 'self'");
      ctx.body = '<p>a policy of its own</p>';
    });
    router.get('/frames-itself', (ctx) => {
      ctx.type = 'text/html';
      ctx.set('Content-Security-Policy', "default-src 'self'; frame-ancestors 'self'");
      ctx.body = '<iframe src="/frames-itself"></iframe>';
    });
    router.get('/boom', () => {
      throw new Error('boom');
    });
    const app = createHttpApp({ logger: createLogger('silent'), metrics: new Registry(), maxBodyKb: 8, ready: async () => true, routers: [router] });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("adds frame-ancestors 'none' and X-Frame-Options DENY to a page with no policy", async () => {
    expect(frameHeadersOf(await fetch(`${base}/bare`))).toEqual({ csp: "frame-ancestors 'none'", xfo: 'DENY' });
  });

  it("merges frame-ancestors into a route's own policy instead of replacing it", async () => {
    expect(frameHeadersOf(await fetch(`${base}/strict`))).toEqual({ csp: "default-src 'none'; img-src 'self'; frame-ancestors 'none'", xfo: 'DENY' });
  });

  it("keeps a route's own frame-ancestors 'self' and answers SAMEORIGIN to match", async () => {
    expect(frameHeadersOf(await fetch(`${base}/frames-itself`))).toEqual({ csp: "default-src 'self'; frame-ancestors 'self'", xfo: 'SAMEORIGIN' });
  });

  it('sets them on errors and unknown routes too', async () => {
    const failed = await fetch(`${base}/boom`);
    expect(failed.status).toBe(500);
    expect(frameHeadersOf(failed)).toEqual({ csp: "frame-ancestors 'none'", xfo: 'DENY' });
    const missing = await fetch(`${base}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(frameHeadersOf(missing)).toEqual({ csp: "frame-ancestors 'none'", xfo: 'DENY' });
  });
});

describe('frame headers on the pages the app serves', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startTestApp('frame_headers', { SIM_ENABLED: 'true' });
  });
  afterAll(() => app?.stop());

  it.each([
    ['/sim', 200, "default-src 'self'"],
    ['/verify/3304822026C99999', 404, "default-src 'none'"],
  ])('regression: %s could be framed by any site (no frame-ancestors, no X-Frame-Options)', async (path, status, ownPolicy) => {
    const res = await fetch(`${app.url}${path}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('text/html');
    const { csp, xfo } = frameHeadersOf(res);
    expect(csp).toContain(ownPolicy);
    expect(csp).toMatch(/(^|; )frame-ancestors 'none'$/);
    expect(xfo).toBe('DENY');
  });
});
