/**
 * Results kept for a short while per key, computed once for concurrent callers: the dashboard's and the counts
 * report's aggregates over a whole province take longer than a page may wait on the embedded database (see
 * `npm run bench:console`), and numbers a few seconds old are fine on a 工作台.
 */
export function recent<T>(ttlMs: number, now: () => number = () => performance.now()) {
  const kept = new Map<string, { at: number; value: Promise<T> }>();
  return (key: string, compute: () => Promise<T>): Promise<T> => {
    const hit = kept.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = compute();
    kept.set(key, { at: now(), value });
    // A failure is not kept: the next caller tries again.
    value.catch(() => kept.get(key)?.value === value && kept.delete(key));
    if (kept.size > 1000) kept.delete(kept.keys().next().value!);
    return value;
  };
}
