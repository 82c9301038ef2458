import { ownValue } from '../../domain/records/ownValue.ts';
import type { OutboundMessage } from '../../engine/types.ts';

/** The outcome of one push; permanent failures (blocked, unsubscribed) are recorded on the recipient by the caller. */
export type DeliveryResult = { ok: true } | { ok: false; permanent: boolean; reason: string };

/**
 * Messages the bot sends on its own (notices of an application's progress, reminders), as opposed to replies
 * to a message. One implementation per channel, behind this one port; later reminder and broadcast code uses
 * only this.
 */
export interface Sender {
  send(channel: string, userId: string, messages: OutboundMessage[]): Promise<DeliveryResult>;
}

/** Routes each push to its channel's sender. */
export function senderByChannel(senders: Record<string, Sender>): Sender {
  return {
    async send(channel, userId, messages) {
      const sender = ownValue(senders, channel);
      if (!sender) return { ok: false, permanent: true, reason: `no sender for channel ${channel}` };
      return sender.send(channel, userId, messages);
    },
  };
}
