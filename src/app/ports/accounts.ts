/** Ports of the console's people accounts: login sessions, the login throttle and password hashing. */

export interface AdminSession {
  /** Public id (for listing and revoking); not the cookie value. */
  id: string;
  adminId: string;
  createdAt: string;
  lastSeenAt: string;
  /** The absolute end, whatever the activity. */
  expiresAt: string;
  address: string;
  userAgent: string;
}

export interface SessionStore {
  /** `secretHash`: the SHA-256 of the cookie value; the value itself is never stored. */
  create(session: AdminSession, secretHash: string): Promise<void>;
  findBySecretHash(secretHash: string): Promise<AdminSession | null>;
  touch(id: string, at: string): Promise<void>;
  listByAdmin(adminId: string): Promise<AdminSession[]>;
  /** Delete one session of this admin; false when there was none. */
  remove(adminId: string, id: string): Promise<boolean>;
  /** Delete every session of the admin except `keep`; how many went. */
  removeAllOf(adminId: string, keep?: string): Promise<number>;
}

/**
 * Recent failed logins per key (`account:<username>`, `address:<ip>`), shared by every instance: each call is one
 * single-document atomic update, so two instances counting the same key never lose a failure.
 */
export interface LoginThrottle {
  /** Record a failure at `at`, keeping the newest `keep`; the failures kept, oldest first. */
  recordFailure(key: string, at: Date, keep: number): Promise<Date[]>;
  /** The failures kept (oldest first) and the lock, if any. */
  state(key: string): Promise<{ failures: Date[]; lockedUntil: Date | null }>;
  lock(key: string, until: Date): Promise<void>;
  clear(key: string): Promise<void>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}
