import type { ConversationState } from '../../engine/types.ts';

/** Another turn for the same user holds the lease right now; wait and try again. */
export class ConversationBusyError extends Error {
  override name = 'ConversationBusyError';
}

/** The lease expired and another instance took over before this turn could write; the turn must not be saved. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/**
 * Conversation states with a per-user lease: a turn takes the lease, reads, runs, and commits (write + release)
 * in one single-document update guarded by the lease owner and the version. This serialises one user's turns
 * across any number of app instances without multi-document transactions.
 */
export interface ConversationStore {
  /** Take the lease. Resolves to the stored state (null for a new user) or throws ConversationBusyError. */
  acquire(channel: string, userId: string, owner: string, now: Date, leaseMs: number): Promise<ConversationState | null>;
  /** Write the state and release the lease; throws LeaseLostError when the lease is no longer ours. */
  commit(state: ConversationState, owner: string): Promise<void>;
  /** Give the lease back without writing (the turn failed). */
  release(channel: string, userId: string, owner: string): Promise<void>;
  /** Remove conversations idle since before `cutoff` (data kept no longer than needed). */
  deleteIdleSince(cutoff: Date): Promise<number>;
}
