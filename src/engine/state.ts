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

/** States are plain JSON; a structured clone keeps the caller's copy untouched (runTurn never mutates its input). */
export function cloneState(state: ConversationState): ConversationState {
  return structuredClone(state);
}

/** Today's date in China (UTC+8, no daylight saving): the calendar the users live by. */
export function chinaToday(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
