/**
 * How many turns the gate (turnGate.ts) lets run at once. Fixed: MAX_RUNNING_TURNS. Adaptive: found by measuring,
 * because the right number depends on where the bottleneck is (the app's one event loop, the database, its disk)
 * and on the machine; past it, more turns at once add no throughput and only lengthen every turn (each waits
 * behind the others' callbacks and database commands), and a turn with several round trips (an action) pays that
 * several times over: the saturated tail.
 */
export interface RunningLimit {
  /** Turns that may run at once now. */
  readonly current: number;
  /** A turn ran for `runMs`; `inLine` turns were waiting for a slot when it finished. */
  finished(runMs: number, inLine: number): void;
}

export class FixedLimit implements RunningLimit {
  constructor(readonly current: number) {}
  finished(): void {}
}

export interface AdaptiveLimitOptions {
  /** The ceiling (MAX_RUNNING_TURNS). */
  max: number;
  /** The floor: enough to keep the database busy while the app works on another turn. Default 2. */
  min?: number;
}

/**
 * TCP Vegas's rule applied to turns. Over each window of turns (as many as the limit, at least 8) the mean run time
 * is compared with the unqueued run time: limit × (1 − unqueued ÷ mean) estimates how many of the running turns
 * are only waiting at the bottleneck. Fewer than ALPHA, and turns were in line: one more slot. More than BETA: one
 * fewer. The unqueued run time is the lowest window mean since the last probe: every PROBE_EVERY windows the limit
 * drops to its floor for one window (after the turns started before it have finished), and that window's mean
 * replaces it. Without the probe a lasting congestion would in time pass for the unqueued state, and a heavier mix
 * of turns (every chat at the step with an action) for congestion for ever.
 */
export class AdaptiveLimit implements RunningLimit {
  private static readonly ALPHA = 2;
  private static readonly BETA = 4;
  private static readonly MIN_WINDOW = 8;
  private static readonly PROBE_EVERY = 32;

  private limit: number;
  private readonly max: number;
  private readonly min: number;
  private lowest = Infinity;
  private sum = 0;
  private count = 0;
  private queued = false;
  private windows = 0;
  /** While probing: completions still to skip (turns started at the old limit), then the probe's window. */
  private probe: { skip: number } | null = null;

  constructor(opts: AdaptiveLimitOptions) {
    this.max = Math.max(1, opts.max);
    this.min = Math.min(this.max, Math.max(1, opts.min ?? 2));
    // Start low and grow: slots are cheap to add and a burst at start-up finds the database cold.
    this.limit = Math.min(this.max, Math.max(this.min, 8));
  }

  get current(): number {
    return this.probe ? this.min : this.limit;
  }

  finished(runMs: number, inLine: number): void {
    if (this.probe && this.probe.skip > 0) {
      this.probe.skip--;
      return;
    }
    this.sum += runMs;
    this.count++;
    if (inLine > 0) this.queued = true;
    if (this.count < Math.max(AdaptiveLimit.MIN_WINDOW, this.probe ? 0 : this.limit)) return;
    const mean = this.sum / this.count;
    const demand = this.queued;
    this.sum = 0;
    this.count = 0;
    this.queued = false;
    if (this.probe) {
      this.probe = null;
      this.lowest = mean;
      return;
    }
    this.lowest = Math.min(this.lowest, mean);
    if (mean > 0) {
      const waitingAtBottleneck = this.limit * (1 - this.lowest / mean);
      if (waitingAtBottleneck > AdaptiveLimit.BETA) this.limit = Math.max(this.min, this.limit - 1);
      else if (waitingAtBottleneck < AdaptiveLimit.ALPHA && demand) this.limit = Math.min(this.max, this.limit + 1);
    }
    // Probe only under load: with nothing in line the turns run unqueued anyway.
    if (++this.windows >= AdaptiveLimit.PROBE_EVERY && demand && this.limit > this.min) {
      this.windows = 0;
      this.probe = { skip: this.limit };
    }
  }
}
