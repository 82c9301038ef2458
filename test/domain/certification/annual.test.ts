import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/domain/policy/schema.ts';
import type { Actor, AnnualRecord, AssessmentGrade, Certificate } from '../../../src/domain/certification/types.ts';
import {
  allowanceReport,
  correctedInspectionOutcome,
  effectiveStatus,
  INSPECTION_FAILED_REASON,
  inspectionOutcome,
  statusOn,
} from '../../../src/domain/certification/annual.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';

function policy(id: string, onFail: 'suspend' | 'revoke', allowances: Record<string, number>): Policy {
  const codes: Record<string, string> = { junior: 'C', intermediate: 'Z', senior: 'G', special: 'T' };
  return {
    schema: 1,
    id,
    name: { 'zh-CN': id, en: id },
    regionCode: id === 'jiangsu' ? '320000' : '330482',
    levels: Object.entries(allowances).map(([level, allowanceYuan]) => ({
      id: level,
      name: { 'zh-CN': level, en: level },
      managedBy: 'city' as const,
      upperTiersMayAct: false,
      scope: level === 'special' ? ('province' as const) : ('city' as const),
      code: codes[level] ?? 'X',
      conditions: {},
      relaxations: [],
      allowanceYuan,
    })),
    pipeline: {
      stages: [
        { id: 'declaration', kind: 'declaration', name: { 'zh-CN': '申报', en: 'Declaration' } },
        { id: 'comprehensiveReview', kind: 'comprehensiveReview', name: { 'zh-CN': '评审', en: 'Review' } },
      ],
      testPassMark: 60,
    },
    certificate: { numberFormat: '{region}{year}{level}{seq:05}', validityYears: 3 },
    annualInspection: { onFail },
    satisfaction: { scale: ['yes', 'no'], positive: ['yes'] },
  };
}

const jiangsu = policy('jiangsu', 'suspend', { junior: 2400, intermediate: 4800, senior: 7200, special: 12000 });
const pinghu = policy('pinghu', 'revoke', { junior: 1200, intermediate: 2400, senior: 0 });

const admin: Actor = { kind: 'admin', id: 'a1', name: '王' };
const issuer: Actor = { kind: 'admin', id: 'a0', name: '赵' };

function cert(over: Partial<Certificate> & { number: string }): Certificate {
  return {
    ...sampleCertificateInput({
      applicationId: `app-${over.number}`,
      issuedOn: '2025-03-01',
      validUntil: '2028-02-29',
      statusHistory: [{ at: '2025-03-01T02:00:00.000Z', status: 'valid', reason: 'issued', actor: issuer }],
    }),
    ...over,
  };
}

function record(workerId: string, certificateNumber: string, grade: AssessmentGrade | null, passed: boolean | null = true, year = 2026): AnnualRecord {
  return {
    workerId,
    certificateNumber,
    year,
    inspection: passed === null ? null : { passed, recordedAt: `${year + 1}-01-10T02:00:00.000Z`, by: admin },
    assessment: grade === null ? null : { grade, recordedAt: `${year + 1}-01-15T02:00:00.000Z`, by: admin },
  };
}

const AT = new Date('2026-11-20T03:00:00.000Z');

