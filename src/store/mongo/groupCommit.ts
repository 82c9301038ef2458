/**
 * Group commit: `flush` gets the items handed in as batches, at most `parallel` batches in flight; an item that
 * comes while they are all under way waits for one to end and goes into the next batch. At low load each item is
 * a batch of its own, sent at once (nothing waits for a timer); under load a batch takes what gathered during the
 * previous round trips, so many requests' reads or writes of one kind cost the database one operation. (DataLoader
 * batches what is asked within one event-loop tick, which the messages of many HTTP connections, each read in its
 * own I/O callback, seldom share.) `flush` answers one result per item, in order; if it throws, every item of the
 * batch gets the error.
 */
export function groupCommit<T, R>(flush: (items: T[]) => Promise<R[]>, opts: { parallel?: number; maxBatch?: number } = {}): (item: T) => Promise<R> {
  const parallel = opts.parallel ?? 2;
  const maxBatch = opts.maxBatch ?? 200;
  const waiting: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let running = 0;

  async function drain(): Promise<void> {
    running++;
    try {
      while (waiting.length) {
        const batch = waiting.splice(0, maxBatch);
        try {
          const results = await flush(batch.map((w) => w.item));
          batch.forEach((w, i) => w.resolve(results[i]!));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      running--;
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (running < parallel) void drain();
    });
}
