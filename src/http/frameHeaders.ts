import type { Middleware } from 'koa';

const CSP = 'Content-Security-Policy';
const XFO = 'X-Frame-Options';

/** Which X-Frame-Options (for browsers without CSP level 2) says the same as a frame-ancestors source list. */
const XFO_FOR_ANCESTORS: Record<string, string> = { "'none'": 'DENY', "'self'": 'SAMEORIGIN' };

/**
 * No response of ours may be framed by another site (clickjacking: /verify shows a certificate as genuine, /sim
 * takes input). Runs outside every other middleware, so it also sees error responses, and merges into the
 * Content-Security-Policy a route set rather than replacing it: a route's own frame-ancestors (e.g. 'self' for
 * a page that frames itself) is kept, and X-Frame-Options is made to agree with it.
 */
export function frameHeaders(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      // Absent is undefined, not '' (Koa 3).
      const directives = String(ctx.response.get(CSP) ?? '')
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean);
      let ancestors = directives.find((d) => /^frame-ancestors(\s|$)/i.test(d));
      if (!ancestors) {
        ancestors = "frame-ancestors 'none'";
        ctx.set(CSP, [...directives, ancestors].join('; '));
      }
      const xfo = XFO_FOR_ANCESTORS[ancestors.slice('frame-ancestors'.length).trim().toLowerCase()];
      // A list of other origins has no X-Frame-Options equivalent; browsers then follow frame-ancestors alone.
      if (xfo && !ctx.response.get(XFO)) ctx.set(XFO, xfo);
    }
  };
}
