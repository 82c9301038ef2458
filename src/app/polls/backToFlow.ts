import { reaskQuestion } from '../../engine/reaskQuestion.ts';
import type { FlowRegistry } from '../../engine/flow/registry.ts';
import type { ChannelCapabilities, ConversationState, OutboundMessage, Translator } from '../../engine/types.ts';
import type { RegionNode } from '../../domain/regions/regions.ts';

export interface BackToFlowDeps {
  flows: FlowRegistry;
  translator: Translator;
  regions: RegionNode[];
  defaultLocale: string;
  sessionTimeoutMs: number;
  capabilities(channel: string): ChannelCapabilities;
}

/**
 * PollDeps.backToFlow: after a poll taken in the middle of a flow (测评 <code> at registration's ID-number
 * question), "back to 「注册」" and that question again, in the chat's language, with the answers so far kept —
 * the poll's replies had left the user without it. Built from the state alone, outside any engine turn, so the
 * funnels do not count the question a second time and nothing of the poll reaches the conversation.
 */
export function createBackToFlow(deps: BackToFlowDeps): (state: ConversationState, channel: string, now: Date) => OutboundMessage[] {
  return (state, channel, now) =>
    reaskQuestion(
      deps.flows,
      state,
      { now, translator: deps.translator, defaultLocale: deps.defaultLocale, sessionTimeoutMs: deps.sessionTimeoutMs, capabilities: deps.capabilities(channel), data: { regions: deps.regions } },
      'polls:backToFlow',
    );
}
