import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { TurnTiming } from '../../src/app/turnTimings.ts';
import type { DatabaseTimes } from './databaseTimes.ts';
import type { LoadRun, LoadSample } from './loadTypes.ts';
import { fmt, ms, out, percentile, row, sortNum } from './report.ts';

/**
 * Where a message's latency went (issue 15's saturated tail): the app publishes each turn's phases (queued in the
 * gate, running, of which the conversation store and actions) on the `redcollar:turn` diagnostics channel; the
 * bench joins them with the latencies the load generator (another process) measured, by user (each user has one
 * message in flight), and what is left is outside the turn: the client's socket pool, HTTP, koa, the event loop's
 * backlog and, for Telegram, sending the reply.
 */
export interface PhaseSample {
  totalMs: number;
  queuedMs: number;
  runMs: number;
  storeMs: number;
  actionMs: number;
  outsideMs: number;
  /** Of outsideMs: waiting for a socket of the load generator's own pool. */
  socketWaitMs: number;
  /** Of outsideMs: the generator late in sending it (its own event loop). */
  lateMs: number;
  /** The gate's limit on running turns when the turn started (0: unseen). */
  limit: number;
  /** When the reply arrived (performance.now()), to see stalls over time. */
  doneAt: number;
  path: TurnTiming['path'] | 'unseen';
  pos: number;
}

export class PhaseRecorder {
  /** The database's round trips and own times over each run, when the bench set it up (databaseTimes.ts). */
  database: DatabaseTimes | null = null;
  /** Per user, the timings of its turns not yet joined with a reply, oldest first (one message in flight each). */
  private readonly pending = new Map<string, TurnTiming[]>();
  private readonly onTiming = (message: unknown) => {
    const t = message as TurnTiming;
    const list = this.pending.get(t.userId);
    if (list) list.push({ ...t });
    else this.pending.set(t.userId, [{ ...t }]);
  };
  private loop: IntervalHistogram | undefined;
  private gcPauses: number[] = [];
  private readonly gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.gcPauses.push(e.duration);
  });

  constructor() {
    subscribe('redcollar:turn', this.onTiming);
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /** Forget the timings seen so far (a run starts: the messages of the one before are all answered). */
  reset(): void {
    this.pending.clear();
  }

  /**
   * The load generator's samples of a run (in another process), each joined with its turn's timing: a user's
   * messages are sequential, so its n-th reply belongs to its n-th turn seen here.
   */
  join(samples: LoadSample[]): PhaseSample[] {
    const joined = [...samples].sort((a, b) => a.doneAt - b.doneAt).map((s) => this.take(s));
    this.reset();
    return joined;
  }

  /** The sample of the user's message whose reply arrived at `doneAt`. */
  private take(s: LoadSample): PhaseSample {
    const { userId, latencyMs: totalMs, socketWaitMs, lateMs, pos, doneAt } = s;
    const t = this.pending.get(userId)?.shift();
    if (!t) return { totalMs, queuedMs: 0, runMs: 0, storeMs: 0, actionMs: 0, outsideMs: totalMs, socketWaitMs, lateMs, limit: 0, doneAt, path: 'unseen', pos };
    return { totalMs, queuedMs: t.queuedMs, runMs: t.runMs, storeMs: t.storeMs, actionMs: t.actionMs, outsideMs: Math.max(0, totalMs - t.queuedMs - t.runMs), socketWaitMs, lateMs, limit: t.limit, doneAt, path: t.path, pos };
  }

  /** The app's event-loop delay and Node's GC pauses from now on. */
  watchLoop(): void {
    this.gcPauses = [];
    this.loop?.disable();
    this.loop = monitorEventLoopDelay({ resolution: 5 });
    this.loop.enable();
  }

  loopDelay(): LoopStats {
    const h = this.loop;
    const gc = { count: this.gcPauses.length, totalMs: this.gcPauses.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...this.gcPauses) };
    if (!h) return { p50: NaN, p99: NaN, max: NaN, gc };
    h.disable();
    return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, gc };
  }

  async close(): Promise<void> {
    this.gc.disconnect();
    this.loop?.disable();
    unsubscribe('redcollar:turn', this.onTiming);
    await this.database?.close();
  }
}

export interface LoopStats {
  p50: number;
  p99: number;
  max: number;
  gc: { count: number; totalMs: number; maxMs: number };
}

const PHASES = ['queuedMs', 'runMs', 'storeMs', 'actionMs', 'outsideMs', 'socketWaitMs', 'lateMs'] as const;
const LABEL: Record<(typeof PHASES)[number], string> = {
  queuedMs: 'queued in the gate',
  runMs: 'running (gate slot held)',
  storeMs: '  of it: conversation store',
  actionMs: '  of it: actions',
  outsideMs: 'outside the turn (client pool, HTTP, sending)',
  socketWaitMs: '  of it: waiting for a client socket',
  lateMs: '  of it: the generator late in sending',
};

