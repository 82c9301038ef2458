/**
 * The login use case over in-memory stores and a counting stand-in for argon2: what each attempt costs and when
 * the throttle answers. The same rules over HTTP and the real database: test/http/consoleAccounts.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createAccountService } from '../../../src/app/admin/accounts.ts';
import { accountSettings } from '../../../src/app/admin/accountDeps.ts';
import { isStrictlyBelow } from '../../../src/app/admin/accountView.ts';
import { passwordProblem } from '../../../src/app/admin/accounts.ts';
import { loadConfig } from '../../../src/config.ts';
import { memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';
import { countingHasher, createMemoryLoginThrottle, createMemorySessionStore } from '../../support/memoryAccountStores.ts';

function setup() {
  const m = memoryCertificationDeps();
  const hasher = countingHasher();
  const accounts = createAccountService({
    admins: m.deps.admins,
    sessions: createMemorySessionStore(),
    throttle: createMemoryLoginThrottle(),
    hasher,
    audit: m.deps.audit,
    clock: m.clock,
    regions: m.deps.regions,
    policies: m.deps.policies,
    logger: m.deps.logger,
    settings: accountSettings(loadConfig({})),
  });
  return { ...m, hasher, accounts };
}

const attempt = (username: string, password: string, address = '192.0.2.1') => ({ username, password, address, userAgent: 'test' });

describe('login', () => {
  it('spends one password verification on an unknown username, as on a known one (no user enumeration by time)', async () => {
    const t = setup();
    await t.deps.admins.create({ id: 'a1', name: 'x', regionCode: '320100', levels: [], createdAt: '2026-01-01T00:00:00.000Z', disabled: false, username: 'known' }, 'hash:right password');
    const before = t.hasher.verifications;
    expect(await t.accounts.login(attempt('known', 'wrong password'))).toMatchObject({ ok: false, error: { status: 401 } });
    expect(t.hasher.verifications - before).toBe(1);
    expect(await t.accounts.login(attempt('unknown', 'wrong password'))).toMatchObject({ ok: false, error: { status: 401, message: 'wrong username or password' } });
    expect(t.hasher.verifications - before).toBe(2);
    expect(await t.accounts.login(attempt('KNOWN', 'right password'))).toMatchObject({ ok: true });
    expect(t.hasher.verifications - before).toBe(3);
  });

  it('answers a locked account and a throttled address before checking any password', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) await t.accounts.login(attempt('someone', 'wrong', `192.0.2.${10 + i}`));
    const verified = t.hasher.verifications;
    expect(await t.accounts.login(attempt('someone', 'wrong', '192.0.2.99'))).toMatchObject({ ok: false, error: { status: 423 } });
    for (let i = 0; i < 20; i++) await t.accounts.login(attempt(`name${i % 5}`, 'wrong', '192.0.2.200'));
    const before = t.hasher.verifications;
    expect(await t.accounts.login(attempt('other', 'wrong', '192.0.2.200'))).toMatchObject({ ok: false, error: { status: 429, extra: { retryAfterSeconds: 900 } } });
    expect(t.hasher.verifications).toBe(before);
    expect(verified).toBe(5);
  });
});

describe('rules', () => {
  it.each([
    ['320000', '320100', true],
    ['320000', '320102', true],
    ['320100', '320102', true],
    ['330482', '330482001', true],
    ['320100', '320100', false],
    ['320100', '320200', false],
    ['320100', '320000', false],
    ['320102', '320104', false],
    ['320102', '320100', false],
    ['330482001', '330482002', false],
    ['320100', 'nonsense', false],
  ])('a region %s manages accounts of %s: %s', (own, target, below) => {
    expect(isStrictlyBelow(own, target)).toBe(below);
  });

  it.each([
    ['short', 'u', null, 'a password has at least 10 characters'],
    ['Nanjing.Admin', 'nanjing.admin', null, 'the password may not be the username'],
    ['same old password', 'u', 'same old password', 'the new password must differ from the current one'],
    ['a fine new password', 'u', 'old password', null],
  ])('password %s for %s (current %s): %s', (password, username, current, problem) => {
    expect(passwordProblem(password, username, current ?? undefined)).toBe(problem);
  });
});
