import type { FunnelCounts } from '../../domain/funnel/counts.ts';
import type { ConversationState, Effect } from '../../engine/types.ts';

export type { FunnelCounts };

/** One turn as the inbound pipeline saw it: the state it started from and what the engine made of it. */
export interface FunnelTurn {
  before: ConversationState;
  after: { state: ConversationState; effects: readonly Effect[] };
  now: Date;
}

/**
 * Per-step funnel counters, fed by the inbound pipeline once per handled message. `turn` must be cheap and never
 * throw or wait: implementations count in memory and write in the background.
 */
export interface FunnelRecorder {
  turn(t: FunnelTurn): void;
  /**
   * A conversation deleted after waiting at a step until it expired: the user never came back, so no turn will
   * count its timeout. Counted on the day it went quiet, beside the day it reached the step.
   */
  expired(c: { flowId: string; flowVersion: number; stepId: string; idleSince: Date }): void;
}

export const noFunnel: FunnelRecorder = { turn() {}, expired() {} };

export interface FunnelKey {
  flowId: string;
  flowVersion: number;
  /** YYYY-MM-DD, China time. */
  day: string;
  stepId: string;
}

export interface FunnelCounterStore {
  /** Adds each delta to its counters (created at zero when missing); one write per key, no read. */
  add(deltas: readonly (FunnelKey & FunnelCounts)[]): Promise<void>;
  /** The counters of one flow version between two days (inclusive), per day and step. */
  read(flowId: string, flowVersion: number, from: string, to: string): Promise<(FunnelKey & FunnelCounts)[]>;
  /** Every (flow, version) with counters, for the console's flow picker. */
  versions(): Promise<{ flowId: string; flowVersion: number }[]>;
}
