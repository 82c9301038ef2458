import type { Step } from '../flow/schema.ts';
import type { UserInput } from '../inputs/types.ts';
import type { Turn } from '../turn.ts';
import type { AnswerValue } from '../types.ts';

/**
 * What a step decided; the driver (driver.ts) does it. Executors decide, the driver moves: `next` goes to a step
 * (null ends the flow; `keep` offers the previous answer again), `wait` stops until the user answers, `pause`
 * stops until the app has run an action, `finish` ends the flow (optionally starting another), `call` enters a
 * sub-flow, `cancel` abandons the flow, `done` means the conversation is idle.
 */
export type Outcome =
  | { type: 'next'; target: string | null; keep?: { value: AnswerValue } }
  | { type: 'wait' }
  | { type: 'pause' }
  | { type: 'done' }
  | { type: 'cancel' }
  | { type: 'finish'; startFlow?: string }
  | { type: 'call'; flowId: string };

export interface StepExecutor<S extends Step = Step> {
  /** The engine arrives at the step. */
  enter(step: S, turn: Turn): Outcome;
  /** The user answered while the conversation waits at this step (ask and summary only). */
  receive?(step: S, input: UserInput, turn: Turn): Outcome;
}

export const next = (target: string | null, keep?: { value: AnswerValue }): Outcome =>
  keep ? { type: 'next', target, keep } : { type: 'next', target };
export const WAIT: Outcome = { type: 'wait' };
