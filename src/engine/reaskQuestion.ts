import { flowTitle } from './driver.ts';
import type { FlowRegistry } from './flow/registry.ts';
import { MENU_FLOW, reprompt, resumeChoices } from './runTurn.ts';
import { cloneState } from './state.ts';
import { Turn } from './turn.ts';
import type { ConversationState, OutboundMessage, TurnContext } from './types.ts';

/**
 * The messages that bring a user back to the question their flow waits at, after something outside the flows
 * answered them in between (a satisfaction poll taken halfway through registration): where they were (`introKey`,
 * given the flow's `title`) and the step's own question or summary, in their language — what a parked flow says
 * when it resumes. The state is only read: nothing is asked anew, so the funnels count nothing and the answers so
 * far stay as they are. Empty when there is nothing to come back to: no flow, the menu with nothing chosen (park
 * keeps no such flow either), a flow version no longer loaded or a step that does not wait (the next turn
 * migrates or re-enters it), or a conversation idle past the session timeout (the next message gets the engine's
 * welcome back, which needs a turn to remember its offer).
 */
export function reaskQuestion(flows: FlowRegistry, state: ConversationState, ctx: TurnContext, introKey = 'common:resumed'): OutboundMessage[] {
  if (!state.flowId || !state.stepId) return [];
  if (state.flowId === MENU_FLOW && state.history.length === 0) return [];
  if (ctx.now.getTime() - Date.parse(state.updatedAt) > ctx.sessionTimeoutMs) return [];
  const turn = new Turn(flows, cloneState(state), ctx);
  const flow = turn.flowOrNull();
  const step = flow?.stepsById.get(state.stepId);
  if (!flow || !step || (step.kind !== 'ask' && step.kind !== 'summary')) return [];
  const title = flowTitle(turn, flow.id);
  // The welcome-back offer was what the chat waited at: it is what the next message answers, so it is repeated.
  if (state.pending?.kind === 'resume') turn.say(turn.t('common:welcomeBack', { title }), resumeChoices(turn));
  else {
    turn.say(turn.t(introKey, { title }));
    reprompt(turn);
  }
  return turn.outbound;
}
