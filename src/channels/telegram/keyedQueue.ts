/**
 * Work for one key (a chat) runs one item at a time, in arrival order; different keys run side by side. The
 * number of items waiting across all keys is bounded, so a flood turns into refusals (the webhook answers 503
 * and Telegram delivers again later) instead of unbounded memory.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private pendingCount = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly maxPending: number,
    private readonly onError: (err: unknown, key: string) => void,
  ) {}

  /** Items accepted and not yet finished. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Queue `task` behind the key's earlier tasks; false (and nothing queued) when the queue is full. */
  push(key: string, task: () => Promise<void>): boolean {
    if (this.pendingCount >= this.maxPending) return false;
    this.pendingCount++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(task).catch((err: unknown) => this.onError(err, key));
    const tail = run.finally(() => {
      this.pendingCount--;
      // Only the last item of a key removes the key, so the map holds busy chats only.
      if (this.tails.get(key) === tail) this.tails.delete(key);
      if (this.pendingCount === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    this.tails.set(key, tail);
    return true;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
