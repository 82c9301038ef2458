import type { OutboundMessage } from '../../engine/types.ts';
import type { InboundMessage, OutsideTurn } from '../handleInbound.ts';
import type { ConversationStore } from '../ports/conversationStore.ts';
import { isOneMessageAnswer, type PollChat } from './respondentChat.ts';

/**
 * The one-message answer (`测评 <code> 1 2 意见`) answered outside any conversation turn (HandleInboundDeps.outsideTurn):
 * the turn's lease and its commit were two of the seven database operations of an answer, and neither is needed.
 * The answer is idempotent by itself — the code goes unused → pending → used under its own guards, so the same
 * message again (a redelivery, a second tap) is told "already recorded" and counts nothing — and it leaves the
 * conversation as it was, so there is nothing to write, nor a lease to serialise it with the chat's other turns.
 * What it needs of the chat is its language and whether a poll session is open (then the turn runs as before, to
 * end it): from the state this instance wrote last, or one read, which takes nothing. A chat whose lease is held
 * right now (a turn running elsewhere) takes the turn too, behind it. A respondent who never talked to the bot
 * before leaves no conversation at all.
 */
export function createPollOutsideTurn(chat: PollChat, conversations: Pick<ConversationStore, 'known' | 'peek'>, defaultLocale: string): OutsideTurn {
  return Object.assign(pollOutsideTurn, { mayAnswer: isOneMessageAnswer });
  async function pollOutsideTurn(msg: InboundMessage, now: Date): Promise<OutboundMessage[] | null> {
    // No I/O for anything that is not the form: every other message of every chat passes by at the cost of a regex.
    if (!isOneMessageAnswer(msg)) return null;
    let state = conversations.known(msg.channel, msg.userId);
    if (!state) {
      const peeked = await conversations.peek(msg.channel, msg.userId, now);
      if (peeked.busy) return null;
      state = peeked.state;
    }
    return chat.outsideTurn(msg, state, defaultLocale, now);
  }
}
