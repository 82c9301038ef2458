import type { ConversationState, Locale } from './types.ts';

export function newConversation(channel: string, userId: string, locale: Locale, now: Date): ConversationState {
  return {
    channel,
    userId,
    flowId: null,
    flowVersion: null,
    stepId: null,
    answers: {},
    vars: {},
    history: [],
    stack: [],
    retries: 0,
    locale,
    pending: null,
    editReturnTo: null,
    parked: null,
    updatedAt: now.toISOString(),
    version: 0,
  };
}

/**
 * The working copy of a turn. runTurn never mutates its input; the engine treats answer values, frames and the
 * parked flow as immutable and only adds to or removes from these containers, so copying the containers is
 * enough (a deep clone was the single largest cost of a turn). Code that moves a container from one place to
 * another (parking, sub-flow frames) copies it there.
 */
export function cloneState(state: ConversationState): ConversationState {
  return { ...state, answers: { ...state.answers }, vars: { ...state.vars }, history: [...state.history], stack: [...state.stack] };
}

