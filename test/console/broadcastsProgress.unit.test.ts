import { describe, expect, it } from 'vitest';
import { availableActions } from '../../console/src/features/broadcasts/actions.ts';
import { dryRunRows, needsApproval, progressOf, reasons, shares, shouldPoll } from '../../console/src/features/broadcasts/progress.ts';
import type { Broadcast, BroadcastStatus, Counts } from '../../console/src/features/broadcasts/types.ts';

const counts = (c: Partial<Counts>): Counts => ({ pending: 0, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0, ...c });

describe('broadcast progress', () => {
  it('settled share: sent, failed and skipped count, pending, sending and unknown do not', () => {
    const v = progressOf({ total: 10, counts: counts({ sent: 3, failed: 1, skipped: 1, pending: 3, sending: 1, unknown: 1 }) });
    expect(v.settled).toBe(5);
    expect(v.percent).toBe(50);
  });

  it('never shows 100% while one recipient of many is still open', () => {
    const v = progressOf({ total: 1000, counts: counts({ sent: 999, pending: 1 }) });
    expect(v.percent).toBe(99);
    expect(progressOf({ total: 1000, counts: counts({ sent: 999, skipped: 1 }) }).percent).toBe(100);
  });

  it('no recipients yet (a draft): 0%, no division by zero', () => {
    const v = progressOf({ total: 0, counts: counts({}) });
    expect(v.percent).toBe(0);
    expect(v.parts.every((p) => p.percent === 0)).toBe(true);
  });

  it('the bar parts add up to exactly 100 when every recipient is counted', () => {
    const v = progressOf({ total: 3, counts: counts({ sent: 1, failed: 1, skipped: 1 }) });
    expect(v.parts.map((p) => p.percent).reduce((a, b) => a + b, 0)).toBe(100);
    expect(v.parts.find((p) => p.state === 'sent')!.percent).toBe(34);
  });

  it('largest remainder: shares of 1/6, 2/6, 3/6 are 17, 33, 50', () => {
    expect(shares([1, 2, 3], 6)).toEqual([17, 33, 50]);
    expect(shares([0, 0], 0)).toEqual([0, 0]);
  });

  it('counters ahead of the total (counted before total was set) still give a sane bar', () => {
    const v = progressOf({ total: 0, counts: counts({ sent: 2, pending: 2 }) });
    expect(v.total).toBe(4);
    expect(v.percent).toBe(50);
  });

  it('reads a record missing a counter as 0', () => {
    const v = progressOf({ total: 2, counts: { sent: 2 } as unknown as Counts });
    expect(v.percent).toBe(100);
    expect(v.parts.find((p) => p.state === 'unknown')!.count).toBe(0);
  });

  it('reasons: largest first, zeros left out', () => {
    expect(reasons({ muted: 2, unreachable: 5, blocked: 0, expired: 2 })).toEqual([
      { reason: 'unreachable', count: 5 },
      { reason: 'expired', count: 2 },
      { reason: 'muted', count: 2 },
    ]);
    expect(reasons(undefined)).toEqual([]);
  });

  it('dry run rows: every way of reaching present, reachable = recipients − none', () => {
    const rows = dryRunRows({ total: 7, byChannel: [{ channel: 'wechat-oa', recipients: 7, reachable: { window: 2, template: 3, none: 2 } }], sample: [] });
    expect(rows).toEqual([{ channel: 'wechat-oa', recipients: 7, window: 2, template: 3, subscribe: 0, direct: 0, none: 2, reachable: 5 }]);
  });

  it('approval is needed only above the threshold, and not predicted without one', () => {
    expect(needsApproval(500, 500)).toBe(false);
    expect(needsApproval(501, 500)).toBe(true);
    expect(needsApproval(10_000, undefined)).toBe(false);
  });
});

describe('broadcast polling rules', () => {
  const b = (status: BroadcastStatus, c: Partial<Counts> = {}) => ({ status, counts: counts(c) });

  it.each(['sending', 'scheduled', 'awaitingApproval'] as const)('keeps asking while %s', (status) => {
    expect(shouldPoll(b(status))).toBe(true);
  });

  it.each(['draft', 'done', 'cancelled', 'expired'] as const)('stops when %s', (status) => {
    expect(shouldPoll(b(status, { sending: 3 }))).toBe(false);
  });

  it('paused: keeps asking only while sends handed to a platform are still coming back', () => {
    expect(shouldPoll(b('paused', { sending: 2, pending: 10 }))).toBe(true);
    expect(shouldPoll(b('paused', { sending: 0, pending: 10 }))).toBe(false);
  });
});

describe('broadcast actions offered', () => {
  const me = { id: 'a1', name: '王' };
  const other = { id: 'a2', name: '李' };
  const b = (status: BroadcastStatus, over: Partial<Broadcast> = {}) => ({ status, createdBy: me, counts: counts({}), inFlight: 'hold' as const, ...over });

  it('a draft can be edited, tried and sent', () => {
    expect(availableActions(b('draft'), 'a1')).toEqual(['edit', 'dryRun', 'testSend', 'send', 'cancel']);
  });

  it('the creator is not offered approval; another admin is', () => {
    expect(availableActions(b('awaitingApproval'), 'a1')).not.toContain('approve');
    expect(availableActions(b('awaitingApproval', { createdBy: other }), 'a1')).toContain('approve');
  });

  it('sending can be paused, paused resumed, finished ones nothing', () => {
    expect(availableActions(b('sending'), 'a1')).toEqual(['pause', 'cancel']);
    expect(availableActions(b('paused'), 'a1')).toEqual(['resume', 'cancel']);
    expect(availableActions(b('done'), 'a1')).toEqual([]);
  });

  it('unknown sends are offered for a decision, also after the broadcast is done', () => {
    expect(availableActions(b('done', { counts: counts({ unknown: 2 }) }), 'a1')).toEqual(['decideUnknown']);
    expect(availableActions(b('cancelled', { counts: counts({ unknown: 2 }) }), 'a1')).toEqual([]);
  });
});
