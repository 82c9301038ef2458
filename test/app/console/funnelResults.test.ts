/** The console service's funnels (src/app/console/consoleService.ts): one read of the counters per query and TTL. */
import { describe, expect, it } from 'vitest';
import { createConsoleService } from '../../../src/app/console/consoleService.ts';
import type { ConsoleDeps } from '../../../src/app/console/deps.ts';
import type { FunnelCounterStore } from '../../../src/app/ports/funnel.ts';
import { content } from '../../support/engineHarness.ts';
import { memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';

function service(aggregatesTtlMs: number) {
  const reads: string[] = [];
  let flushes = 0;
  const funnelCounters: FunnelCounterStore = {
    add: async () => undefined,
    read: async (flowId, flowVersion, from, to) => {
      reads.push(`${flowId}|${from}|${to}`);
      return [{ flowId, flowVersion, day: from, stepId: 'name', reached: 3, answered: 2, retries: 1, gaveUp: 1, timedOut: 0, durations: {} }];
    },
    versions: async () => [{ flowId: 'registration', flowVersion: content().flows.current('registration').version }],
  };
  const deps = { ...memoryCertificationDeps().deps, funnelCounters, flushFunnel: async () => void flushes++, flows: content().flows } as unknown as ConsoleDeps;
  return { console: createConsoleService(deps, { aggregatesTtlMs }), reads, flushes: () => flushes };
}

describe('console funnels', () => {
  it('regression: every dashboard load summed the funnel counters of its 30 days again', async () => {
    const s = service(30_000);
    const q = { flow: 'registration', from: '2026-03-01', to: '2026-03-30', lang: 'zh-CN' as const };
    const [a, b] = await Promise.all([s.console.funnels(q), s.console.funnels(q)]);
    const c = await s.console.funnels({ ...q });
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(a.ok && a.value.steps.find((x) => x.stepId === 'name')).toMatchObject({ reached: 3, answered: 2, retries: 1, gaveUp: 1 });
    expect(s.reads).toEqual(['registration|2026-03-01|2026-03-30']);
    expect(s.flushes()).toBe(1);
    // Another range or language is another result.
    await s.console.funnels({ ...q, from: '2026-03-02' });
    const en = await s.console.funnels({ ...q, lang: 'en' });
    expect(s.reads).toHaveLength(3);
    expect(en.ok && en.value.steps[0]!.label).not.toBe(a.ok && a.value.steps[0]!.label);
  });

  it('reads (and flushes) on every call when the aggregates are not kept', async () => {
    const s = service(0);
    const q = { flow: 'registration', from: '2026-03-01', to: '2026-03-30', lang: 'zh-CN' as const };
    await s.console.funnels(q);
    await s.console.funnels(q);
    expect([s.reads.length, s.flushes()]).toEqual([2, 2]);
  });
});
