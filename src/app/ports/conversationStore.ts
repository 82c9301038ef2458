import type { ConversationState, OutboundMessage } from '../../engine/types.ts';

/** The answer to the last message a conversation handled, kept so a repeated delivery gets the same answer. */
export interface LastReply {
  messageId: string;
  replies: OutboundMessage[];
}

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
  /** Write the state with the turn's replies and release the lease; throws LeaseLostError when the lease is no longer ours. */
  commit(state: ConversationState, owner: string, reply: LastReply): Promise<void>;
  /** The last handled message's replies, and whether a turn holds the lease right now. */
  lastReply(channel: string, userId: string, now: Date): Promise<{ last: LastReply | null; busy: boolean }>;
  /** Give the lease back without writing (the turn failed). */
  release(channel: string, userId: string, owner: string): Promise<void>;
  /** Remove conversations idle since before `cutoff` (data kept no longer than needed). */
  deleteIdleSince(cutoff: Date): Promise<number>;
}
