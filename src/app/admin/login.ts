import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminSession } from '../ports/accounts.ts';
import type { AdminRecord } from '../ports/certification.ts';
import { auditAccount, normalizeUsername, refuse, type AccountDeps, type AccountResult } from './accountDeps.ts';
import { newId } from './tokens.ts';

/**
 * Console login and sessions. The cookie carries a 256-bit random secret; the store keeps its SHA-256 only. The
 * CSRF token is derived from the secret (a hash with a fixed label), so it is bound to one session, needs no
 * storage, and tells nothing about the secret.
 */

export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
export const csrfTokenOf = (secret: string): string => createHash('sha256').update(`redcollar-csrf\0${secret}`, 'utf8').digest('base64url');

export function sameCsrfToken(secret: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenOf(secret));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface LoginInput {
  username: string;
  password: string;
  address: string;
  userAgent: string;
}

export interface OpenSession {
  admin: AdminRecord;
  session: AdminSession;
  /** The cookie value; returned once, at login. */
  secret: string;
}

const accountKey = (username: string) => `account:${username}`;
const addressKey = (address: string) => `address:${address}`;
const WRONG = 'wrong username or password';

export function createLogin(deps: AccountDeps) {
  const s = deps.settings;
  // Verified against when the username is unknown, so that an unknown name costs one hash like a known one.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= deps.hasher.hash(randomBytes(16).toString('hex')));
  const inWindow = (failures: Date[], now: Date) => failures.filter((t) => t.getTime() > now.getTime() - s.windowMs);
  const lockedAnswer = (until: Date) =>
    refuse(423, `account locked after repeated failures until ${until.toISOString()}; ask your administrator to reset it`, { code: 'locked', lockedUntil: until.toISOString() });
  // Seen at most this often is recorded: a write per request would cost more than the request.
  const touchEveryMs = Math.min(60_000, Math.floor(s.sessionIdleMs / 10));

  return {
    async login(input: LoginInput): Promise<AccountResult<OpenSession>> {
      const now = deps.clock.now();
      const username = normalizeUsername(input.username);
      const byAddress = inWindow((await deps.throttle.state(addressKey(input.address))).failures, now);
      if (byAddress.length >= s.maxPerAddress) {
        // The window slides: the wait ends when the oldest failure that still counts leaves it.
        const oldest = byAddress[byAddress.length - s.maxPerAddress]!;
        const retryAfterSeconds = Math.max(1, Math.ceil((oldest.getTime() + s.windowMs - now.getTime()) / 1000));
        return refuse(429, `too many attempts from your address; try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s)`, { code: 'throttled', retryAfterSeconds });
      }
      const account = await deps.throttle.state(accountKey(username));
      if (account.lockedUntil && account.lockedUntil > now) return lockedAnswer(account.lockedUntil);

      const found = await deps.admins.findLogin(username);
      const ok = await deps.hasher.verify(found?.passwordHash ?? (await dummyHash()), input.password);
      if (!found || !ok) {
        await deps.throttle.recordFailure(addressKey(input.address), now, s.maxPerAddress);
        const failures = inWindow(await deps.throttle.recordFailure(accountKey(username), now, s.maxFailures), now);
        if (failures.length >= s.maxFailures) {
          const until = new Date(now.getTime() + s.lockMs);
          await deps.throttle.lock(accountKey(username), until);
          if (found) await auditAccount(deps, found.admin, 'login', `account:${found.admin.id}`, 'refused', { reason: 'locked', lockedUntil: until.toISOString(), address: input.address });
          else deps.logger.warn({ address: input.address }, 'repeated failed logins with an unknown username');
          return lockedAnswer(until);
        }
        if (found) await auditAccount(deps, found.admin, 'login', `account:${found.admin.id}`, 'invalid', { reason: 'wrongPassword', address: input.address });
        return refuse(401, WRONG);
      }
      if (found.admin.disabled) {
        await auditAccount(deps, found.admin, 'login', `account:${found.admin.id}`, 'refused', { reason: 'disabled', address: input.address });
        return refuse(401, 'this account is deactivated; ask your administrator to activate it', { code: 'disabled' });
      }
      await deps.throttle.clear(accountKey(username));
      const secret = randomBytes(32).toString('base64url');
      const session: AdminSession = {
        id: newId(),
        adminId: found.admin.id,
        createdAt: now.toISOString(),
        lastSeenAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + s.sessionMaxMs).toISOString(),
        address: input.address.slice(0, 100),
        userAgent: input.userAgent.slice(0, 300),
      };
      await deps.sessions.create(session, sha256(secret));
      const admin = (await deps.admins.update(found.admin.id, { lastLoginAt: now.toISOString() })) ?? found.admin;
      await auditAccount(deps, admin, 'login', `account:${admin.id}`, 'done', { session: session.id, address: session.address });
      return { ok: true, value: { admin, session, secret } };
    },

    /** The live session and its admin for a cookie's secret; expired, revoked or deactivated ones are refused. */
    async resume(secret: string): Promise<AccountResult<{ admin: AdminRecord; session: AdminSession }>> {
      const now = deps.clock.now();
      const session = await deps.sessions.findBySecretHash(sha256(secret));
      const gone = refuse(401, 'your session has expired or was ended; log in again', { code: 'sessionExpired' });
      if (!session) return gone;
      const idleFor = now.getTime() - Date.parse(session.lastSeenAt);
      if (now.getTime() >= Date.parse(session.expiresAt) || idleFor >= s.sessionIdleMs) {
        await deps.sessions.remove(session.adminId, session.id);
        return gone;
      }
      const admin = await deps.admins.get(session.adminId);
      if (!admin || admin.disabled) return gone;
      if (idleFor >= touchEveryMs) await deps.sessions.touch(session.id, now.toISOString());
      return { ok: true, value: { admin, session: { ...session, lastSeenAt: idleFor >= touchEveryMs ? now.toISOString() : session.lastSeenAt } } };
    },

    async logout(admin: AdminRecord, session: AdminSession): Promise<void> {
      await deps.sessions.remove(admin.id, session.id);
      await auditAccount(deps, admin, 'logout', `account:${admin.id}`, 'done', { session: session.id });
    },

    /** The admin's live sessions: expired ones are not listed (resume removes them when their cookie comes back). */
    async listSessions(admin: AdminRecord): Promise<AdminSession[]> {
      const now = deps.clock.now().getTime();
      const all = await deps.sessions.listByAdmin(admin.id);
      const live = all.filter((x) => now < Date.parse(x.expiresAt) && now - Date.parse(x.lastSeenAt) < s.sessionIdleMs);
      return live;
    },

    async revokeSession(admin: AdminRecord, id: string): Promise<AccountResult<null>> {
      const removed = await deps.sessions.remove(admin.id, id);
      await auditAccount(deps, admin, 'revokeSession', `session:${id}`, removed ? 'done' : 'invalid');
      return removed ? { ok: true, value: null } : refuse(404, `you have no session ${id}`);
    },

    /** A reset or an administrator's unlock: the account's failures and lock are forgotten. */
    clearLockout: (username: string) => deps.throttle.clear(accountKey(normalizeUsername(username))),
  };
}

export type Login = ReturnType<typeof createLogin>;
