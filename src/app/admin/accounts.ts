import { randomBytes } from 'node:crypto';
import { ConflictError, type AdminRecord, type AdminToken } from '../ports/certification.ts';
import { accountView, isStrictlyBelow, regionLabel, type AccountView } from './accountView.ts';
import { auditAccount, normalizeUsername, refuse, USERNAME, USERNAME_RULE, type AccountDeps, type AccountResult } from './accountDeps.ts';
import { createLogin } from './login.ts';
import { authenticate, issueToken, newId } from './tokens.ts';
import { findRegion, regionPrefix } from '../../domain/regions/regions.ts';

/**
 * People accounts of the console: an admin manages the accounts of regions strictly below their own (a city those
 * of its counties and streets, never another city or the province), changes their own password, and keeps their
 * own sessions and tokens. Every action, refusals included, goes to the audit log with target `account:<id>`.
 */

export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 200;

/** 96 random bits, 16 characters: typed once, then replaced at the first login. */
export const temporaryPassword = (): string => randomBytes(12).toString('base64url');

/** Why a new password is refused, or null. */
export function passwordProblem(password: string, username: string | undefined, current?: string): string | null {
  if (password.length < MIN_PASSWORD) return `a password has at least ${MIN_PASSWORD} characters`;
  if (password.length > MAX_PASSWORD) return `a password has at most ${MAX_PASSWORD} characters`;
  if (username && password.trim().toLowerCase() === username) return 'the password may not be the username';
  if (current !== undefined && password === current) return 'the new password must differ from the current one';
  return null;
}

export interface CreateAccountInput {
  username: string;
  name: string;
  regionCode: string;
  levels?: string[];
}

