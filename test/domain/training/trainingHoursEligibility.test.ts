import { describe, expect, it } from 'vitest';
import { evaluateEligibility } from '../../../src/domain/eligibility/eligibility.ts';
import { factsFromProfile } from '../../../src/domain/eligibility/facts.ts';
import { eligibilityHours } from '../../../src/domain/training/hours.ts';
import { content } from '../../support/engineHarness.ts';

const jiangsu = content().policies.get('jiangsu')!;
const withHours = { ...jiangsu, levels: jiangsu.levels.map((l) => ({ ...l, conditions: { ...l.conditions, minTrainingHours: 16 } })) };
const profile = { birthDate: '1980-06-15', gender: 'male' as const, membership: 'full' as const, education: 'college' as const, professionalTitle: 'none' as const, workStart: '2015-01-01' };
const junior = (trainingHours: number | null) => evaluateEligibility(withHours, factsFromProfile(profile, { trainingHours }), '2026-03-01')[0]!;

describe('hours credited change eligibility', () => {
  it('short of the policy hours the level is not open; credited hours open it', () => {
    const short = junior(eligibilityHours([{ year: 2026, hours: 8 }], 2026));
    expect(short.eligible).toBe(false);
    expect(short.conditions.find((c) => c.condition === 'minTrainingHours')).toMatchObject({ status: 'unmet', required: 16, actual: 8, gap: 8 });
    const enough = junior(eligibilityHours([{ year: 2026, hours: 8 }, { year: 2026, hours: 8 }], 2026));
    expect(enough.eligible).toBe(true);
    expect(enough.conditions.find((c) => c.condition === 'minTrainingHours')?.status).toBe('met');
  });
  it('an unread ledger is pending, not failing', () => {
    expect(junior(null).conditions.find((c) => c.condition === 'minTrainingHours')?.status).toBe('pending');
    expect(junior(null).eligible).toBe(true);
  });
});
