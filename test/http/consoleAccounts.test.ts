/**
 * Accounts and tokens over HTTP, through the real app and database: login throttling per account (lockout, its
 * message, a reset clears it) and per address (429 with retryAfterSeconds), accounts managed only for regions
 * strictly below one's own (above or beside: 403), deactivation stopping sessions and tokens, tokens made and
 * revoked, the single token of an admin from before people accounts, and the audit trail of every action.
 * The app trusts a proxy here (TRUST_PROXY), so each test logs in from its own X-Forwarded-For address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/app/admin/tokens.ts';
import { moveLegacyTokens } from '../../src/store/mongo/adminRepository.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { consoleClient, type ConsoleClient } from '../support/consoleClient.ts';

const MIN = 60_000;
const PASSWORD = 'correct horse battery';
let r: AdminApiApp;
let seq = 0;
let address = 0;

beforeAll(async () => {
  r = await startAdminApiApp('console_accounts', { env: { TRUST_PROXY: 'true' } });
});
afterAll(() => r?.stop());

const from = (ip = `10.9.${Math.floor(++address / 250)}.${address % 250}`): ConsoleClient => consoleClient(r.app.url, { 'x-forwarded-for': ip });

async function account(regionCode: string, levels: string[] = []) {
  seq += 1;
  const username = `acct${seq}`;
  const created = await r.account({ username, password: PASSWORD, regionCode, levels });
  const c = from();
  expect((await c.login(username, PASSWORD)).status).toBe(200);
  return { ...created, username, c };
}

/**
 * What the token's own admin did to `target`. GET /audit answers pages ({ items, nextCursor }) of the whole
 * region's trail since the console's audit search, so the actor is named.
 */
const auditOf = async (token: string, target: string) => {
  const me = (await r.api('GET', '/me', token)).body.id as string;
  return (await r.api('GET', `/audit?target=${target}&actor=${me}`, token)).body.items as { action: string; outcome: string; adminId: string; detail?: Record<string, unknown> }[];
};

describe('login throttling per account', () => {
  it('locks an account after 5 failures in 15 minutes with a message saying until when; the right password is refused meanwhile', async () => {
    const a = await account('320100');
    const c = from();
    for (let i = 1; i <= 4; i++) {
      r.clock.advance(MIN);
      expect((await c.login(a.username, `wrong password ${i}`)).status, `failure ${i}`).toBe(401);
    }
    const fifth = await c.login(a.username, 'wrong password 5');
    const until = new Date(r.clock.now().getTime() + 15 * MIN).toISOString();
    expect(fifth.status).toBe(423);
    expect(fifth.body).toEqual({ error: `account locked after repeated failures until ${until}; ask your administrator to reset it`, code: 'locked', lockedUntil: until });
    expect((await c.login(a.username, PASSWORD)).status).toBe(423);
    expect((await from().login(a.username, PASSWORD)).status).toBe(423);
    const audit = await auditOf(a.token, `account:${a.id}`);
    expect(audit[0]).toMatchObject({ action: 'login', outcome: 'refused', detail: { reason: 'locked', lockedUntil: until } });
    expect(audit.filter((e) => e.outcome === 'invalid' && e.detail?.reason === 'wrongPassword')).toHaveLength(4);
    r.clock.advance(15 * MIN);
    expect((await c.login(a.username, PASSWORD)).status).toBe(200);
  });

  it('counts failures in a sliding window: 4 failures, then 4 more 15 minutes later, lock nothing', async () => {
    const a = await account('320100');
    const c = from();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await c.login(a.username, 'wrong password')).status).toBe(401);
      r.clock.advance(15 * MIN + 1000);
    }
    expect((await c.login(a.username, PASSWORD)).status).toBe(200);
  });

  it('lets the admin above clear the lock with a password reset; the account logs in with the temporary password and must change it', async () => {
    const city = await account('320100');
    const county = await account('320102');
    const c = from();
    for (let i = 0; i < 5; i++) await c.login(county.username, 'wrong password');
    expect((await c.login(county.username, PASSWORD)).status).toBe(423);
    const reset = await city.c.call('POST', `/accounts/${county.id}/reset-password`);
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body).toEqual({ temporaryPassword: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
    const login = await c.login(county.username, reset.body.temporaryPassword);
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect(login.body.mustChangePassword).toBe(true);
    // The reset ended the sessions the account had.
    expect((await county.c.call('GET', '/session')).status).toBe(401);
    expect((await auditOf(city.token, `account:${county.id}`))[0]).toMatchObject({ adminId: city.id, action: 'resetPassword', outcome: 'done' });
  });

  it('locks an unknown username like a known one (no telling which exist)', async () => {
    const c = from();
    for (let i = 0; i < 4; i++) expect((await c.login('no-such-user', 'wrong password')).status).toBe(401);
    expect((await c.login('no-such-user', 'wrong password')).status).toBe(423);
  });
});

