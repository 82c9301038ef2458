/**
 * Inbound message ids seen recently (unique per channel and id, expiring), so a redelivered message runs its
 * turn once. The replies of a turn are kept with the conversation (ConversationStore.lastReply), written in the
 * same update as the new state, so remembering an id costs one insert and nothing more.
 */
export interface InboundLog {
  /** Record the id; false when it was recorded before (the message is a repeat). */
  claim(channel: string, messageId: string, now: Date): Promise<boolean>;
  /** Forget a message whose turn failed, so a redelivery can try again. */
  abandon(channel: string, messageId: string): Promise<void>;
  seen(channel: string, messageId: string): Promise<boolean>;
  purgeOlderThan(cutoff: Date): Promise<number>;
}
