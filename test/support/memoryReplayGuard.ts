import type { ReplayGuard } from '../../src/app/ports/replayGuard.ts';

/** In-memory ReplayGuard for unit tests; passes the same contract as the Mongo one (test/store/replayGuardContract.ts). */
export function createMemoryReplayGuard(): ReplayGuard {
  const seen = new Map<string, { digest: string; expiresAt: Date }>();
  return {
    async claim(scope, timestamp, nonce, digest, expiresAt) {
      const key = `${scope}:${timestamp}:${nonce}`;
      const before = seen.get(key);
      if (!before) {
        seen.set(key, { digest, expiresAt });
        return 'first';
      }
      return before.digest === digest ? 'again' : 'reused';
    },
    async purgeExpired(now) {
      let n = 0;
      for (const [key, entry] of seen) {
        if (entry.expiresAt < now) {
          seen.delete(key);
          n++;
        }
      }
      return n;
    },
  };
}
