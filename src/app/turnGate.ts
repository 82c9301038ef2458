import { FixedLimit, type RunningLimit } from './turnLimit.ts';

/** More work arrived than the gate may hold; nothing was started or stored. Channels map it to their "later". */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

export interface TurnGateLimits {
  /** Turns running at once in this process (over all chats); a number, or a limit that adapts (turnLimit.ts). */
  maxRunning: number | RunningLimit;
  /**
   * Tasks of the `outside` lane running at once, apart from `maxRunning`: messages answered outside any
   * conversation turn (no lease, nothing written to the conversation). Their database steps are batched, so more
   * of them at once make bigger batches, not a longer queue at the database. Unset: they share the turns' slots.
   */
  maxRunningOutside?: number;
  /** Turns accepted and not yet started, over all chats; one more is refused with OverloadedError. */
  maxWaiting: number;
  /** Of those, how many one chat may have waiting, so that one flooding chat cannot fill the backlog for all. */
  maxWaitingPerKey: number;
}

/** Which slots a task takes: a conversation turn's, or those of work outside any turn (maxRunningOutside). */
export type GateLane = 'turn' | 'outside';

interface Job {
  lane: GateLane;
  start(): void;
}

/** The gate's clock for run times (a test gives its own). */
export type Now = () => number;

/**
 * Admission for turns under load: each key (a conversation) runs one task at a time in arrival order, at most
 * `maxRunning` run at once, and keys whose next task is ready take the free slots first come, first served. A
 * chat's turn therefore waits behind its own earlier messages and one turn of each chat ahead of it, never
 * behind another chat's whole backlog; and starting fewer turns than arrive keeps the database's queue short,
 * which is what keeps the tail latency down when more arrives than can be served.
 */
export class TurnGate {
  /** Per key: its tasks in order; the head is running or ready. */
  private readonly queues = new Map<string, Job[]>();
  /** Per lane, the keys whose head task (of that lane) waits for a free slot, in the order they became ready. */
  private readonly ready: Record<GateLane, { keys: string[]; head: number; running: number }> = { turn: { keys: [], head: 0, running: 0 }, outside: { keys: [], head: 0, running: 0 } };
  private waitingCount = 0;
  private readonly limit: RunningLimit;

  constructor(
    private readonly limits: TurnGateLimits,
    private readonly now: Now = () => performance.now(),
  ) {
    this.limit = typeof limits.maxRunning === 'number' ? new FixedLimit(limits.maxRunning) : limits.maxRunning;
    if (this.limit.current < 1) throw new Error('TurnGate: maxRunning must be at least 1');
  }

  /** Turns that may run at once now. */
  get maxRunning(): number {
    return this.limit.current;
  }

  get running(): number {
    return this.ready.turn.running + this.ready.outside.running;
  }

  get waiting(): number {
    return this.waitingCount;
  }

  /**
   * Run `task` in `key`'s order, when a slot of its lane is free; rejects with OverloadedError (task not run) when
   * full. A key's tasks keep their order whatever their lanes.
   */
  run<T>(key: string, task: () => Promise<T>, lane: GateLane = 'turn'): Promise<T> {
    const queue = this.queues.get(key);
    if (this.waitingCount >= this.limits.maxWaiting) return Promise.reject(new OverloadedError(`${this.waitingCount} turns are waiting; try again later`));
    // The head of a key's queue is running (or about to); the rest wait.
    if (queue && queue.length > this.limits.maxWaitingPerKey) return Promise.reject(new OverloadedError('this conversation has too many messages waiting; try again later'));
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        lane: lane === 'outside' && this.limits.maxRunningOutside !== undefined ? 'outside' : 'turn',
        start: () => {
          const startedAt = this.now();
          let result: Promise<T>;
          try {
            result = task();
          } catch (err) {
            result = Promise.reject(err);
          }
          result.then(resolve, reject).finally(() => this.finish(key, job.lane, this.now() - startedAt));
        },
      };
      this.waitingCount++;
      if (queue) queue.push(job);
      else {
        this.queues.set(key, [job]);
        this.ready[job.lane].keys.push(key);
      }
      this.pump();
    });
  }

  private pump(): void {
    for (const lane of ['turn', 'outside'] as const) {
      const r = this.ready[lane];
      const max = lane === 'turn' ? this.limit.current : this.limits.maxRunningOutside!;
      while (r.running < max && r.head < r.keys.length) {
        const key = r.keys[r.head++]!;
        const job = this.queues.get(key)![0]!;
        r.running++;
        this.waitingCount--;
        job.start();
      }
      // Drop the consumed prefix now and then rather than shift() per start (O(n) each).
      if (r.head > 1024 && r.head * 2 > r.keys.length) {
        r.keys = r.keys.slice(r.head);
        r.head = 0;
      }
    }
  }

  private finish(key: string, lane: GateLane, runMs: number): void {
    this.ready[lane].running--;
    // In line for a slot: the chats whose next turn is ready (not those behind their own chat's running turn).
    if (lane === 'turn') this.limit.finished(runMs, this.ready.turn.keys.length - this.ready.turn.head);
    const queue = this.queues.get(key)!;
    queue.shift();
    // The key's next message goes to the back of its lane's line, behind the chats that were waiting meanwhile.
    if (queue.length > 0) this.ready[queue[0]!.lane].keys.push(key);
    else this.queues.delete(key);
    this.pump();
  }
}
