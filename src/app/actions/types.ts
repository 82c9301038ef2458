import type { AnswerValue, Locale } from '../../engine/types.ts';

export interface ActionContext {
  channel: string;
  userId: string;
  locale: Locale;
  now: Date;
}

/**
 * A named action a flow can call (`kind: action`). Its result goes back into the conversation (`vars.<result>`).
 * Expected outcomes ("this ID is already registered") are results, not errors; a throw means "could not run"
 * and the flow takes its `onError` path.
 */
export type ActionHandler = (args: Record<string, AnswerValue>, ctx: ActionContext) => Promise<AnswerValue>;

export type ActionRegistry = Record<string, ActionHandler>;

export class UnknownActionError extends Error {
  override name = 'UnknownActionError';
}
