import { describe, expect, it } from 'vitest';
import { createFunnelRecorder } from '../../../src/app/funnels/recorder.ts';
import type { FunnelCounterStore, FunnelCounts, FunnelKey } from '../../../src/app/ports/funnel.ts';
import { newConversation } from '../../../src/engine/index.ts';
import type { ConversationState } from '../../../src/engine/types.ts';
import { createLogger } from '../../../src/infra/logger.ts';

const NOW = new Date('2026-03-01T02:00:00Z');
const at = (stepId: string | null, historyLength = 0): ConversationState => ({
  ...newConversation('sim', 'u1', 'zh-CN', NOW),
  flowId: stepId ? 'registration' : null,
  flowVersion: stepId ? 3 : null,
  stepId,
  history: Array.from({ length: historyLength }, () => ({ flowId: 'registration', stepId: 'x' })),
});

function fakeStore(failTimes = 0) {
  const writes: (FunnelKey & FunnelCounts)[][] = [];
  let failures = failTimes;
  const store: FunnelCounterStore = {
    async add(deltas) {
      if (failures-- > 0) throw new Error('database down');
      writes.push(deltas.map((d) => structuredClone(d)));
    },
    read: async () => [],
    versions: async () => [],
  };
  return { store, writes };
}

describe('the funnel recorder', () => {
  it('adds up the events of many turns in memory and writes one delta per (flow, version, day, step) at a flush', async () => {
    const { store, writes } = fakeStore();
    const rec = createFunnelRecorder({ store, sessionTimeoutMs: 30 * 60_000, flushEveryMs: 60_000, logger: createLogger('silent') });
    for (let i = 0; i < 3; i++) rec.turn({ before: at(null), after: { state: at('name'), effects: [{ type: 'flowStarted', flowId: 'registration' }] }, now: NOW });
    rec.turn({ before: at('name'), after: { state: at('name'), effects: [{ type: 'inputRejected', flowId: 'registration', stepId: 'name', reason: 'x' }] }, now: NOW });
    rec.turn({ before: at('name'), after: { state: at('mobile', 1), effects: [] }, now: NOW });
    expect(writes).toEqual([]);
    await rec.flush();
    expect(writes).toHaveLength(1);
    const byStep = Object.fromEntries(writes[0]!.map((d) => [d.stepId, d]));
    expect(byStep.name).toMatchObject({ flowId: 'registration', flowVersion: 3, day: '2026-03-01', reached: 3, answered: 1, retries: 1, gaveUp: 0, timedOut: 0, durations: { '0': 1 } });
    expect(byStep.mobile).toMatchObject({ reached: 1, answered: 0 });
    await rec.flush();
    expect(writes).toHaveLength(1);
    await rec.stop();
  });

  it('keeps the counts of a failed write for the next flush, and writes what is left at stop', async () => {
    const { store, writes } = fakeStore(1);
    const rec = createFunnelRecorder({ store, sessionTimeoutMs: 30 * 60_000, flushEveryMs: 60_000, logger: createLogger('silent') });
    rec.turn({ before: at(null), after: { state: at('name'), effects: [] }, now: NOW });
    await rec.flush();
    expect(writes).toEqual([]);
    rec.turn({ before: at(null), after: { state: at('name'), effects: [] }, now: NOW });
    await rec.stop();
    expect(writes).toHaveLength(1);
    expect(writes[0]![0]).toMatchObject({ stepId: 'name', reached: 2 });
  });
});
