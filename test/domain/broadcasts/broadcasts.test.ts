import { describe, expect, it } from 'vitest';
import { nextAfterSend } from '../../../src/domain/broadcasts/broadcast.ts';
import { retryDelayMs, transition } from '../../../src/domain/broadcasts/delivery.ts';
import { placeholderProblems } from '../../../src/domain/broadcasts/notice.ts';
import { scopeSegment, segmentSchema, workerQueryOf } from '../../../src/domain/broadcasts/segment.ts';
import { renderNotice } from '../../../src/templates/renderNotice.ts';

describe('segment', () => {
  it('refuses unknown keys and bad values with the field named', () => {
    const r = segmentSchema.safeParse({ region: '32', roles: ['boss'], colour: 'red' });
    expect(r.success).toBe(false);
    const text = JSON.stringify(r.error?.issues);
    expect(text).toContain('roles');
    expect(text).toContain('colour');
    expect(segmentSchema.safeParse({ region: { $ne: null } }).success).toBe(false);
  });

  it('defaults to the admin region and refuses one outside it', () => {
    expect(scopeSegment({}, '3201')).toEqual({ ok: true, segment: { region: '3201' } });
    expect(scopeSegment({ region: '320102' }, '3201')).toMatchObject({ ok: true });
    expect(scopeSegment({ region: '3202' }, '3201')).toMatchObject({ ok: false, message: expect.stringContaining('outside your region') });
    expect(scopeSegment({ region: '32' }, '3201')).toMatchObject({ ok: false });
  });

  it('translates to queries per collection; active means a valid certificate', () => {
    const q = workerQueryOf({ region: '3201', roles: ['secretary'], certificateStatus: ['active', 'valid'], stages: ['trainingTest'], session: { id: 's1', enrolled: false } });
    expect(q).toEqual({
      workers: { regionPrefix: '3201', roles: ['secretary'] },
      certificates: { statuses: ['valid'] },
      applications: { stages: ['trainingTest'] },
      session: { id: 's1', enrolled: false },
    });
  });
});

describe('delivery state machine', () => {
  it('moves pending → sending → sent, retries transient failures until the last attempt, never leaves a final state', () => {
    expect(transition('pending', { type: 'start' })).toEqual({ ok: true, to: 'sending', reason: null });
    expect(transition('sending', { type: 'delivered' })).toEqual({ ok: true, to: 'sent', reason: null });
    expect(transition('sending', { type: 'fail', reason: 'x', permanent: false }, 0, 3)).toMatchObject({ to: 'pending' });
    expect(transition('sending', { type: 'fail', reason: 'x', permanent: false }, 2, 3)).toMatchObject({ to: 'failed' });
    expect(transition('sending', { type: 'fail', reason: 'x', permanent: true }, 0, 3)).toMatchObject({ to: 'failed' });
    expect(transition('sending', { type: 'orphaned' })).toMatchObject({ to: 'unknown' });
    expect(transition('unknown', { type: 'resend' })).toMatchObject({ to: 'pending' });
    expect(transition('unknown', { type: 'drop' })).toMatchObject({ to: 'skipped', reason: 'dropped' });
    for (const s of ['sent', 'failed', 'skipped'] as const) {
      for (const type of ['start', 'delivered', 'orphaned', 'resend', 'drop'] as const) expect(transition(s, { type })).toEqual({ ok: false });
    }
    expect([0, 1, 2, 20].map(retryDelayMs)).toEqual([2_000, 4_000, 8_000, 300_000]);
  });

  it('goes to approval first, then the set time, then sending', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const later = new Date('2026-03-02T00:00:00Z');
    expect(nextAfterSend({ needsApproval: true, sendAt: later }, now)).toBe('awaitingApproval');
    expect(nextAfterSend({ needsApproval: true, approvedBy: { id: 'b', name: 'B' }, sendAt: later }, now)).toBe('scheduled');
    expect(nextAfterSend({ needsApproval: false }, now)).toBe('sending');
  });
});

describe('notice text', () => {
  it('fills the placeholders; a value holding braces cannot capture another placeholder', () => {
    expect(renderNotice('{name}同志：{session}于{startsAt}开始', { name: '张三', session: '培训班', startsAt: '3月10日 09:00' }, 'zh-CN')).toBe('张三同志：培训班于3月10日 09:00开始');
    expect(renderNotice('{name}：{session}', { name: '{session}', session: '培训班' }, 'zh-CN')).toBe('｛session｝：培训班');
  });

  it('names unknown placeholders and session ones without a session', () => {
    expect(placeholderProblems('{name} {nmae}', false)).toEqual([expect.stringContaining('{nmae}')]);
    expect(placeholderProblems('{place}', false)).toEqual(['{place} needs a linked session (sessionId)']);
    expect(placeholderProblems('{name} {place}', true)).toEqual([]);
  });
});