describe('correctedInspectionOutcome: the restore path', () => {
  /** The certificate after a failed inspection recorded at AT (as the app records it: record and status at once). */
  function failedAt(p: Policy, c: Certificate) {
    const r = inspectionOutcome(p, c, false, admin, AT, '材料未交');
    if (!r.ok) throw new Error(r.error.message);
    return r.certificate;
  }
  const LATER = new Date('2026-11-25T03:00:00.000Z');
  const mistake = { passed: false, recordedAt: AT.toISOString() };

  it.each([
    ['a suspension (jiangsu)', jiangsu, 'suspended', 'suspension lifted'],
    ['a revocation (pinghu)', pinghu, 'revoked', 'revocation lifted'],
  ] as const)('regression: a mistaken failed inspection could not be undone — lifts %s it caused', (_name, p, caused, lifted) => {
    const wrong = failedAt(p, cert({ number: 'N1', policyId: p.id }));
    expect(wrong.status).toBe(caused);
    const r = correctedInspectionOutcome(p, wrong, mistake, true, admin, LATER, '录入错误');
    expect(r).toMatchObject({ ok: true, changed: true, restored: caused, certificate: { status: 'valid' } });
    if (!r.ok) return;
    expect(r.certificate.statusHistory.at(-1)).toEqual({ at: LATER.toISOString(), status: 'valid', reason: `annual inspection corrected to passed; ${lifted}: 录入错误`, actor: admin });
    expect(wrong.statusHistory).toHaveLength(2); // the input is not modified
  });

  it('restores the status before the mistake, and leaves a suspension or revocation the inspection did not cause', () => {
    const otherSuspension = cert({ number: 'N1', policyId: 'pinghu', status: 'suspended', statusHistory: [...cert({ number: 'N1' }).statusHistory, { at: '2026-05-01T00:00:00.000Z', status: 'suspended', reason: 'left party work', actor: admin }] });
    // Pinghu revokes on failure: the mistaken failure turned that suspension into a revocation; the correction undoes only that.
    const r = correctedInspectionOutcome(pinghu, failedAt(pinghu, otherSuspension), mistake, true, admin, LATER, '录入错误');
    expect(r).toMatchObject({ ok: true, restored: 'revoked', certificate: { status: 'suspended' } });
    // A failure recorded at another time (not this record) is not lifted by correcting this one.
    const kept = correctedInspectionOutcome(jiangsu, failedAt(jiangsu, cert({ number: 'N2' })), { passed: false, recordedAt: '2026-01-05T00:00:00.000Z' }, true, admin, LATER, '录入错误');
    expect(kept).toMatchObject({ ok: true, changed: false, restored: null, certificate: { status: 'suspended' } });
    if (kept.ok) expect(kept.certificate.statusHistory.at(-1)?.reason).toBe('annual inspection corrected to passed; the certificate stays suspended: the inspection did not cause it: 录入错误');
  });

  it('a pass corrected to failed has a failure’s consequence, lifted again by a later pass', () => {
    const r = correctedInspectionOutcome(jiangsu, cert({ number: 'N1' }), { passed: true, recordedAt: AT.toISOString() }, false, admin, LATER, '复核未通过');
    expect(r).toMatchObject({ ok: true, changed: true, restored: null, certificate: { status: 'suspended' } });
    if (!r.ok) return;
    expect(r.certificate.statusHistory.at(-1)?.reason).toBe(`${INSPECTION_FAILED_REASON} (annual inspection corrected): 复核未通过`);
    expect(inspectionOutcome(jiangsu, r.certificate, true, admin, new Date('2027-01-10T02:00:00Z'))).toMatchObject({ ok: true, certificate: { status: 'valid' } });
  });

  it('refuses a correction to the same result, without a reason, or by someone not an admin', () => {
    const c = cert({ number: 'N1' });
    expect(correctedInspectionOutcome(jiangsu, c, mistake, false, admin, LATER, 'x')).toMatchObject({ ok: false, error: { code: 'invalid', message: 'the inspection already records failed; there is nothing to correct' } });
    expect(correctedInspectionOutcome(jiangsu, c, mistake, true, admin, LATER, '  ')).toMatchObject({ ok: false, error: { code: 'invalid', message: 'a correction needs a reason' } });
    expect(correctedInspectionOutcome(jiangsu, c, mistake, true, { kind: 'system', id: 's' }, LATER, 'x')).toMatchObject({ ok: false, error: { code: 'forbiddenActor' } });
  });
});

