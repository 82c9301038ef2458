import type { OutboundMessage } from '../../engine/types.ts';

export type InboundBegin =
  | { kind: 'new' }
  /** Seen and answered before: the same replies go out again (a platform retry still gets its answer). */
  | { kind: 'done'; replies: OutboundMessage[] }
  /** Seen and still being processed by another request. */
  | { kind: 'processing' };

/** Inbound message ids seen recently, so a redelivered message runs its turn once. */
export interface InboundLog {
  begin(channel: string, messageId: string, now: Date): Promise<InboundBegin>;
  complete(channel: string, messageId: string, replies: OutboundMessage[]): Promise<void>;
  /** Forget a message whose turn failed, so a redelivery can try again. */
  abandon(channel: string, messageId: string): Promise<void>;
  peek(channel: string, messageId: string): Promise<InboundBegin>;
  purgeOlderThan(cutoff: Date): Promise<number>;
}
