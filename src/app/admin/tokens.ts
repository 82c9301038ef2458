import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AdminRecord, AdminRepository, AdminToken } from '../ports/certification.ts';

/**
 * Admin bearer tokens: `rca_<tokenId>_<secret>`, 256 random bits of secret. Only the SHA-256 of the secret is
 * stored. A password hash (argon2, bcrypt) exists to slow down guessing of low-entropy passwords; a 256-bit
 * random secret cannot be guessed, so a fast hash is the right tool and lets a request be checked in microseconds.
 * An admin's first token has the admin's id as its id, as tokens did before an admin could have several.
 */
const PREFIX = 'rca';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export const newId = (): string => randomUUID().replace(/-/g, '');

/** A new token for the admin, stored by hash; the token's text is returned once. */
export async function issueToken(repo: AdminRepository, adminId: string, label: string, now: Date, id = newId()): Promise<{ token: AdminToken; text: string }> {
  const secret = randomBytes(32).toString('base64url');
  const token: AdminToken = { id, adminId, label, createdAt: now.toISOString() };
  await repo.addToken(token, hashSecret(secret));
  return { token, text: `${PREFIX}_${id}_${secret}` };
}

/**
 * A script-only admin and its first token, as `npm run admin:create` made them before people accounts (tests
 * and tools use it). With `username` and `passwordHash` the admin is also a people account.
 */
export async function createAdmin(
  repo: AdminRepository,
  input: { name: string; regionCode: string; levels: string[]; username?: string; passwordHash?: string },
  now: Date,
): Promise<{ admin: AdminRecord; token: string }> {
  const id = newId();
  const admin: AdminRecord = {
    id,
    name: input.name,
    regionCode: input.regionCode,
    levels: input.levels,
    createdAt: now.toISOString(),
    disabled: false,
    ...(input.username !== undefined ? { username: input.username, mustChangePassword: true } : {}),
  };
  await repo.create(admin, input.passwordHash);
  const { text } = await issueToken(repo, id, 'admin:create', now, id);
  return { admin, token: text };
}

export type AuthResult =
  | { ok: true; admin: AdminRecord; token: AdminToken }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'mismatch' | 'revoked' | 'disabled' };

/** Record when a token was last used at most once a minute: a write per request would cost more than the request. */
const TOUCH_EVERY_MS = 60_000;
const ZERO_HASH = '0'.repeat(64);

/** Check a bearer token: constant-time comparison of hashes, and one generic answer to the client for every failure. */
export async function authenticate(repo: AdminRepository, header: string | undefined, now: Date = new Date()): Promise<AuthResult> {
  if (!header) return { ok: false, reason: 'missing' };
  const m = /^Bearer (rca_([0-9a-f]{32})_([A-Za-z0-9_-]{43}))$/.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const found = await repo.findToken(m[2]!);
  // Hash even when the token is unknown, so the time taken does not tell which ids exist.
  const presented = Buffer.from(hashSecret(m[3]!), 'hex');
  const stored = Buffer.from(found?.hash ?? ZERO_HASH, 'hex');
  const same = stored.length === presented.length && timingSafeEqual(stored, presented);
  if (!found) return { ok: false, reason: 'unknown' };
  if (!same) return { ok: false, reason: 'mismatch' };
  if (found.token.revokedAt) return { ok: false, reason: 'revoked' };
  const admin = await repo.get(found.token.adminId);
  if (!admin) return { ok: false, reason: 'unknown' };
  if (admin.disabled) return { ok: false, reason: 'disabled' };
  if (!found.token.lastUsedAt || now.getTime() - Date.parse(found.token.lastUsedAt) >= TOUCH_EVERY_MS) await repo.touchToken(found.token.id, now.toISOString());
  return { ok: true, admin, token: found.token };
}
