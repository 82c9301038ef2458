import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../app/ports/accounts.ts';

/**
 * argon2id through @node-rs/argon2 (prebuilt binaries, no compiler at install). The cost is OWASP's minimum for
 * argon2id (19 MiB, 2 passes, 1 lane): 50-70 ms a hash on a loaded 2-core machine, which bounds
 * guessing without letting a burst of logins starve the event loop (the work runs on libuv's thread pool).
 */
// `Algorithm` is a const enum, which this project's module settings cannot import: 2 is its Argon2id.
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function createArgon2Hasher(): PasswordHasher {
  return {
    hash: (password) => hash(password, OPTIONS),
    async verify(stored, password) {
      try {
        return await verify(stored, password);
      } catch {
        // A malformed stored hash is a wrong password, not a crash of the login route.
        return false;
      }
    },
  };
}
