/**
 * The verification page's wording per certificate scope; the data behind it (lookup, masking, status) is covered
 * end to end in test/e2e/certification-journey.test.ts.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicCertificate } from '../../src/app/certification/verifyCertificate.ts';
import type { CertificateScope } from '../../src/domain/certification/types.ts';
import { verifyRouter } from '../../src/http/verify.ts';

const certificate = (number: string, scope: CertificateScope): PublicCertificate => ({
  number,
  holder: '王*',
  level: { 'zh-CN': '初级', en: 'Junior' },
  policy: { 'zh-CN': '平湖市两新组织党务红领资格认证', en: 'Pinghu certification' },
  scope,
  status: 'valid',
  issuedOn: '2026-03-09',
  validUntil: '2029-03-08',
});

const CERTIFICATES: Record<string, PublicCertificate> = {
  '3304822026C00001': certificate('3304822026C00001', 'county'),
  '3201002026C00001': certificate('3201002026C00001', 'city'),
  '3200002026T00001': certificate('3200002026T00001', 'province'),
};

describe('GET /verify/:number scope wording', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = new Koa();
    const router = verifyRouter({ verify: async (n) => CERTIFICATES[n] ?? null, publicBaseUrl: 'https://bot.example.org' });
    app.use(router.routes());
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it.each([
    ['3304822026C00001', '全县（市、区） / County-wide'],
    ['3201002026C00001', '全市 / City-wide'],
    ['3200002026T00001', '全省 / Province-wide'],
  ])('%s is shown as %s', async (number, text) => {
    const res = await fetch(`${base}/verify/${number}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(text);
    const json = (await (await fetch(`${base}/verify/${number}.json`)).json()) as PublicCertificate;
    expect(json.scope).toBe(CERTIFICATES[number]!.scope);
  });

  it('regression: the verify page did not show its QR code', async () => {
    const number = '3201002026C00001';
    const html = await (await fetch(`${base}/verify/${number}`)).text();
    const src = /<img[^>]+class="qr"[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(src).toBe(`/verify/${number}/qr.png`);
    const png = await fetch(`${base}${src}`);
    expect(png.headers.get('content-type')).toBe('image/png');
    // The page's own policy must let the browser load it.
    const csp = (await fetch(`${base}/verify/${number}`)).headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/img-src 'self'/);
  });
});