describe('inspectionOutcome', () => {
  it.each([
    ['jiangsu (suspend)', jiangsu, 'valid', true, 'valid', false, 'annual inspection passed'],
    ['jiangsu (suspend)', jiangsu, 'valid', false, 'suspended', true, 'annual inspection failed'],
    ['pinghu (revoke)', pinghu, 'valid', true, 'valid', false, 'annual inspection passed'],
    ['pinghu (revoke)', pinghu, 'valid', false, 'revoked', true, 'annual inspection failed'],
  ] as const)('%s: %s, passed %s → %s', (_name, p, from, passed, to, changed, reason) => {
    const c = cert({ number: 'N1', policyId: p.id, status: from });
    const r = inspectionOutcome(p, c, passed, admin, AT);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.changed).toBe(changed);
    expect(r.certificate.status).toBe(to);
    expect(r.certificate.statusHistory).toHaveLength(2);
    expect(r.certificate.statusHistory[1]).toEqual({ at: AT.toISOString(), status: to, reason, actor: admin });
    expect(c.status).toBe(from); // the input is not modified
    expect(c.statusHistory).toHaveLength(1);
  });

  it('a pass lifts a suspension caused by a failed inspection', () => {
    const failed = inspectionOutcome(jiangsu, cert({ number: 'N1' }), false, admin, AT, '未参加年度培训');
    if (!failed.ok) throw new Error(failed.error.message);
    expect(failed.certificate.statusHistory.at(-1)?.reason).toBe(`${INSPECTION_FAILED_REASON}: 未参加年度培训`);
    const passed = inspectionOutcome(jiangsu, failed.certificate, true, admin, new Date('2027-01-10T02:00:00Z'));
    if (!passed.ok) throw new Error(passed.error.message);
    expect(passed).toMatchObject({ changed: true, certificate: { status: 'valid' } });
    expect(passed.certificate.statusHistory.at(-1)?.reason).toBe('annual inspection passed; suspension lifted');
  });

  it('a pass does not lift a suspension made for another reason', () => {
    const c = cert({ number: 'N1', status: 'suspended', statusHistory: [...cert({ number: 'N1' }).statusHistory, { at: '2026-05-01T00:00:00Z', status: 'suspended', reason: 'left party work', actor: admin }] });
    const r = inspectionOutcome(jiangsu, c, true, admin, AT);
    expect(r).toMatchObject({ ok: true, changed: false, certificate: { status: 'suspended' } });
  });

  it.each([
    ['suspend', jiangsu, 'suspended'],
    ['revoke', pinghu, 'revoked'],
  ] as const)('failing again while suspended (%s) → %s', (_onFail, p, to) => {
    const c = cert({ number: 'N1', policyId: p.id, status: 'suspended' });
    expect(inspectionOutcome(p, c, false, admin, AT)).toMatchObject({ ok: true, certificate: { status: to } });
  });

  it.each([
    ['revoked', cert({ number: 'N1', status: 'revoked' }), 'certificate N1 is revoked; it is not inspected'],
    ['expired by date', cert({ number: 'N1', validUntil: '2026-11-19' }), 'certificate N1 is expired since 2026-11-19; it is not inspected'],
  ])('refuses a %s certificate', (_what, c, message) => {
    expect(inspectionOutcome(jiangsu, c, true, admin, AT)).toEqual({ ok: false, error: { code: 'closed', message } });
  });

  it('refuses a non-admin and another policy', () => {
    expect(inspectionOutcome(jiangsu, cert({ number: 'N1' }), true, { kind: 'system', id: 'job' }, AT)).toMatchObject({ ok: false, error: { code: 'forbiddenActor' } });
    expect(inspectionOutcome(pinghu, cert({ number: 'N1' }), true, admin, AT)).toMatchObject({ ok: false, error: { code: 'invalid', message: 'certificate N1 follows policy jiangsu, not pinghu' } });
  });
});

describe('effectiveStatus / statusOn', () => {
  it.each([
    ['valid', '2028-02-29', '2028-02-29', 'valid'], // the last day of validity
    ['valid', '2028-02-29', '2028-03-01', 'expired'],
    ['suspended', '2028-02-29', '2027-01-01', 'suspended'],
    ['suspended', '2028-02-29', '2028-03-01', 'expired'],
    ['revoked', '2028-02-29', '2030-01-01', 'revoked'],
  ] as const)('%s, valid until %s, on %s → %s', (status, validUntil, today, expected) => {
    expect(effectiveStatus(cert({ number: 'N', status, validUntil }), today)).toBe(expected);
  });

  it('statusOn reads the history as of a date (China time)', () => {
    const c = cert({
      number: 'N',
      status: 'valid',
      statusHistory: [
        { at: '2025-03-01T02:00:00.000Z', status: 'valid', reason: 'issued', actor: issuer },
        { at: '2026-06-30T17:00:00.000Z', status: 'suspended', reason: INSPECTION_FAILED_REASON, actor: admin }, // 1 July in China
        { at: '2027-02-01T02:00:00.000Z', status: 'valid', reason: 'annual inspection passed; suspension lifted', actor: admin },
      ],
    });
    expect(statusOn(c, '2025-02-28')).toBeNull();
    expect(statusOn(c, '2026-06-30')).toBe('valid');
    expect(statusOn(c, '2026-07-01')).toBe('suspended');
    expect(statusOn(c, '2026-12-31')).toBe('suspended');
    expect(statusOn(c, '2027-12-31')).toBe('valid');
    expect(statusOn(c, '2028-03-01')).toBe('expired');
  });

  it('refuses a malformed date', () => {
    expect(() => effectiveStatus(cert({ number: 'N' }), '2026/01/01')).toThrow(/YYYY-MM-DD/);
  });
});

