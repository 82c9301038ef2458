import type Router from '@koa/router';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { ConsoleService } from '../../app/console/consoleService.ts';
import type { AdminRecord } from '../../app/ports/certification.ts';
import { fail, parse } from './validate.ts';

const number = z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'a certificate number is letters, digits and dashes');
const searchQuery = z.strictObject({
  q: z.string().trim().max(40, 'search by a certificate number or a full name (at most 40 characters)').optional(),
  status: z.enum(['valid', 'suspended', 'revoked', 'expired']).optional(),
  cursor: z.string().regex(/^[A-Za-z0-9_=-]{1,200}$/).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const recentQuery = z.strictObject({
  cursor: z.string().regex(/^[A-Za-z0-9_=-]{1,200}$/).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** 证书 reads: GET /certificates (search), /certificates/recent, /certificates/:number, and its verify QR code (.svg or .png). */
export function registerCertificateRoutes(router: Router, console: ConsoleService): void {
  const adminOf = (ctx: { state: { admin?: unknown } }) => ctx.state.admin as AdminRecord;

  router.get('/certificates', async (ctx) => {
    const r = await console.searchCertificates(adminOf(ctx), parse(searchQuery, ctx.query));
    if (!r.ok) fail(r.error);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = r.value;
  });

  // Before /certificates/:number, which would take "recent" for a number (numbers have digits; this word has none).
  router.get('/certificates/recent', async (ctx) => {
    const r = await console.recentCertificates(adminOf(ctx), parse(recentQuery, ctx.query));
    if (!r.ok) fail(r.error);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = r.value;
  });

  router.get('/certificates/:number', async (ctx) => {
    const r = await console.certificate(adminOf(ctx), parse(number, ctx.params.number));
    if (!r.ok) fail(r.error);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = r.value;
  });

  router.get('/certificates/:number/qr.:format', async (ctx) => {
    const format = parse(z.enum(['svg', 'png'], { message: 'the QR code is qr.svg or qr.png' }), ctx.params.format);
    const r = await console.certificate(adminOf(ctx), parse(number, ctx.params.number));
    if (!r.ok) fail(r.error);
    const url = r.value.verifyUrl as string;
    if (format === 'svg') {
      ctx.type = 'image/svg+xml';
      ctx.body = await QRCode.toString(url, { type: 'svg', margin: 1 });
    } else {
      ctx.type = 'image/png';
      ctx.body = await QRCode.toBuffer(url, { type: 'png', margin: 1, width: 256 });
    }
  });
}
