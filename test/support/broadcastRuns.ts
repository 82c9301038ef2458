import type { AdminApiApp } from './adminApiHarness.ts';

/**
 * Runs the app's due jobs until the broadcast reaches one of `statuses` with nothing pending or in flight; each
 * round waits for the jobs it started, so no wall-clock wait is involved. Returns the broadcast as GET answers it.
 */
// The API's JSON is checked by the callers' assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runBroadcastUntil(t: AdminApiApp, token: string, id: string, statuses: string[] = ['done']): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const b = (await t.api('GET', `/broadcasts/${id}`, token)).body;
    if (statuses.includes(b.status) && b.counts.pending === 0 && b.counts.sending === 0) return b;
    await t.app.scheduler.catchUp(0);
  }
  throw new Error(`broadcast ${id} did not reach ${statuses.join('/')}`);
}