describe('allowanceReport (红领津贴)', () => {
  const suspendedIn2026 = cert({
    number: 'JS-S',
    workerId: 'w6',
    status: 'suspended',
    statusHistory: [...cert({ number: 'x' }).statusHistory, { at: '2026-08-01T02:00:00.000Z', status: 'suspended', reason: 'left party work', actor: admin }],
  });
  const certificates: Certificate[] = [
    cert({ number: 'JS-C1', workerId: 'w1', level: 'junior' }),
    cert({ number: 'JS-Z1', workerId: 'w2', level: 'intermediate' }),
    cert({ number: 'JS-T1', workerId: 'w3', level: 'special', scope: 'province', scopeRegionCode: '320000' }),
    cert({ number: 'JS-C2', workerId: 'w4', level: 'junior' }),
    cert({ number: 'JS-C3', workerId: 'w5', level: 'junior' }),
    suspendedIn2026,
    cert({ number: 'JS-R', workerId: 'w7', status: 'revoked', statusHistory: [...cert({ number: 'x' }).statusHistory, { at: '2026-12-01T02:00:00.000Z', status: 'revoked', reason: 'fraud', actor: admin }] }),
    cert({ number: 'JS-E', workerId: 'w8', issuedOn: '2023-06-01', validUntil: '2026-05-31' }), // expired during 2026
    cert({ number: 'JS-F', workerId: 'w9', level: 'senior' }), // failed the 2026 inspection
    cert({ number: 'JS-N', workerId: 'w10' }), // no assessment
    cert({ number: 'JS-LATE', workerId: 'w11', issuedOn: '2027-01-05', validUntil: '2030-01-04' }), // not a holder in 2026
    cert({ number: 'JS-OLD', workerId: 'w12', issuedOn: '2021-01-05', validUntil: '2024-01-04' }), // not a holder in 2026
    // w13: promoted during 2026, holds junior and intermediate: paid once, the higher one
    cert({ number: 'JS-C13', workerId: 'w13', level: 'junior' }),
    cert({ number: 'JS-Z13', workerId: 'w13', level: 'intermediate', issuedOn: '2026-04-01', validUntil: '2029-03-31' }),
    cert({ number: 'PH-C1', workerId: 'p1', policyId: 'pinghu', level: 'junior', regionCode: '330482', scopeRegionCode: '330482' }),
    cert({ number: 'PH-G1', workerId: 'p2', policyId: 'pinghu', level: 'senior', regionCode: '330482', scopeRegionCode: '330482' }), // level without allowance
    cert({ number: 'XX-1', workerId: 'x1', policyId: 'nowhere' }),
  ];
  const records: AnnualRecord[] = [
    record('w1', 'JS-C1', 'competent'),
    record('w2', 'JS-Z1', 'excellent'),
    record('w3', 'JS-T1', 'competent', null), // not inspected: does not block
    record('w4', 'JS-C2', 'basicallyCompetent'),
    record('w5', 'JS-C3', 'incompetent'),
    record('w6', 'JS-S', 'excellent'),
    record('w7', 'JS-R', 'excellent'),
    record('w8', 'JS-E', 'competent'),
    record('w9', 'JS-F', 'excellent', false),
    record('w10', 'JS-N', null),
    record('w11', 'JS-LATE', 'excellent'),
    record('w13', 'JS-C13', 'competent'),
    record('w13', 'JS-Z13', 'competent'),
    record('p1', 'PH-C1', 'excellent'),
    record('p2', 'PH-G1', 'excellent'),
    record('w1', 'JS-C1', 'incompetent', true, 2025), // another year: ignored
    record('w4', 'JS-C2', 'excellent', true, 2025), // another year: ignored
  ];

  const report = allowanceReport([jiangsu, pinghu], certificates, records, 2026);

  it('pays competent and excellent holders their level amount', () => {
    expect(report.rows.map((r) => [r.workerId, r.certificateNumber, r.level, r.grade, r.amountYuan])).toEqual([
      ['w1', 'JS-C1', 'junior', 'competent', 2400],
      ['w2', 'JS-Z1', 'intermediate', 'excellent', 4800],
      ['w13', 'JS-Z13', 'intermediate', 'competent', 4800],
      ['w3', 'JS-T1', 'special', 'competent', 12000],
      ['p1', 'PH-C1', 'junior', 'excellent', 1200],
    ]);
    expect(report.rows[0]).toMatchObject({ policyId: 'jiangsu', reason: 'assessed competent for 2026; certificate valid on 2026-12-31' });
  });

  it('lists everyone left out, with the reason', () => {
    expect(Object.fromEntries(report.excluded.map((e) => [e.certificateNumber, e.code]))).toEqual({
      'JS-C2': 'gradeTooLow',
      'JS-C3': 'gradeTooLow',
      'JS-S': 'suspended',
      'JS-R': 'revoked',
      'JS-E': 'expired',
      'JS-F': 'inspectionFailed',
      'JS-N': 'notAssessed',
      'JS-C13': 'paidForAnotherCertificate',
      'PH-G1': 'noAllowanceForLevel',
      'XX-1': 'unknownPolicy',
    });
    expect(report.excluded.find((e) => e.certificateNumber === 'JS-C2')?.reason).toBe('assessed basicallyCompetent for 2026; the allowance needs competent or better');
    expect(report.excluded.find((e) => e.certificateNumber === 'JS-E')?.reason).toBe('certificate expired on 2026-05-31');
    expect(report.excluded.find((e) => e.certificateNumber === 'JS-C13')?.reason).toBe('paid for certificate JS-Z13 instead');
  });

  it('leaves out certificates not held during the year', () => {
    const numbers = [...report.rows, ...report.excluded].map((r) => r.certificateNumber);
    expect(numbers).not.toContain('JS-LATE');
    expect(numbers).not.toContain('JS-OLD');
  });

  it('totals by level and overall', () => {
    expect(report.totals).toEqual({
      holders: 5,
      amountYuan: 2400 + 4800 + 4800 + 12000 + 1200,
      byLevel: [
        { policyId: 'jiangsu', level: 'junior', holders: 1, amountYuan: 2400 },
        { policyId: 'jiangsu', level: 'intermediate', holders: 2, amountYuan: 9600 },
        { policyId: 'jiangsu', level: 'special', holders: 1, amountYuan: 12000 },
        { policyId: 'pinghu', level: 'junior', holders: 1, amountYuan: 1200 },
      ],
    });
  });

  it('accepts a policy lookup function, and uses each year’s own records', () => {
    const lookup = (id: string) => ({ jiangsu, pinghu })[id];
    const r2025 = allowanceReport(lookup, certificates, records, 2025);
    expect(r2025.rows.map((r) => r.certificateNumber)).toEqual(['JS-C2']);
    expect(r2025.excluded.find((e) => e.certificateNumber === 'JS-C1')?.code).toBe('gradeTooLow');
  });

  it('a suspension lifted before the year ends pays; one made after it does not count', () => {
    const c = cert({
      number: 'JS-L',
      status: 'suspended',
      statusHistory: [
        { at: '2025-03-01T02:00:00.000Z', status: 'valid', reason: 'issued', actor: issuer },
        { at: '2026-03-01T02:00:00.000Z', status: 'suspended', reason: INSPECTION_FAILED_REASON, actor: admin },
        { at: '2026-10-01T02:00:00.000Z', status: 'valid', reason: 'annual inspection passed; suspension lifted', actor: admin },
        { at: '2027-03-01T02:00:00.000Z', status: 'suspended', reason: INSPECTION_FAILED_REASON, actor: admin },
      ],
    });
    expect(allowanceReport([jiangsu], [c], [record('w1', 'JS-L', 'competent')], 2026).rows).toHaveLength(1);
  });

  it('an empty year totals zero', () => {
    expect(allowanceReport([jiangsu], [], [], 2026)).toEqual({ year: 2026, rows: [], excluded: [], totals: { holders: 0, amountYuan: 0, byLevel: [] } });
  });
});
