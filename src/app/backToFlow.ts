import { reaskQuestion } from '../engine/reaskQuestion.ts';
import type { FlowRegistry } from '../engine/flow/registry.ts';
import type { ChannelCapabilities, ConversationState, OutboundMessage, Translator } from '../engine/types.ts';
import type { RegionNode } from '../domain/regions/regions.ts';

export interface BackToFlowDeps {
  flows: FlowRegistry;
  translator: Translator;
  regions: RegionNode[];
  defaultLocale: string;
  sessionTimeoutMs: number;
  capabilities(channel: string): ChannelCapabilities;
}

/** After a reply from outside the flows: the messages that bring the chat back to its flow's question. */
export type BackToFlow = (state: ConversationState, channel: string, now: Date) => OutboundMessage[];

/**
 * For whatever answers a chat outside the flows while it is in one — a poll taken at registration's ID-number
 * question (测评 <code>), a broadcast's 报名 typed at 我的信息's question: "back to 「注册」" and that question again,
 * in the chat's language, with the answers so far kept — those replies had left the user without it. Built from
 * the state alone, outside any engine turn, so the funnels do not count the question a second time and nothing
 * of the interruption reaches the conversation.
 */
export function createBackToFlow(deps: BackToFlowDeps): BackToFlow {
  return (state, channel, now) =>
    reaskQuestion(
      deps.flows,
      state,
      { now, translator: deps.translator, defaultLocale: deps.defaultLocale, sessionTimeoutMs: deps.sessionTimeoutMs, capabilities: deps.capabilities(channel), data: { regions: deps.regions } },
      'common:backToFlow',
    );
}