describe('login throttling per address', () => {
  it('makes an address wait after 20 failures in 15 minutes (429 with retryAfterSeconds), whatever the usernames; other addresses are not held back', async () => {
    const a = await account('320100');
    const ip = '10.8.0.1';
    const c = from(ip);
    for (let i = 0; i < 20; i++) {
      // Five usernames, four failures each: no account reaches its lock.
      expect((await c.login(`guess${i % 5}`, 'wrong password')).status, `failure ${i + 1}`).toBe(401);
      if (i === 9) r.clock.advance(5 * MIN);
    }
    const held = await c.login(a.username, PASSWORD);
    expect(held.status).toBe(429);
    // The oldest failure that counts (the first) leaves the window 10 minutes from now.
    expect(held.body).toEqual({ error: 'too many attempts from your address; try again in 10 minute(s)', code: 'throttled', retryAfterSeconds: 600 });
    expect(held.headers.get('retry-after')).toBe('600');
    expect((await from('10.8.0.2').login(a.username, PASSWORD)).status).toBe(200);
    r.clock.advance(10 * MIN);
    // The first ten left the window; ten failures still count, below the limit.
    expect((await c.login(a.username, PASSWORD)).status).toBe(200);
  });
});

describe('accounts of the regions below', () => {
  it('creates an account for a county of the city, with a temporary password it logs in with; audited', async () => {
    const city = await account('320100', []);
    const res = await city.c.call('POST', '/accounts', { username: 'Xuanwu.Admin', name: '玄武区两新工委', regionCode: '320102', levels: ['junior'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      account: { id: expect.stringMatching(/^[0-9a-f]{32}$/), username: 'xuanwu.admin', name: '玄武区两新工委', regionCode: '320102', regionName: '玄武区', tier: 'county', levels: ['junior'], disabled: false, createdAt: r.clock.now().toISOString() },
      temporaryPassword: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
    });
    const login = await from().login('xuanwu.admin', res.body.temporaryPassword);
    expect(login.status).toBe(200);
    expect(login.body.mustChangePassword).toBe(true);
    expect(await auditOf(city.token, `account:${res.body.account.id}`)).toEqual([
      expect.objectContaining({ adminId: city.id, action: 'createAccount', outcome: 'done', detail: { username: 'xuanwu.admin', regionCode: '320102', levels: ['junior'] } }),
    ]);
    const taken = await city.c.call('POST', '/accounts', { username: 'xuanwu.admin', name: '重名', regionCode: '320104' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('the username xuanwu.admin is taken; choose another');
  });

  it.each([
    ['above (the province)', '320100', '320000', 'region 320000 江苏省 is not below your region 320100 南京市'],
    ['beside (another city)', '320100', '320200', 'region 320200 无锡市 is not below your region 320100 南京市'],
    ['at its own region', '320100', '320100', 'region 320100 南京市 is not below your region 320100 南京市'],
    ['above (a county creating its city)', '320102', '320100', 'region 320100 南京市 is not below your region 320102 玄武区'],
    ['beside (a county of another city)', '320100', '320205', 'region 320205 锡山区 is not below your region 320100 南京市'],
  ])('refuses to create an account %s with 403 naming both regions, creating nothing', async (_case, own, regionCode, message) => {
    const actor = await account(own);
    seq += 1;
    const username = `refused${seq}`;
    const res = await actor.c.call('POST', '/accounts', { username, name: '越权', regionCode });
    expect(res.status).toBe(403);
    expect(res.body.error).toContain(message);
    expect(res.body.code).toBe('notBelow');
    expect((await from().login(username, PASSWORD)).status).toBe(401);
    expect(await auditOf(actor.token, `username:${username}`)).toEqual([expect.objectContaining({ action: 'createAccount', outcome: 'refused' })]);
  });

  it('refuses levels beyond the creator’s own and unknown ones', async () => {
    const juniorOnly = await account('320100', ['junior']);
    const beyond = await juniorOnly.c.call('POST', '/accounts', { username: 'beyond1', name: 'x', regionCode: '320102', levels: ['intermediate'] });
    expect(beyond.status).toBe(403);
    expect(beyond.body.error).toMatch(/you manage only the levels junior/);
    const city = await account('320100');
    const unknown = await city.c.call('POST', '/accounts', { username: 'unknown1', name: 'x', regionCode: '320102', levels: ['grandmaster'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/unknown level\(s\) grandmaster/);
  });

  it('lists oneself and the accounts below, never those above or beside', async () => {
    const city = await account('320100');
    const county = await account('320102');
    const province = await account('320000');
    const wuxi = await account('320200');
    const ids = (await city.c.call('GET', '/accounts')).body.accounts.map((a: { id: string }) => a.id);
    expect(ids[0]).toBe(city.id);
    expect(ids).toContain(county.id);
    expect(ids).not.toContain(province.id);
    expect(ids).not.toContain(wuxi.id);
  });

  it('deactivates an account: it cannot log in, its sessions and tokens stop working; activated again, its tokens work', async () => {
    const city = await account('320100');
    const county = await account('320102');
    const off = await city.c.call('POST', `/accounts/${county.id}/deactivate`);
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({ id: county.id, disabled: true });
    expect((await county.c.call('GET', '/me')).status).toBe(401);
    expect((await r.api('GET', '/me', county.token)).status).toBe(401);
    const login = await from().login(county.username, PASSWORD);
    expect(login.status).toBe(401);
    expect(login.body).toEqual({ error: 'this account is deactivated; ask your administrator to activate it', code: 'disabled' });
    const on = await city.c.call('POST', `/accounts/${county.id}/activate`);
    expect(on.body).toMatchObject({ id: county.id, disabled: false });
    expect((await r.api('GET', '/me', county.token)).status).toBe(200);
    expect((await county.c.call('GET', '/me')).status).toBe(401);
    expect((await from().login(county.username, PASSWORD)).status).toBe(200);
    expect((await auditOf(city.token, `account:${county.id}`)).map((e) => `${e.action}:${e.outcome}`)).toEqual(['activateAccount:done', 'deactivateAccount:done']);
  });

  it('refuses to deactivate, activate or reset an account above or beside, or oneself (403, audited), and an unknown one (404)', async () => {
    const county = await account('320102');
    const city = await account('320100');
    const otherCounty = await account('320104');
    for (const path of [`/accounts/${city.id}/deactivate`, `/accounts/${otherCounty.id}/activate`, `/accounts/${city.id}/reset-password`, `/accounts/${county.id}/deactivate`]) {
      const res = await county.c.call('POST', path);
      expect(res.status, path).toBe(403);
      expect(res.body.code).toBe('notBelow');
    }
    expect((await r.api('GET', '/me', city.token)).status).toBe(200);
    expect((await from().login(city.username, PASSWORD)).status).toBe(200);
    expect((await county.c.call('POST', `/accounts/${'0'.repeat(32)}/deactivate`)).status).toBe(404);
    expect((await auditOf(county.token, `account:${city.id}`)).map((e) => `${e.action}:${e.outcome}`)).toEqual(['resetPassword:refused', 'deactivateAccount:refused']);
  });
});

describe('tokens', () => {
  it('makes labelled tokens shown once, lists them without secrets, and revokes them (401 afterwards); audited', async () => {
    const a = await account('320100');
    // Listed oldest first: a second later than the first token, so the order is known.
    r.clock.advance(1000);
    const made = await a.c.call('POST', '/tokens', { label: '报表脚本' });
    expect(made.status).toBe(201);
    expect((await r.api('GET', '/me', made.body.token)).status).toBe(200);
    const list = await a.c.call('GET', '/tokens');
    expect(list.body.tokens).toEqual([
      { id: a.id, label: 'admin:create', createdAt: expect.any(String) },
      { id: made.body.id, label: '报表脚本', createdAt: r.clock.now().toISOString(), lastUsedAt: r.clock.now().toISOString() },
    ]);
    expect(list.raw).not.toContain(made.body.token.split('_').at(-1));
    expect((await a.c.call('DELETE', `/tokens/${made.body.id}`)).status).toBe(204);
    const refused = await r.api('GET', '/me', made.body.token);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ code: 'unauthenticated', error: 'invalid or revoked token' });
    expect((await a.c.call('GET', '/tokens')).body.tokens[1]).toMatchObject({ id: made.body.id, revokedAt: r.clock.now().toISOString() });
    expect((await r.api('GET', '/me', a.token)).status).toBe(200);
    expect((await auditOf(a.token, `token:${made.body.id}`)).map((e) => e.action)).toEqual(['revokeToken', 'createToken']);
  });

  it('does not revoke another admin’s token', async () => {
    const a = await account('320100');
    const b = await account('320100');
    expect((await a.c.call('DELETE', `/tokens/${b.id}`)).status).toBe(404);
    expect((await r.api('GET', '/me', b.token)).status).toBe(200);
  });

  it('keeps the single token of an admin stored before people accounts working, as one of its tokens', async () => {
    const id = 'ab'.repeat(16);
    const secret = 'S'.repeat(43);
    await r.db.collection('admins').insertOne({ _id: id as never, name: '旧管理员', regionCode: '320100', levels: [], createdAt: '2025-01-01T00:00:00.000Z', disabled: false, tokenHash: hashSecret(secret) });
    expect(await moveLegacyTokens(r.db)).toBe(1);
    expect(await moveLegacyTokens(r.db)).toBe(0);
    const token = `rca_${id}_${secret}`;
    const me = await r.api('GET', '/me', token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id, username: null, name: '旧管理员' });
    expect((await r.api('GET', '/tokens', token)).body.tokens).toEqual([{ id, label: 'admin:create', createdAt: '2025-01-01T00:00:00.000Z', lastUsedAt: expect.any(String) }]);
    expect(await r.db.collection('admins').findOne({ _id: id as never })).not.toHaveProperty('tokenHash');
    // It gets a console login by choosing a username with its first password.
    const set = await r.api('POST', '/session/password', token, { username: 'old.admin', newPassword: 'a long new password' });
    expect(set.status, JSON.stringify(set.body)).toBe(204);
    expect((await from().login('old.admin', 'a long new password')).body).toMatchObject({ account: { id, username: 'old.admin' }, mustChangePassword: false });
  });
});
