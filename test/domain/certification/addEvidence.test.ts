/** The pipeline's addEvidence command: photos after submitting, by the worker, on an open or returned application. */
import { describe, expect, it } from 'vitest';
import { applyAction, MAX_EVIDENCE } from '../../../src/domain/certification/pipeline.ts';
import { evidenceTimeline } from '../../../src/domain/certification/evidenceTimeline.ts';
import { sampleApplication } from '../../support/certificationSamples.ts';
import { content } from '../../support/engineHarness.ts';

const policy = content().policies.get('jiangsu')!;
const worker = { kind: 'worker' as const, id: 'w1' };
const at = new Date('2026-03-02T02:00:00Z');

describe('addEvidence', () => {
  it('appends the photo with an event of its own, same stage and status, and no push', () => {
    const r = applyAction(sampleApplication({ evidence: ['sim-media:a'], status: 'returned' }), policy, { type: 'addEvidence', ref: 'sim-media:b' }, worker, at);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.app).toMatchObject({ evidence: ['sim-media:a', 'sim-media:b'], status: 'returned', stage: 'declaration', version: 2 });
    expect(r.app.history.at(-1)).toMatchObject({ action: 'addEvidence', at: at.toISOString(), fromStatus: 'returned', toStatus: 'returned', data: { index: 1 } });
    expect(r.effects).toEqual([]);
    expect(evidenceTimeline(r.app).map((e) => [e.came, e.status])).toEqual([
      ['declaration', 'open'],
      ['added', 'returned'],
    ]);
  });

  it('refuses an admin, another worker, a closed application, a bad or repeated reference, and a full list', () => {
    const app = sampleApplication({ evidence: ['sim-media:a'] });
    const code = (r: ReturnType<typeof applyAction>) => (r.ok ? 'ok' : r.error.code);
    expect(code(applyAction(app, policy, { type: 'addEvidence', ref: 'sim-media:b' }, { kind: 'admin', id: 'a', name: 'x' }, at))).toBe('forbiddenActor');
    expect(code(applyAction(app, policy, { type: 'addEvidence', ref: 'sim-media:b' }, { kind: 'worker', id: 'w2' }, at))).toBe('forbiddenActor');
    expect(code(applyAction({ ...app, status: 'certified' }, policy, { type: 'addEvidence', ref: 'sim-media:b' }, worker, at))).toBe('closed');
    expect(code(applyAction(app, policy, { type: 'addEvidence', ref: 'no scheme' }, worker, at))).toBe('invalid');
    expect(code(applyAction(app, policy, { type: 'addEvidence', ref: 'sim-media:a' }, worker, at))).toBe('invalid');
    const full = { ...app, evidence: Array.from({ length: MAX_EVIDENCE }, (_, i) => `sim-media:${i}`) };
    expect(code(applyAction(full, policy, { type: 'addEvidence', ref: 'sim-media:new' }, worker, at))).toBe('invalid');
  });
});
