import type { ConversationState, OutboundMessage } from '../../engine/types.ts';

/** The answer to the last message a conversation handled, kept so a repeated delivery gets the same answer. */
export interface LastReply {
  messageId: string;
  replies: OutboundMessage[];
}

/** Where a deleted conversation stood when it went quiet (flow fields null when it was in no flow). */
export interface ExpiredConversation {
  flowId: string | null;
  flowVersion: number | null;
  stepId: string | null;
  updatedAt: Date;
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
 * What `begin` found: the turn may run (the lease is ours), or the message was handled before (no lease taken;
 * `replies` are its stored answer when it is the conversation's last message, else none).
 */
export type Begun = { kind: 'turn'; state: ConversationState | null } | { kind: 'repeat'; replies: OutboundMessage[] };

/**
 * Conversation states with a per-user lease: a turn takes the lease, reads, runs, and commits (write + release)
 * in one single-document update guarded by the lease owner and the version. This serialises one user's turns
 * across any number of app instances without multi-document transactions.
 */
export interface ConversationStore {
  /** Take the lease. Resolves to the stored state (null for a new user) or throws ConversationBusyError. */
  acquire(channel: string, userId: string, owner: string, now: Date, leaseMs: number): Promise<ConversationState | null>;
  /**
   * The start of a turn in one round trip: unless `messageId` is among the conversation's recent messages, take the
   * lease and read the state. Throws ConversationBusyError while another turn holds the lease. This is the dedupe:
   * a message id is recorded by the commit that answers it, so a failed turn leaves a redelivery free to run.
   */
  begin(channel: string, userId: string, messageId: string, owner: string, now: Date, leaseMs: number): Promise<Begun>;
  /**
   * Write the state with the turn's replies, record the message as handled and release the lease; throws
   * LeaseLostError when the lease is no longer ours.
   */
  commit(state: ConversationState, owner: string, reply: LastReply): Promise<void>;
  /**
   * The conversation as this instance's last commit left it, or null when it has none in memory. It may be stale
   * (another instance may have moved it on since): only `commitIfCurrent` may write a turn run on it.
   */
  known(channel: string, userId: string): ConversationState | null;
  /**
   * Commit a turn run on `known`'s state without a lease, in one round trip: written, with the message recorded
   * as handled, only if the conversation is still exactly as this instance wrote it, no lease is on it (one left
   * behind by a turn that never ended counts, even expired) and `reply.messageId` is not among its recent messages.
   * False = nothing written (the state moved, a turn is running or left its lease, or a repeat): take the lease
   * with `begin` and run the turn again. `now` is kept for stores that judge a lease by its time.
   */
  commitIfCurrent(state: ConversationState, reply: LastReply, now: Date): Promise<boolean>;
  /**
   * A notice with numbered choices (a broadcast) reached these chats at `at`. Inside a flow a bare number answers
   * the notice only when it came after the flow's last turn; so a turn on a remembered state older than `at` must
   * not be written by `commitIfCurrent` (which runs without the replies that decide this), and takes the long way.
   * Chats without a conversation are left alone (a number there is no flow's answer anyway).
   */
  noticeSent(chats: readonly { channel: string; userId: string }[], at: Date): Promise<void>;
  /**
   * The stored conversation (null for none) and whether a turn holds its lease, in one read, taking nothing: for a
   * message answered outside any turn (HandleInboundDeps.outsideTurn), which only needs to know where the chat is.
   */
  peek(channel: string, userId: string, now: Date): Promise<{ state: ConversationState | null; busy: boolean }>;
  /** The last handled message's replies, and whether a turn holds the lease right now. */
  lastReply(channel: string, userId: string, now: Date): Promise<{ last: LastReply | null; busy: boolean }>;
  /** Give the lease back without writing (the turn failed). */
  release(channel: string, userId: string, owner: string): Promise<void>;
  /**
   * Remove conversations idle since before `cutoff` (data kept no longer than needed); answers where each one was
   * waiting, so the funnel can count the users who never came back.
   */
  deleteIdleSince(cutoff: Date): Promise<ExpiredConversation[]>;
}
