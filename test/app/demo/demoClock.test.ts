import { describe, expect, it } from 'vitest';
import { createDemoClock, MAX_ADVANCE_MS, moveDemoClock } from '../../../src/app/demo/demoClock.ts';
import type { AdminRecord } from '../../../src/app/ports/certification.ts';
import type { Scheduler } from '../../../src/app/ports/scheduler.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { recordingScheduler } from '../../support/memoryCertificationDeps.ts';
import { createMemoryAuditLog } from '../../support/memoryCertificationStores.ts';
import { TestClock } from '../../support/testClock.ts';

const admin = { id: 'a1', name: '南京市两新工委', regionCode: '320100', levels: [], createdAt: '2026-01-01T00:00:00.000Z' } as unknown as AdminRecord;

function setup() {
  const base = new TestClock(new Date('2026-03-01T02:00:00Z'));
  const clock = createDemoClock(base);
  const audit = createMemoryAuditLog();
  const caughtUp: number[] = [];
  const scheduler: Scheduler = { ...recordingScheduler().scheduler, catchUp: async (ms) => void caughtUp.push(ms) };
  return { base, clock, audit, caughtUp, move: moveDemoClock({ clock, scheduler, audit, logger: createLogger('silent') }) };
}

describe('the demo clock', () => {
  it('is its base clock plus what it was moved, and only moves forward', () => {
    const { base, clock } = setup();
    clock.advance(86_400_000);
    base.advance(60_000);
    expect(clock.now()).toEqual(new Date('2026-03-02T02:01:00Z'));
    expect(() => clock.advance(-1)).toThrow(/forward/);
    expect(() => clock.advance(0)).toThrow(/forward/);
    expect(clock.now()).toEqual(new Date('2026-03-02T02:01:00Z'));
  });

  it('moves, has the scheduler catch up by the same amount, audits the move and answers the new time', async () => {
    const t = setup();
    expect(await t.move(admin, 8 * 86_400_000)).toEqual({ now: new Date('2026-03-09T02:00:00Z') });
    expect(t.caughtUp).toEqual([8 * 86_400_000]);
    expect(await t.audit.list({ target: 'clock' }, 10)).toEqual([
      { at: '2026-03-09T02:00:00.000Z', adminId: 'a1', action: 'demo.clock', target: 'clock', outcome: 'done', detail: { from: '2026-03-01T02:00:00.000Z', to: '2026-03-09T02:00:00.000Z', advanceMs: 8 * 86_400_000 } },
    ]);
  });

  it('refuses a move backwards, of nothing, fractional or too far, and changes nothing', async () => {
    const t = setup();
    for (const ms of [-1, 0, 0.5, MAX_ADVANCE_MS + 1, Number.NaN]) await expect(t.move(admin, ms)).rejects.toThrow(RangeError);
    expect(t.clock.now()).toEqual(new Date('2026-03-01T02:00:00Z'));
    expect(t.caughtUp).toEqual([]);
    expect(await t.audit.list({}, 10)).toEqual([]);
  });
});
