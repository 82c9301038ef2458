import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountError } from '../../app/admin/accountDeps.ts';
import { MAX_PASSWORD, type AccountService } from '../../app/admin/accounts.ts';
import { csrfTokenOf } from '../../app/admin/login.ts';
import type { AdminRecord } from '../../app/ports/certification.ts';
import { HttpError } from '../errors.ts';
import { parse } from './parse.ts';
import { adminOf, authOf, clearSessionCookie, setSessionCookie } from './auth.ts';

/**
 * The console's account routes under /admin/api (docs/console-accounts.md): the session (login, logout, password),
 * one's own sessions and tokens, and the accounts of the regions below one's own.
 */
export const LOGIN_ROUTE = { method: 'POST', path: '/session' } as const;

const id = z.string().regex(/^[0-9a-f]{32}$/, 'ids are 32 hexadecimal characters');
const password = z.string({ error: 'a password is a string' }).min(1, 'give the password').max(MAX_PASSWORD, `a password has at most ${MAX_PASSWORD} characters`);
const loginBody = z.strictObject({ username: z.string({ error: 'give the username' }).min(1, 'give the username').max(64), password });
const passwordBody = z.strictObject({ currentPassword: password.optional(), newPassword: z.string({ error: 'give the new password' }).max(MAX_PASSWORD, `a password has at most ${MAX_PASSWORD} characters`), username: z.string().max(64).optional() });
const accountBody = z.strictObject({
  username: z.string({ error: 'give the username' }).trim().min(1, 'give the username').max(64),
  name: z.string({ error: 'give the name (the committee or person)' }).trim().min(1, 'give the name (the committee or person)').max(60, 'a name has at most 60 characters'),
  regionCode: z.string({ error: 'give the regionCode' }).regex(/^(\d{6}|\d{9})$/, 'regionCode is a 6- or 9-digit region code, e.g. 320102'),
  levels: z.array(z.string().regex(/^[a-z][A-Za-z0-9]{0,30}$/, 'levels look like intermediate')).max(10).optional(),
});
const tokenBody = z.strictObject({ label: z.string({ error: 'give the token a label (what it is for)' }).trim().min(1, 'give the token a label (what it is for)').max(60, 'a label has at most 60 characters') });

function fail(e: AccountError): never {
  throw new HttpError(e.status, e.message, e.extra);
}

export function accountRoutes(router: Router, accounts: AccountService): void {
  const sessionBody = (admin: AdminRecord, secret: string | null) => ({
    account: accounts.view(admin),
    csrfToken: secret === null ? null : csrfTokenOf(secret),
    mustChangePassword: admin.mustChangePassword === true,
  });
  const noStore = (ctx: Context) => ctx.set('Cache-Control', 'no-store');

  router.post(LOGIN_ROUTE.path, async (ctx) => {
    const body = parse(loginBody, ctx.request.body);
    const r = await accounts.login({ ...body, address: ctx.ip, userAgent: ctx.get('user-agent') });
    if (!r.ok) {
      if (r.error.status === 429) ctx.set('Retry-After', String(r.error.extra?.retryAfterSeconds));
      fail(r.error);
    }
    setSessionCookie(ctx, r.value.secret, r.value.session.expiresAt);
    noStore(ctx);
    ctx.body = sessionBody(r.value.admin, r.value.secret);
  });

  router.get('/session', (ctx) => {
    const auth = authOf(ctx);
    noStore(ctx);
    ctx.body = sessionBody(adminOf(ctx), auth.kind === 'session' ? auth.secret : null);
  });

  router.delete('/session', async (ctx) => {
    const auth = authOf(ctx);
    if (auth.kind !== 'session') throw new HttpError(400, 'this request used a bearer token, not a session; revoke the token with DELETE /admin/api/tokens/:id');
    await accounts.logout(adminOf(ctx), auth.session);
    clearSessionCookie(ctx);
    ctx.status = 204;
  });

  router.post('/session/password', async (ctx) => {
    const body = parse(passwordBody, ctx.request.body);
    const auth = authOf(ctx);
    const r = await accounts.changePassword(adminOf(ctx), body, auth.kind === 'session' ? auth.session.id : undefined);
    if (!r.ok) fail(r.error);
    ctx.status = 204;
  });

  router.get('/sessions', async (ctx) => {
    const auth = authOf(ctx);
    const current = auth.kind === 'session' ? auth.session.id : null;
    const sessions = await accounts.listSessions(adminOf(ctx));
    ctx.body = { sessions: sessions.map((s) => ({ id: s.id, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, address: s.address, userAgent: s.userAgent, current: s.id === current })) };
  });

  router.delete('/sessions/:id', async (ctx) => {
    const r = await accounts.revokeSession(adminOf(ctx), parse(id, ctx.params.id));
    if (!r.ok) fail(r.error);
    ctx.status = 204;
  });

  router.get('/tokens', async (ctx) => {
    const tokens = await accounts.listTokens(adminOf(ctx));
    ctx.body = { tokens: tokens.map(({ adminId: _a, ...t }) => t) };
  });

  router.post('/tokens', async (ctx) => {
    const body = parse(tokenBody, ctx.request.body);
    noStore(ctx);
    ctx.status = 201;
    ctx.body = await accounts.createToken(adminOf(ctx), body.label);
  });

  router.delete('/tokens/:id', async (ctx) => {
    const r = await accounts.revokeToken(adminOf(ctx), parse(id, ctx.params.id));
    if (!r.ok) fail(r.error);
    ctx.status = 204;
  });

  router.get('/accounts', async (ctx) => {
    ctx.body = { accounts: await accounts.listAccounts(adminOf(ctx)) };
  });

  router.post('/accounts', async (ctx) => {
    const body = parse(accountBody, ctx.request.body);
    const r = await accounts.createAccount(adminOf(ctx), body);
    if (!r.ok) fail(r.error);
    noStore(ctx);
    ctx.status = 201;
    ctx.body = r.value;
  });

  router.post('/accounts/:id/deactivate', async (ctx) => {
    const r = await accounts.setDisabled(adminOf(ctx), parse(id, ctx.params.id), true);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/accounts/:id/activate', async (ctx) => {
    const r = await accounts.setDisabled(adminOf(ctx), parse(id, ctx.params.id), false);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/accounts/:id/reset-password', async (ctx) => {
    const r = await accounts.resetPassword(adminOf(ctx), parse(id, ctx.params.id));
    if (!r.ok) fail(r.error);
    noStore(ctx);
    ctx.body = r.value;
  });
}
