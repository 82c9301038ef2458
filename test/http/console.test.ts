/**
 * The console's files as the app serves them at /console (src/http/console.ts), from a small stand-in build in
 * a temp directory: cache headers, the CSP, the history-mode fallback, and what happens without a build.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';
import { createHttpApp } from '../../src/http/server.ts';
import { consoleRouter } from '../../src/http/console.ts';

const INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

async function serve(distDir: string): Promise<{ server: Server; base: string }> {
  const app = createHttpApp({ logger: createLogger('silent'), metrics: new Registry(), maxBodyKb: 8, ready: async () => true, routers: [consoleRouter(distDir)] });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the console at /console', () => {
  let dir: string;
  let built: { server: Server; base: string };
  let missing: { server: Server; base: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'redcollar-console-'));
    await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
    await writeFile(join(dir, 'dist', 'index.html'), INDEX);
    await writeFile(join(dir, 'dist', '.source-hash'), 'abc\n');
    await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js'), SCRIPT);
    await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js.gz'), gzipSync(SCRIPT));
    await writeFile(join(dir, 'package.json'), '{"secret":true}');
    built = await serve(join(dir, 'dist'));
    missing = await serve(join(dir, 'nowhere'));
  });
  afterAll(async () => {
    await new Promise((resolve) => built.server.close(resolve));
    await new Promise((resolve) => missing.server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html with no-cache and a strict CSP: scripts from self only, no framing, API calls to self', async () => {
    const res = await fetch(`${built.base}/console/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `));
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('style-src')).toBe("style-src 'self'");
    expect(directive('connect-src')).toBe("connect-src 'self'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive('object-src')).toBe("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it("answers any console page (history mode) with index.html, so a reload or a link to a page works", async () => {
    for (const path of ['/console/dashboard', '/console/applications/app-1', '/console/certificates/RC-3201-2026-0001']) {
      const res = await fetch(`${built.base}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(INDEX);
    }
  });

  it('sends /console to /console/', async () => {
    const res = await fetch(`${built.base}/console`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console/');
  });

  it('caches hashed assets for a year as immutable, compressed when the browser accepts it', async () => {
    const res = await fetch(`${built.base}/console/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(await res.text()).toBe(SCRIPT);
  });

  it('a missing asset is a 404 that no cache keeps (not index.html, which a browser would run as a script)', async () => {
    const res = await fetch(`${built.base}/console/assets/index-old999.js`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: string }).error).toMatch(/reload the page/);
  });

  it('serves nothing outside the build: no dot files, no path out of the directory', async () => {
    for (const path of ['/console/assets/.source-hash', '/console/assets/..%2F..%2Fpackage.json', '/console/assets/%2e%2e%2findex.html']) {
      const res = await fetch(`${built.base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('secret');
    }
  });

  it('without a build, says how to make one (503) instead of a blank page', async () => {
    const res = await fetch(`${missing.base}/console/dashboard`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/npm run console:build/);
  });
});
