import type { PolicySet } from '../../domain/policy/load.ts';
import type { RegionNode } from '../../domain/regions/regions.ts';
import type { Logger } from '../../infra/logger.ts';
import type { LoginThrottle, PasswordHasher, SessionStore } from '../ports/accounts.ts';
import type { AdminRecord, AdminRepository, AuditEntry, AuditLog } from '../ports/certification.ts';
import type { Clock } from '../ports/clock.ts';

/** The console's login rules; defaults in src/config.ts, explained in docs/console-accounts.md. */
export interface AccountSettings {
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Failed logins of one account within `windowMs` that lock it for `lockMs`. */
  maxFailures: number;
  lockMs: number;
  windowMs: number;
  /** Failed logins from one address within `windowMs` after which it must wait (429). */
  maxPerAddress: number;
}

/** From the ADMIN_* settings of src/config.ts (minutes and hours there). */
export function accountSettings(c: {
  ADMIN_SESSION_IDLE_MINUTES: number;
  ADMIN_SESSION_MAX_HOURS: number;
  ADMIN_LOGIN_MAX_FAILURES: number;
  ADMIN_LOGIN_LOCK_MINUTES: number;
  ADMIN_LOGIN_WINDOW_MINUTES: number;
  ADMIN_LOGIN_MAX_PER_ADDRESS: number;
}): AccountSettings {
  return {
    sessionIdleMs: c.ADMIN_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: c.ADMIN_SESSION_MAX_HOURS * 3_600_000,
    maxFailures: c.ADMIN_LOGIN_MAX_FAILURES,
    lockMs: c.ADMIN_LOGIN_LOCK_MINUTES * 60_000,
    windowMs: c.ADMIN_LOGIN_WINDOW_MINUTES * 60_000,
    maxPerAddress: c.ADMIN_LOGIN_MAX_PER_ADDRESS,
  };
}

export interface AccountDeps {
  admins: AdminRepository;
  sessions: SessionStore;
  throttle: LoginThrottle;
  hasher: PasswordHasher;
  audit: AuditLog;
  clock: Clock;
  regions: RegionNode[];
  policies: PolicySet;
  logger: Logger;
  settings: AccountSettings;
}

/** A refusal of an account action: `extra` fields go into the JSON answer beside `error` (code, lockedUntil, ...). */
export interface AccountError {
  status: 400 | 401 | 403 | 404 | 409 | 423 | 429;
  message: string;
  extra?: Record<string, unknown>;
}
export type AccountResult<T> = { ok: true; value: T } | { ok: false; error: AccountError };

export const refuse = (status: AccountError['status'], message: string, extra?: Record<string, unknown>): { ok: false; error: AccountError } => ({
  ok: false,
  error: { status, message, ...(extra ? { extra } : {}) },
});

export async function auditAccount(deps: AccountDeps, actor: AdminRecord | string, action: string, target: string, outcome: AuditEntry['outcome'], detail?: Record<string, unknown>): Promise<void> {
  await deps.audit.append({
    at: deps.clock.now().toISOString(),
    adminId: typeof actor === 'string' ? actor : actor.id,
    action,
    target,
    outcome,
    ...(detail ? { detail } : {}),
  });
}

/** Usernames are compared lower-cased: `Nanjing` and `nanjing` are one account. */
export const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;
export const USERNAME_RULE = 'a username is 3-32 letters, digits, dots, dashes or underscores, starting with a letter or digit';
export const normalizeUsername = (u: string): string => u.trim().toLowerCase();
