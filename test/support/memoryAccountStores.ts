import type { AdminSession, LoginThrottle, PasswordHasher, SessionStore } from '../../src/app/ports/accounts.ts';

/** In-memory sessions and login throttle, with the semantics of the Mongo stores, for unit tests of the use cases. */
export function createMemorySessionStore(): SessionStore {
  const byId = new Map<string, { session: AdminSession; secretHash: string }>();
  return {
    async create(session, secretHash) {
      byId.set(session.id, { session: structuredClone(session), secretHash });
    },
    async findBySecretHash(secretHash) {
      const found = [...byId.values()].find((e) => e.secretHash === secretHash);
      return found ? structuredClone(found.session) : null;
    },
    async touch(id, at) {
      const found = byId.get(id);
      if (found) found.session.lastSeenAt = at;
    },
    async listByAdmin(adminId) {
      return [...byId.values()].filter((e) => e.session.adminId === adminId).map((e) => structuredClone(e.session));
    },
    async remove(adminId, id) {
      if (byId.get(id)?.session.adminId !== adminId) return false;
      return byId.delete(id);
    },
    async removeAllOf(adminId, keep) {
      let n = 0;
      for (const [id, e] of byId) if (e.session.adminId === adminId && id !== keep && byId.delete(id)) n += 1;
      return n;
    },
  };
}

export function createMemoryLoginThrottle(): LoginThrottle {
  const docs = new Map<string, { failures: Date[]; lockedUntil: Date | null }>();
  const doc = (key: string) => docs.get(key) ?? docs.set(key, { failures: [], lockedUntil: null }).get(key)!;
  return {
    async recordFailure(key, at, keep) {
      const d = doc(key);
      d.failures = [...d.failures, at].sort((a, b) => a.getTime() - b.getTime()).slice(-keep);
      return [...d.failures];
    },
    async state(key) {
      const d = docs.get(key);
      return { failures: [...(d?.failures ?? [])], lockedUntil: d?.lockedUntil ?? null };
    },
    async lock(key, until) {
      const d = doc(key);
      d.failures = [];
      d.lockedUntil = d.lockedUntil && d.lockedUntil > until ? d.lockedUntil : until;
    },
    async clear(key) {
      docs.delete(key);
    },
  };
}

/** A fast stand-in for argon2 that counts its calls: `hash:<password>`. */
export function countingHasher(): PasswordHasher & { verifications: number; hashes: number } {
  const h = {
    verifications: 0,
    hashes: 0,
    async hash(password: string) {
      h.hashes += 1;
      return `hash:${password}`;
    },
    async verify(stored: string, password: string) {
      h.verifications += 1;
      return stored === `hash:${password}`;
    },
  };
  return h;
}