export function createAccountService(deps: AccountDeps) {
  const login = createLogin(deps);
  const view = (a: AdminRecord) => accountView(deps.regions, a);
  const target = (a: AdminRecord | string) => `account:${typeof a === 'string' ? a : a.id}`;
  const notBelow = (actor: AdminRecord, regionCode: string, what: string) =>
    refuse(
      403,
      `${what} region ${regionCode} ${regionLabel(deps.regions, regionCode)} is not below your region ${actor.regionCode} ${regionLabel(deps.regions, actor.regionCode)}; you manage accounts of regions strictly below your own`,
      { code: 'notBelow', params: { what: what.startsWith('the new account') ? 'newAccount' : 'account', regionCode, yourRegion: actor.regionCode } },
    );

  /** The account `id` when the actor may manage it (its region strictly below theirs); refusals audited. */
  async function managed(actor: AdminRecord, id: string, action: string): Promise<AccountResult<AdminRecord>> {
    const account = await deps.admins.get(id);
    if (!account) {
      await auditAccount(deps, actor, action, target(id), 'invalid', { error: 'unknown account' });
      return refuse(404, `no account ${id}`);
    }
    if (!isStrictlyBelow(actor.regionCode, account.regionCode)) {
      await auditAccount(deps, actor, action, target(account), 'refused', { regionCode: account.regionCode });
      return notBelow(actor, account.regionCode, `account ${account.username ?? account.id} is of`);
    }
    return { ok: true, value: account };
  }

  return {
    ...login,
    view,
    authenticateToken: (header: string | undefined) => authenticate(deps.admins, header, deps.clock.now()),

    /** Oneself and the accounts of regions strictly below. */
    async listAccounts(actor: AdminRecord): Promise<AccountView[]> {
      const all = await deps.admins.listInRegion(regionPrefix(actor.regionCode));
      return [actor, ...all.filter((a) => a.id !== actor.id && isStrictlyBelow(actor.regionCode, a.regionCode))].map(view);
    },

    async createAccount(actor: AdminRecord, input: CreateAccountInput): Promise<AccountResult<{ account: AccountView; temporaryPassword: string }>> {
      const username = normalizeUsername(input.username);
      const detail = { username, regionCode: input.regionCode, levels: input.levels ?? null };
      const invalid = async (status: 400 | 409, message: string) => {
        await auditAccount(deps, actor, 'createAccount', `username:${username}`, status === 409 ? 'conflict' : 'invalid', { ...detail, error: message });
        return refuse(status, message);
      };
      if (!USERNAME.test(username)) return invalid(400, `username: ${USERNAME_RULE}`);
      if (!findRegion(deps.regions, input.regionCode)) return invalid(400, `regionCode: ${input.regionCode} is not a region in policies/regions.yaml`);
      if (!isStrictlyBelow(actor.regionCode, input.regionCode)) {
        await auditAccount(deps, actor, 'createAccount', `username:${username}`, 'refused', detail);
        return notBelow(actor, input.regionCode, 'the new account’s');
      }
      // An admin grants no level they do not manage themselves; by default, the same levels.
      const levels = input.levels ?? [...actor.levels];
      const beyond = actor.levels.length ? levels.filter((l) => !actor.levels.includes(l)) : [];
      if (beyond.length || (actor.levels.length && levels.length === 0)) {
        await auditAccount(deps, actor, 'createAccount', `username:${username}`, 'refused', detail);
        return refuse(403, `you manage only the levels ${actor.levels.join(', ')}, so you cannot grant ${beyond.length ? beyond.join(', ') : 'all levels'}`, { code: 'levelsBeyondYours' });
      }
      const policy = deps.policies.forRegion(input.regionCode);
      const unknown = policy ? levels.filter((l) => !policy.levels.some((x) => x.id === l)) : levels;
      if (unknown.length) return invalid(400, `levels: unknown level(s) ${unknown.join(', ')} for region ${input.regionCode}${policy ? `; ${policy.id} has ${policy.levels.map((l) => l.id).join(', ')}` : ''}`);

      const password = temporaryPassword();
      const account: AdminRecord = {
        id: newId(),
        name: input.name,
        regionCode: input.regionCode,
        levels,
        createdAt: deps.clock.now().toISOString(),
        disabled: false,
        username,
        mustChangePassword: true,
      };
      try {
        await deps.admins.create(account, await deps.hasher.hash(password));
      } catch (err) {
        if (err instanceof ConflictError) return invalid(409, `the username ${username} is taken; choose another`);
        throw err;
      }
      await auditAccount(deps, actor, 'createAccount', target(account), 'done', detail);
      return { ok: true, value: { account: view(account), temporaryPassword: password } };
    },

    async setDisabled(actor: AdminRecord, id: string, disabled: boolean): Promise<AccountResult<AccountView>> {
      const action = disabled ? 'deactivateAccount' : 'activateAccount';
      const found = await managed(actor, id, action);
      if (!found.ok) return found;
      const updated = await deps.admins.update(id, { disabled });
      // Deactivation ends the account's sessions at once; its tokens are refused while it stays deactivated.
      const ended = disabled ? await deps.sessions.removeAllOf(id) : 0;
      await auditAccount(deps, actor, action, target(id), 'done', disabled ? { sessionsEnded: ended } : undefined);
      return { ok: true, value: view(updated ?? found.value) };
    },

    /** A new temporary password (changed at the next login); the lockout cleared and the sessions ended. */
    async resetPassword(actor: AdminRecord, id: string): Promise<AccountResult<{ temporaryPassword: string }>> {
      const found = await managed(actor, id, 'resetPassword');
      if (!found.ok) return found;
      if (!found.value.username) {
        await auditAccount(deps, actor, 'resetPassword', target(id), 'invalid', { error: 'no username' });
        return refuse(409, `account ${id} has no username: it was made for scripts and logs in with tokens only`);
      }
      const password = temporaryPassword();
      await deps.admins.update(id, { passwordHash: await deps.hasher.hash(password), mustChangePassword: true });
      await login.clearLockout(found.value.username);
      const ended = await deps.sessions.removeAllOf(id);
      await auditAccount(deps, actor, 'resetPassword', target(id), 'done', { sessionsEnded: ended });
      return { ok: true, value: { temporaryPassword: password } };
    },

    /**
     * Change one's own password. An admin made for scripts (no password yet) sets a username with its first one,
     * calling with a token; everyone else gives the current password. Other sessions end.
     */
    async changePassword(actor: AdminRecord, input: { currentPassword?: string; newPassword: string; username?: string }, keepSession?: string): Promise<AccountResult<null>> {
      const fail = async (status: 400 | 403 | 409, message: string, code?: string) => {
        await auditAccount(deps, actor, 'changePassword', target(actor), status === 403 ? 'refused' : 'invalid', { error: message });
        return refuse(status, message, code ? { code } : undefined);
      };
      const stored = await deps.admins.passwordHash(actor.id);
      let username = actor.username;
      if (stored === null) {
        if (!input.username) return fail(400, 'username: this admin has no login yet; give the username to log in with, and the new password');
        username = normalizeUsername(input.username);
        if (!USERNAME.test(username)) return fail(400, `username: ${USERNAME_RULE}`);
      } else {
        if (input.currentPassword === undefined) return fail(400, 'currentPassword: give your current password');
        if (!(await deps.hasher.verify(stored, input.currentPassword))) return fail(403, 'the current password is wrong', 'wrongPassword');
      }
      const problem = passwordProblem(input.newPassword, username, input.currentPassword);
      if (problem) return fail(400, `newPassword: ${problem}`);
      try {
        await deps.admins.update(actor.id, { passwordHash: await deps.hasher.hash(input.newPassword), mustChangePassword: false, ...(stored === null ? { username } : {}) });
      } catch (err) {
        if (err instanceof ConflictError) return fail(409, `the username ${username} is taken; choose another`);
        throw err;
      }
      const ended = await deps.sessions.removeAllOf(actor.id, keepSession);
      await auditAccount(deps, actor, 'changePassword', target(actor), 'done', { otherSessionsEnded: ended, ...(stored === null ? { username } : {}) });
      return { ok: true, value: null };
    },

    listTokens: (actor: AdminRecord): Promise<AdminToken[]> => deps.admins.listTokens(actor.id),

    async createToken(actor: AdminRecord, label: string): Promise<{ id: string; label: string; token: string }> {
      const { token, text } = await issueToken(deps.admins, actor.id, label, deps.clock.now());
      await auditAccount(deps, actor, 'createToken', `token:${token.id}`, 'done', { label });
      return { id: token.id, label, token: text };
    },

    async revokeToken(actor: AdminRecord, id: string): Promise<AccountResult<null>> {
      const revoked = await deps.admins.revokeToken(actor.id, id, deps.clock.now().toISOString());
      await auditAccount(deps, actor, 'revokeToken', `token:${id}`, revoked ? 'done' : 'invalid');
      return revoked ? { ok: true, value: null } : refuse(404, `you have no live token ${id}`);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
