import { chinaDate } from '../../domain/dates/parseDate.ts';
import { addCounts, zeroCounts } from '../../domain/funnel/counts.ts';
import { durationBucket } from '../../domain/funnel/durations.ts';
import { funnelEvents } from '../../engine/funnelEvents.ts';
import type { Logger } from '../../infra/logger.ts';
import type { FunnelCounterStore, FunnelCounts, FunnelKey, FunnelRecorder, FunnelTurn } from '../ports/funnel.ts';

export interface FunnelRecorderHandle extends FunnelRecorder {
  /** Writes what was counted so far (one upsert per key); concurrent calls share one write. */
  flush(): Promise<void>;
  /** Stops the timer and writes the rest (at shutdown). */
  stop(): Promise<void>;
}

type Delta = FunnelKey & FunnelCounts;

const FIELD = { reached: 'reached', answered: 'answered', retry: 'retries', gaveUp: 'gaveUp', timedOut: 'timedOut' } as const;

/**
 * Funnel counters kept in memory and written every `flushEveryMs` with one `$inc` upsert per (flow, version, day,
 * step): a message costs a few map updates, never a database round trip. A failed write puts its counts back
 * for the next flush; what is in memory when the process dies unannounced is lost (counters, not records).
 */
export function createFunnelRecorder(deps: { store: FunnelCounterStore; sessionTimeoutMs: number; flushEveryMs: number; logger: Logger }): FunnelRecorderHandle {
  let pending = new Map<string, Delta>();
  let writing: Promise<void> | null = null;

  const timer = setInterval(() => void flush(), deps.flushEveryMs);
  timer.unref();

  function deltaOf(key: FunnelKey): Delta {
    const id = `${key.flowId}\u0000${key.flowVersion}\u0000${key.day}\u0000${key.stepId}`;
    let d = pending.get(id);
    if (!d) {
      d = { ...key, ...zeroCounts() };
      pending.set(id, d);
    }
    return d;
  }

  /** Adds counts that could not be written back into what is pending. */
  function restore(batch: Iterable<Delta>) {
    for (const d of batch) addCounts(deltaOf(d), d);
  }

  async function flush(): Promise<void> {
    // One write at a time; a flush asked for during a write waits for it and then writes what came meanwhile.
    while (writing) await writing;
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    writing = deps.store.add([...batch.values()]).then(
      () => undefined,
      (err: unknown) => {
        deps.logger.warn({ err, keys: batch.size }, 'could not write funnel counters; kept for the next flush');
        restore(batch.values());
      },
    );
    try {
      await writing;
    } finally {
      writing = null;
    }
  }

  return {
    turn(t: FunnelTurn) {
      try {
        const events = funnelEvents(t.before, t.after, t.now, deps.sessionTimeoutMs);
        if (events.length === 0) return;
        const day = chinaDate(t.now);
        for (const e of events) {
          const d = deltaOf({ flowId: e.flowId, flowVersion: e.flowVersion, day, stepId: e.stepId });
          d[FIELD[e.kind]] += 1;
          if (e.ms !== undefined) {
            const b = String(durationBucket(e.ms));
            d.durations[b] = (d.durations[b] ?? 0) + 1;
          }
        }
      } catch (err) {
        // Counting must never cost a user their reply.
        deps.logger.warn({ err }, 'funnel events not counted');
      }
    },
    expired(c) {
      deltaOf({ flowId: c.flowId, flowVersion: c.flowVersion, day: chinaDate(c.idleSince), stepId: c.stepId }).timedOut += 1;
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