/** Upper bounds of the latency histogram's buckets, in ms. */
const BUCKETS = [10, 25, 50, 100, 200, 300, 400, 600, 800, 1000, 1500, 2000, Infinity];

/** p50 / p99 of each phase, the phases of the slowest 1 %, the mix of paths, a latency histogram, loop delay. */
export function printPhases(samples: PhaseSample[], loop: LoopStats, generatorLoop?: LoadRun['loop']): void {
  if (samples.length === 0) return;
  const byTotal = [...samples].sort((a, b) => a.totalMs - b.totalMs);
  const tail = byTotal.slice(Math.floor(byTotal.length * 0.99));
  const mean = (xs: PhaseSample[], k: keyof PhaseSample) => xs.reduce((a, x) => a + (x[k] as number), 0) / Math.max(1, xs.length);
  out(`    phase                                         p50        p99   mean of the slowest 1 % (${tail.length} messages, latency ≥ ${ms(tail[0]!.totalMs)})`);
  for (const k of PHASES) {
    const sorted = sortNum(samples.map((s) => s[k]));
    out(`    ${LABEL[k].padEnd(40)} ${ms(percentile(sorted, 50)).padStart(10)} ${ms(percentile(sorted, 99)).padStart(10)}   ${ms(mean(tail, k))}`);
  }
  const paths = new Map<string, number[]>();
  for (const s of samples) (paths.get(s.path) ?? paths.set(s.path, []).get(s.path)!).push(s.runMs);
  row('turn paths (count, running p50 / p99)', '', [...paths.entries()].map(([p, r]) => { const x = sortNum(r); return `${p} ${fmt(r.length)} (${ms(percentile(x, 50))} / ${ms(percentile(x, 99))})`; }).join(', '));
  const tailPos = new Map<number, number>();
  for (const s of tail) tailPos.set(s.pos, (tailPos.get(s.pos) ?? 0) + 1);
  const tailPaths = new Map<string, number>();
  for (const s of tail) tailPaths.set(s.path, (tailPaths.get(s.path) ?? 0) + 1);
  row('script positions of the slowest 1 %', '', `${[...tailPos.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([p, c]) => `#${p} ×${c}`).join(', ')}; paths ${[...tailPaths.entries()].map(([p, c]) => `${p} ×${c}`).join(', ')}`);
  const limits = sortNum(samples.filter((s) => s.limit > 0).map((s) => s.limit));
  if (limits.length) row('gate limit on running turns: min / p50 / max', `${limits[0]} / ${percentile(limits, 50)} / ${limits.at(-1)}`, 'when each turn started');
  const counts = BUCKETS.map(() => 0);
  for (const s of samples) counts[BUCKETS.findIndex((b) => s.totalMs <= b)]!++;
  row('latency histogram (≤ ms: messages)', '', BUCKETS.map((b, i) => (counts[i] ? `${b === Infinity ? '>2000' : b}: ${counts[i]}` : '')).filter(Boolean).join(', '));
  row('event-loop delay p50 / p99', `${ms(loop.p50)} / ${ms(loop.p99)}`, `max ${ms(loop.max)} (the app's loop); Node GC ${fmt(loop.gc.count)} pauses, ${ms(loop.gc.totalMs)} in all, longest ${ms(loop.gc.maxMs)}`);
  if (generatorLoop) row('the generator\'s event-loop delay p50 / p99', `${ms(generatorLoop.p50)} / ${ms(generatorLoop.p99)}`, `max ${ms(generatorLoop.max)} (another process: its delays are in the latencies, outside the turn)`);
  printStalls(samples);
}

/** Replies per 100 ms over the run: a tail made by stalls (everyone late at once) shows as empty windows. */
function printStalls(samples: PhaseSample[]): void {
  const t0 = Math.min(...samples.map((s) => s.doneAt));
  const windows: number[] = [];
  for (const s of samples) {
    const w = Math.floor((s.doneAt - t0) / 100);
    windows[w] = (windows[w] ?? 0) + 1;
  }
  const counts = sortNum(Array.from(windows, (c) => c ?? 0));
  let gap = 0;
  const done = sortNum(samples.map((s) => s.doneAt));
  for (let i = 1; i < done.length; i++) gap = Math.max(gap, done[i]! - done[i - 1]!);
  row('replies per 100 ms: min / p50 / max', `${counts[0]} / ${percentile(counts, 50)} / ${counts.at(-1)}`, `${counts.filter((c) => c === 0).length} empty windows of ${counts.length}; longest gap between replies ${ms(gap)}`);
}
