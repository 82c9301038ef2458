import type { Context, Next } from 'koa';
import type { AccountService } from '../../app/admin/accounts.ts';
import { sameCsrfToken } from '../../app/admin/login.ts';
import type { AdminSession } from '../../app/ports/accounts.ts';
import type { AdminRecord, AdminToken } from '../../app/ports/certification.ts';
import { HttpError } from '../errors.ts';

/**
 * Who is calling the admin API: a bearer token (`Authorization: Bearer rca_...`, for scripts: no cookie, so no
 * CSRF check) or the console's session cookie, in which case every unsafe request must carry the session's CSRF
 * token in `X-CSRF-Token`, and a session whose password must change may do nothing else first.
 * Cookie flags: httpOnly, SameSite=Strict, Path=/admin, Secure when the request came over HTTPS (behind a proxy
 * only with TRUST_PROXY, which lets Koa read X-Forwarded-Proto).
 */
export const SESSION_COOKIE = 'rc_session';
const COOKIE_PATH = '/admin';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type AuthState = { kind: 'token'; token: AdminToken } | { kind: 'session'; session: AdminSession; secret: string };

export const adminOf = (ctx: Context): AdminRecord => ctx.state.admin as AdminRecord;
export const authOf = (ctx: Context): AuthState => ctx.state.auth as AuthState;

export function setSessionCookie(ctx: Context, secret: string, expiresAt: string): void {
  ctx.cookies.set(SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'strict', path: COOKIE_PATH, secure: ctx.secure, expires: new Date(expiresAt), overwrite: true });
}

export function clearSessionCookie(ctx: Context): void {
  ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: COOKIE_PATH, secure: ctx.secure, expires: new Date(0), overwrite: true });
}

/** Routes a session must still reach while its password must change: see and end the session, change the password. */
const PASSWORD_CHANGE_ROUTES = new Set(['GET /session', 'DELETE /session', 'POST /session/password']);

/**
 * The authentication middleware of the admin router (`prefix` = its path prefix). `isPublic` routes (the login)
 * pass without it.
 */
export function authMiddleware(accounts: AccountService, prefix: string, isPublic: (method: string, path: string) => boolean) {
  return async (ctx: Context, next: Next) => {
    const route = ctx.path.startsWith(prefix) ? ctx.path.slice(prefix.length) : ctx.path;
    if (isPublic(ctx.method, route)) return next();
    const header = ctx.get('authorization') || undefined;
    const secret = ctx.cookies.get(SESSION_COOKIE);
    if (header || !secret) {
      const auth = await accounts.authenticateToken(header);
      if (!auth.ok) {
        ctx.set('WWW-Authenticate', 'Bearer realm="redcollar-admin"');
        throw new HttpError(401, auth.reason === 'missing' ? 'log in first, or send Authorization: Bearer <token>' : 'invalid or revoked token');
      }
      ctx.state.admin = auth.admin;
      ctx.state.auth = { kind: 'token', token: auth.token } satisfies AuthState;
      return next();
    }
    const resumed = await accounts.resume(secret);
    if (!resumed.ok) {
      clearSessionCookie(ctx);
      throw new HttpError(resumed.error.status, resumed.error.message, resumed.error.extra);
    }
    if (UNSAFE.has(ctx.method) && !sameCsrfToken(secret, ctx.get('x-csrf-token') || undefined)) {
      throw new HttpError(403, 'missing or wrong CSRF token; reload the page', { code: 'csrf' });
    }
    if (resumed.value.admin.mustChangePassword && !PASSWORD_CHANGE_ROUTES.has(`${ctx.method} ${route}`)) {
      throw new HttpError(403, 'change your password first', { code: 'passwordChangeRequired' });
    }
    ctx.state.admin = resumed.value.admin;
    ctx.state.auth = { kind: 'session', session: resumed.value.session, secret } satisfies AuthState;
    return next();
  };
}
