import { describe, expect, it } from 'vitest';
import { daysInStage, stageEnteredAt } from '../../../src/domain/certification/stageAge.ts';
import { iso, sampleApplication } from '../../support/certificationSamples.ts';

const MIN_PER_DAY = 24 * 60;

describe('days in stage', () => {
  it('counts from the event that moved the application into its stage, not from its last change', () => {
    const app = sampleApplication({
      stage: 'trainingTest',
      history: [
        { at: iso(0), actor: { kind: 'worker', id: 'w1' }, action: 'submit', fromStage: null, toStage: 'declaration', fromStatus: null, toStatus: 'open' },
        { at: iso(MIN_PER_DAY), actor: { kind: 'admin', id: 'a', name: 'A' }, action: 'advance', fromStage: 'declaration', toStage: 'trainingTest', fromStatus: 'open', toStatus: 'open' },
        { at: iso(3 * MIN_PER_DAY), actor: { kind: 'admin', id: 'a', name: 'A' }, action: 'recordScore', fromStage: 'trainingTest', toStage: 'trainingTest', fromStatus: 'open', toStatus: 'open', data: { score: 80 } },
      ],
    });
    expect(stageEnteredAt(app)).toBe(iso(MIN_PER_DAY));
    expect(daysInStage(app, new Date(iso(5 * MIN_PER_DAY - 1)))).toBe(3);
    expect(daysInStage(app, new Date(iso(5 * MIN_PER_DAY)))).toBe(4);
  });

  it('falls back to the creation time without a stage event, and is never negative', () => {
    const app = sampleApplication({ history: [], createdAt: iso(10) });
    expect(stageEnteredAt(app)).toBe(iso(10));
    expect(daysInStage(app, new Date(iso(0)))).toBe(0);
  });
});
