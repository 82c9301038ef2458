import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AdminRecord, AdminRepository } from '../ports/certification.ts';

/**
 * Admin bearer tokens: `rca_<adminId>_<secret>`, 256 random bits of secret. Only the SHA-256 of the secret is
 * stored. A password hash (argon2, bcrypt) exists to slow down guessing of low-entropy passwords; a 256-bit
 * random secret cannot be guessed, so a fast hash is the right tool and lets a request be checked in microseconds.
 */
const PREFIX = 'rca';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export async function createAdmin(repo: AdminRepository, input: { name: string; regionCode: string; levels: string[] }, now: Date): Promise<{ admin: AdminRecord; token: string }> {
  const id = randomUUID().replace(/-/g, '');
  const secret = randomBytes(32).toString('base64url');
  const admin: AdminRecord = { id, name: input.name, regionCode: input.regionCode, levels: input.levels, createdAt: now.toISOString(), disabled: false };
  await repo.create(admin, hashSecret(secret));
  return { admin, token: `${PREFIX}_${id}_${secret}` };
}

export type AuthResult = { ok: true; admin: AdminRecord } | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'mismatch' | 'disabled' };

/** Check a bearer token: constant-time comparison of hashes, and one generic answer to the client for every failure. */
export async function authenticate(repo: AdminRepository, header: string | undefined): Promise<AuthResult> {
  if (!header) return { ok: false, reason: 'missing' };
  const m = /^Bearer (rca_([0-9a-f]{32})_([A-Za-z0-9_-]{43}))$/.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const found = await repo.findWithHash(m[2]!);
  // Hash even when the admin is unknown, so the time taken does not tell which ids exist.
  const presented = Buffer.from(hashSecret(m[3]!), 'hex');
  const stored = Buffer.from(found?.tokenHash ?? '0'.repeat(64), 'hex');
  const same = stored.length === presented.length && timingSafeEqual(stored, presented);
  if (!found) return { ok: false, reason: 'unknown' };
  if (!same) return { ok: false, reason: 'mismatch' };
  if (found.admin.disabled) return { ok: false, reason: 'disabled' };
  return { ok: true, admin: found.admin };
}
