/**
 * The separate log of inbound message ids that versions before the one-round-trip dedupe wrote (one insert per
 * message). Turns now record their message in the conversation itself (ConversationStore.begin/commit); this log
 * is kept so the housekeeping job purges what those versions left (MongoDB's TTL index does so too).
 */
export interface InboundLog {
  /** Record the id; false when it was recorded before (the message is a repeat). */
  claim(channel: string, messageId: string, now: Date): Promise<boolean>;
  /** Forget a message whose turn failed, so a redelivery can try again. */
  abandon(channel: string, messageId: string): Promise<void>;
  seen(channel: string, messageId: string): Promise<boolean>;
  purgeOlderThan(cutoff: Date): Promise<number>;
}
