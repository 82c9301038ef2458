import { describe, expect, it } from 'vitest';
import { quietWait } from '../../console/src/features/broadcasts/quietWait.ts';
import type { Recipient } from '../../console/src/features/broadcasts/types.ts';

const row = (over: Partial<Recipient>): Recipient => ({ name: '张*', channel: 'telegram', status: 'pending', ...over });

describe('a broadcast held by quiet hours', () => {
  it('says how many wait for the quiet hours and the earliest time they go out', () => {
    const rows = [
      row({ reason: 'quietHours', nextAt: '2026-12-02T00:12:00.000Z' }),
      row({ reason: 'quietHours', nextAt: '2026-12-02T00:03:00.000Z' }),
      row({ reason: 'dailyCap', nextAt: '2026-12-01T23:00:00.000Z' }),
      row({ status: 'sent', reason: 'quietHours', nextAt: '2026-12-01T22:00:00.000Z' }),
    ];
    expect(quietWait(rows)).toEqual({ waiting: 2, from: '2026-12-02T00:03:00.000Z' });
  });

  it('is nothing when no pending recipient waits for quiet hours', () => {
    expect(quietWait([row({ reason: 'dailyCap', nextAt: '2026-12-02T00:00:00.000Z' }), row({ reason: 'quietHours' })])).toBeNull();
    expect(quietWait([])).toBeNull();
  });
});
