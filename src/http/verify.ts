import Router from '@koa/router';
import QRCode from 'qrcode';
import type { PublicCertificate } from '../app/certification/verifyCertificate.ts';

const STATUS_TEXT: Record<PublicCertificate['status'], string> = {
  valid: '有效 / Valid',
  suspended: '暂停 / Suspended',
  revoked: '已撤销 / Revoked',
  expired: '已过期 / Expired',
};

const SCOPE_TEXT: Record<PublicCertificate['scope'], string> = {
  county: '全县（市、区） / County-wide',
  city: '全市 / City-wide',
  province: '全省 / Province-wide',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Public certificate verification: a small page, the same as JSON, and a QR code of the page's address (printed
 * on the certificate). An unknown number gets 404 and reveals nothing else.
 */
export function verifyRouter(deps: { verify: (number: string) => Promise<PublicCertificate | null>; publicBaseUrl: string }): Router {
  const router = new Router();
  const notFound = { error: 'no certificate with this number' };

  router.get('/verify/:number.json', async (ctx) => {
    const cert = await deps.verify(ctx.params.number!);
    if (!cert) {
      ctx.status = 404;
      ctx.body = notFound;
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = cert;
  });

  router.get('/verify/:number/qr.png', async (ctx) => {
    const cert = await deps.verify(ctx.params.number!);
    if (!cert) {
      ctx.status = 404;
      ctx.body = notFound;
      return;
    }
    ctx.type = 'image/png';
    ctx.body = await QRCode.toBuffer(`${deps.publicBaseUrl}/verify/${encodeURIComponent(cert.number)}`, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
  });

  router.get('/verify/:number', async (ctx) => {
    const cert = await deps.verify(ctx.params.number!);
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'");
    ctx.set('Cache-Control', 'no-store');
    if (!cert) {
      ctx.status = 404;
      ctx.body = page('证书不存在 / Not found', '<p>没有这个编号的证书。<br>No certificate has this number.</p>');
      return;
    }
    const rows: [string, string][] = [
      ['证书编号 / Number', cert.number],
      ['持证人 / Holder', cert.holder],
      ['等级 / Level', `${cert.level['zh-CN']} / ${cert.level.en}`],
      ['颁发 / Issued under', `${cert.policy['zh-CN']} / ${cert.policy.en}`],
      ['有效范围 / Scope', SCOPE_TEXT[cert.scope]],
      ['状态 / Status', STATUS_TEXT[cert.status]],
      ['有效期 / Valid', `${cert.issuedOn} — ${cert.validUntil}`],
    ];
    const table = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
    // The same QR code as on the certificate, so a page opened from a typed number can be shared by scanning.
    const qr = `<img class="qr" src="/verify/${escapeHtml(encodeURIComponent(cert.number))}/qr.png" width="160" height="160" alt="核验二维码 / QR code of this page">`;
    ctx.body = page('党务工作者资格证书核验 / Certificate verification', `<table>${table}</table><p class="${cert.status}">${escapeHtml(STATUS_TEXT[cert.status])}</p>${qr}`);
  });
  return router;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}h1{font-size:1.2rem;color:#b71c1c}th{text-align:left;padding:.3rem 1rem .3rem 0;color:#555;font-weight:normal}td{padding:.3rem 0}.valid{color:#1b5e20;font-weight:bold}.suspended,.revoked,.expired{color:#b71c1c;font-weight:bold}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
