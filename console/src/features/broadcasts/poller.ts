/**
 * Asks again every few seconds while `keepGoing` says the record may still change, and stops for good on stop()
 * (the page was left). One request at a time: the next one is timed from the end of the last, so a slow server
 * is never asked twice at once. After `maxFailures` failures in a row it gives up and says so; start() again
 * (a retry button) resumes.
 */
export interface PollerOptions<T> {
  load(): Promise<T>;
  keepGoing(value: T): boolean;
  intervalMs: number;
  maxFailures?: number;
  onValue?(value: T): void;
  onGiveUp?(error: unknown): void;
  timers?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
}

export interface Poller {
  /** Loads now and keeps going while the rules allow. */
  start(): void;
  stop(): void;
  readonly running: boolean;
}

export function createPoller<T>(options: PollerOptions<T>): Poller {
  const timers = options.timers ?? { set: (fn: () => void, ms: number) => setTimeout(fn, ms), clear: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  const maxFailures = options.maxFailures ?? 3;
  let handle: unknown;
  let generation = 0;
  let running = false;
  let failures = 0;

  async function tick(mine: number): Promise<void> {
    handle = undefined;
    let again = false;
    try {
      const value = await options.load();
      if (mine !== generation) return;
      failures = 0;
      options.onValue?.(value);
      again = options.keepGoing(value);
    } catch (error) {
      if (mine !== generation) return;
      failures += 1;
      again = failures < maxFailures;
      if (!again) options.onGiveUp?.(error);
    }
    if (again) handle = timers.set(() => void tick(mine), options.intervalMs);
    else running = false;
  }

  return {
    start() {
      if (handle !== undefined) timers.clear(handle);
      generation += 1;
      failures = 0;
      running = true;
      void tick(generation);
    },
    stop() {
      generation += 1;
      running = false;
      if (handle !== undefined) timers.clear(handle);
      handle = undefined;
    },
    get running() {
      return running;
    },
  };
}
