/**
 * The (timestamp, nonce) pairs of signed requests seen recently, shared by every instance of the app, so a signed
 * URL serves one message only. A pair is remembered with a digest of what its signature vouches for (the body, or
 * the encrypted part of it): the same request delivered again is told apart from the same URL carrying another
 * body, which is what a replay by someone who saw the URL (a proxy, an access log) looks like.
 */
export type ReplayVerdict =
  /** First time this pair is seen. */
  | 'first'
  /** Seen before with the same digest: the same request again (a platform retry, a resend); handle it as usual. */
  | 'again'
  /** Seen before with another digest: the URL is being reused for another message; refuse it. */
  | 'reused';

export interface ReplayGuard {
  /**
   * Remember (scope, timestamp, nonce) with `digest` until `expiresAt` (a moment after which the timestamp is
   * refused anyway). `scope` keeps apart accounts that may draw the same nonce (channel and app id).
   */
  claim(scope: string, timestamp: string, nonce: string, digest: string, expiresAt: Date): Promise<ReplayVerdict>;
  /** Forget pairs whose expiry has passed (for databases that ignore TTL indexes); returns how many. */
  purgeExpired(now: Date): Promise<number>;
}
