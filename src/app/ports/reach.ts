import { ownValue } from '../../domain/records/ownValue.ts';

/** Why the bot wants to reach a user on its own; channels may answer differently per purpose. */
export type ReachPurpose = 'notice' | 'reminder' | 'broadcast';

/**
 * How a message the bot sends on its own would arrive: inside WeChat's customer-service window, as a template
 * message, with a mini program subscribe grant, or straight (Telegram, the simulator, the terminal chat).
 */
export type ReachHow = 'window' | 'template' | 'subscribe' | 'direct';

export type ReachRefusal =
  /** WeChat's 48-hour window is closed and there is no template to fall back on. */
  | 'windowClosed'
  /** The window is open but its customer-service quota is spent, or no subscribe grant is left. */
  | 'quotaExhausted'
  /** The user blocked the bot (Telegram 403). */
  | 'blocked'
  /** The user unfollowed the account. */
  | 'unsubscribed'
  /** The channel has never heard of this user. */
  | 'unknownUser'
  /** The terminal chat is not attached to this user now. */
  | 'notConnected'
  /** No channel of that id is enabled. */
  | 'noChannel';

export type ReachAnswer = { reachable: true; how: ReachHow } | { reachable: false; reason: ReachRefusal };

/**
 * "Can I reach this user now, and how": what reminders and broadcasts ask before sending, from the state each
 * channel already keeps. Never throws for a malformed user id: such a user is unknown.
 */
export interface Reach {
  reach(userId: string, purpose: ReachPurpose): Promise<ReachAnswer>;
}

/** The same question across channels, by channel id. Looked up at ask time (channels are added at start-up). */
export function reachByChannel(reaches: Record<string, Reach>): (channel: string, userId: string, purpose: ReachPurpose) => Promise<ReachAnswer> {
  return async (channel, userId, purpose) => {
    const reach = ownValue(reaches, channel);
    return reach ? reach.reach(userId, purpose) : { reachable: false, reason: 'noChannel' };
  };
}
