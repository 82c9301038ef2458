import { channel } from 'node:diagnostics_channel';

/**
 * Where one turn's time went, published on a diagnostics channel so that a benchmark or a profiler in the same
 * process can see the phases of each turn (waiting in the gate, running, of which database and actions) without
 * the pipeline knowing who listens. With no subscriber nothing is measured or built.
 */
export interface TurnTiming {
  channel: string;
  userId: string;
  /** From arrival at the gate to the start of the turn (in line behind other turns). */
  queuedMs: number;
  /** From the start of the turn to its replies, the commit included. */
  runMs: number;
  /** Of runMs: awaiting the conversation store (dedupe and lease, commit). */
  storeMs: number;
  /** Of runMs: awaiting actions (their own database work). */
  actionMs: number;
  /** The gate's limit on turns running at once when this turn started (it moves when the limit adapts). */
  limit: number;
  /**
   * 'known': one guarded write on the remembered state; 'lease': dedupe and lease, then commit; 'repeat': a
   * redelivery answered from the record; 'outside': a one-message poll answer, no conversation turn; 'busy',
   * 'failed': answered with those texts; 'overloaded': refused at the gate.
   */
  path: 'known' | 'lease' | 'repeat' | 'outside' | 'busy' | 'failed' | 'overloaded';
}

export const turnTimings = channel('redcollar:turn');

/** The timing of one turn while it is handled; `end` publishes it. */
export class TurnProbe {
  private readonly arrived = performance.now();
  private startedAt = NaN;
  private readonly timing: TurnTiming;

  constructor(channelId: string, userId: string) {
    this.timing = { channel: channelId, userId, queuedMs: 0, runMs: 0, storeMs: 0, actionMs: 0, limit: 0, path: 'failed' };
  }

  start(limit: number): void {
    this.timing.limit = limit;
    this.startedAt = performance.now();
    this.timing.queuedMs = this.startedAt - this.arrived;
  }

  store<T>(pending: Promise<T>): Promise<T> {
    return this.timed('storeMs', pending);
  }

  action<T>(pending: Promise<T>): Promise<T> {
    return this.timed('actionMs', pending);
  }

  private async timed<T>(field: 'storeMs' | 'actionMs', pending: Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await pending;
    } finally {
      this.timing[field] += performance.now() - t;
    }
  }

  end(path: TurnTiming['path']): void {
    const now = performance.now();
    if (Number.isNaN(this.startedAt)) this.timing.queuedMs = now - this.arrived;
    else this.timing.runMs = now - this.startedAt;
    this.timing.path = path;
    turnTimings.publish(this.timing);
  }
}

/** A probe when someone listens, else null (and the pipeline measures nothing). */
export const probeTurn = (channelId: string, userId: string): TurnProbe | null => (turnTimings.hasSubscribers ? new TurnProbe(channelId, userId) : null);
