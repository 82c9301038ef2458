/**
 * Waits for `work`, or `ms` at most: 'done' or 'timeout'. The timer is cleared either way, so a stop that waited
 * leaves nothing running behind it. `work`'s rejection is passed on.
 */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([work.then(() => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
