import type { Actor, Application, Certificate } from '../../src/domain/certification/types.ts';

/**
 * Sample certification records for tests and benchmarks: a valid application at its first stage and a valid
 * certificate, each with any field replaced. Times are minutes after 2026-03-01T02:00Z (`iso`).
 */

const T0 = Date.parse('2026-03-01T02:00:00.000Z');
export const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const SYSTEM: Actor = { kind: 'system', id: 'noticeJob' };

export function sampleApplication(over: Partial<Application> = {}): Application {
  const id = over.id ?? 'app1';
  const workerId = over.workerId ?? 'w1';
  const createdAt = over.createdAt ?? iso(0);
  return {
    id,
    workerId,
    channel: 'sim',
    userId: 'u1',
    policyId: 'jiangsu',
    regionCode: '320102',
    level: 'junior',
    wayIn: 'self',
    declared: { yearsInRole: 3, commended: false, examPassed: true },
    evidence: [],
    stage: 'declaration',
    status: 'open',
    testScore: null,
    satisfaction: null,
    objections: [],
    noticeStartedAt: null,
    noticeEndsAt: null,
    certificateNumber: null,
    history: [{ at: createdAt, actor: { kind: 'worker', id: workerId }, action: 'submit', fromStage: null, toStage: 'declaration', fromStatus: null, toStatus: 'open' }],
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...over,
  };
}

export function sampleCertificateInput(over: Partial<Omit<Certificate, 'number'>> = {}): Omit<Certificate, 'number'> {
  return {
    applicationId: 'app1',
    workerId: 'w1',
    policyId: 'jiangsu',
    level: 'junior',
    regionCode: '320102',
    scope: 'city',
    scopeRegionCode: '320100',
    issuedOn: '2026-04-01',
    validUntil: '2029-03-31',
    status: 'valid',
    statusHistory: [{ at: '2026-04-01T00:00:00.000Z', status: 'valid', reason: 'issued', actor: SYSTEM }],
    ...over,
  };
}
