import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/domain/policy/schema.ts';
import type { Actor, Application } from '../../../src/domain/certification/types.ts';
import { applyAction, newApplication } from '../../../src/domain/certification/pipeline.ts';
import {
  assertNumberFormat,
  CertificateNumberError,
  certificateFor,
  formatCertificateNumber,
  parseCertificateNumber,
  scopeRegionOf,
  validUntilOf,
} from '../../../src/domain/certification/certificateNumber.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';

const policy: Policy = {
  schema: 1,
  id: 'jiangsu',
  name: { 'zh-CN': '江苏', en: 'Jiangsu' },
  regionCode: '320000',
  levels: [
    { id: 'junior', name: { 'zh-CN': '初级', en: 'Junior' }, managedBy: 'county', upperTiersMayAct: false, scope: 'city', code: 'C', conditions: {}, relaxations: [], allowanceYuan: 2400 },
    { id: 'special', name: { 'zh-CN': '特级', en: 'Special' }, managedBy: 'province', upperTiersMayAct: false, scope: 'province', code: 'T', conditions: {}, relaxations: [], allowanceYuan: 12000 },
    { id: 'local', name: { 'zh-CN': '县级', en: 'Local' }, managedBy: 'county', upperTiersMayAct: false, scope: 'county', code: 'L', conditions: {}, relaxations: [], allowanceYuan: 0 },
  ],
  pipeline: {
    stages: [
      { id: 'declaration', kind: 'declaration', name: { 'zh-CN': '个人申报', en: 'Declaration' } },
      { id: 'comprehensiveReview', kind: 'comprehensiveReview', name: { 'zh-CN': '综合评审', en: 'Comprehensive review' } },
    ],
    testPassMark: 60,
  },
  certificate: { numberFormat: '{region}{year}{level}{seq:05}', validityYears: 3 },
  annualInspection: { onFail: 'suspend' },
  satisfaction: { scale: ['yes', 'no'], positive: ['yes'] },
};

describe('formatCertificateNumber', () => {
  const parts = { region: '320000', year: 2026, levelCode: 'Z', seq: 42 };

  it.each([
    ['{region}{year}{level}{seq:05}', parts, '3200002026Z00042'],
    ['{region}{year}{level}{seq:5}', parts, '3200002026Z00042'],
    ['JS-{year}-{level}-{seq:3}', parts, 'JS-2026-Z-042'],
    ['{seq:5}', { ...parts, seq: 99999 }, '99999'],
    ['{seq:1}', { ...parts, seq: 7 }, '7'],
    ['{level}{seq}', { ...parts, levelCode: 'T1', seq: 123456 }, 'T1123456'],
    ['平湖{year}{seq:4}', { ...parts, seq: 1 }, '平湖20260001'],
  ])('%s with %j → %s', (format, p, expected) => {
    expect(formatCertificateNumber(format, p)).toBe(expected);
  });

  it.each([
    ['a seq needing more digits than N', '{seq:5}', { ...parts, seq: 100000 }, 'sequence number 100000 needs 6 digits but the format "{seq:5}" allows 5'],
    ['seq 0', '{seq:5}', { ...parts, seq: 0 }, 'a certificate sequence number is a whole number from 1, got 0'],
    ['a fractional seq', '{seq:5}', { ...parts, seq: 1.5 }, 'a certificate sequence number is a whole number from 1, got 1.5'],
    ['a 4-digit region', '{region}{seq:5}', { ...parts, region: '3201' }, '{region} is a 6-digit region code, got "3201"'],
    ['a 2-digit year', '{year}{seq:5}', { ...parts, year: 26 }, '{year} is a 4-digit year, got 26'],
    ['a lower-case level code', '{level}{seq:5}', { ...parts, levelCode: 'z' }, '{level} is a level code of 1–2 capital letters or digits, got "z"'],
    ['an unknown placeholder', '{region}{sequence:5}', parts, 'number format "{region}{sequence:5}": unknown placeholder {sequence:5} (known: {region}, {year}, {level}, {seq:N})'],
    ['no seq', '{region}{year}', parts, 'number format "{region}{year}" has no {seq:N}'],
    ['seq twice', '{seq:2}{seq:3}', parts, 'number format "{seq:2}{seq:3}": {seq} appears more than once'],
    ['a stray brace', '{region}}{seq:3}', parts, 'number format "{region}}{seq:3}": unmatched brace in "}"'],
    ['width 0', '{seq:0}', parts, 'number format "{seq:0}": {seq:N} needs N ≥ 1'],
  ])('refuses %s', (_what, format, p, message) => {
    expect(() => formatCertificateNumber(format, p)).toThrow(CertificateNumberError);
    expect(() => formatCertificateNumber(format, p)).toThrow(message);
  });

  it('assertNumberFormat accepts the policy format and refuses a typo', () => {
    expect(() => assertNumberFormat(policy.certificate.numberFormat)).not.toThrow();
    expect(() => assertNumberFormat('{regoin}{seq:5}')).toThrow(/unknown placeholder \{regoin\}/);
  });
});

describe('parseCertificateNumber', () => {
  it.each([
    ['{region}{year}{level}{seq:05}', '3200002026Z00042', { region: '320000', year: 2026, levelCode: 'Z', seq: 42 }],
    ['{region}{year}{level}{seq:05}', ' 3200002026z00042 ', { region: '320000', year: 2026, levelCode: 'Z', seq: 42 }],
    ['JS-{year}-{level}-{seq:3}', 'js-2026-T-001', { year: 2026, levelCode: 'T', seq: 1 }],
    ['{level}{seq}', 'T1123456', { levelCode: 'T1', seq: 123456 }],
  ])('%s: %s', (format, number, parts) => {
    expect(parseCertificateNumber(format, number)).toEqual(parts);
  });

  it.each([
    ['3200002026Z0042'], // one digit short
    ['3200002026Z000042'], // one digit long
    ['320002026Z00042'], // region short
    ['3200002026Z00000'], // seq 0
    ['3200002026-00042'],
    [''],
  ])('%s is not a number of the format', (number) => {
    expect(parseCertificateNumber('{region}{year}{level}{seq:05}', number, ['C', 'Z', 'G', 'T'])).toBeNull();
  });

  it('without the level codes, a digit after the level may be read as part of it', () => {
    expect(parseCertificateNumber('{region}{year}{level}{seq:05}', '3200002026Z000042')).toMatchObject({ levelCode: 'Z0', seq: 42 });
    expect(parseCertificateNumber('{region}{year}{level}{seq:05}', '3200002026Z000042', ['Z'])).toBeNull();
    expect(parseCertificateNumber('{level}{seq:3}', 'T1001', ['T', 'T1'])).toEqual({ levelCode: 'T1', seq: 1 });
  });

  it('round-trips with formatCertificateNumber', () => {
    const parts = { region: '320100', year: 2027, levelCode: 'G', seq: 9 };
    const format = 'No.{region}/{year}/{level}/{seq:6}';
    expect(parseCertificateNumber(format, formatCertificateNumber(format, parts))).toEqual(parts);
  });
});

describe('scopeRegionOf', () => {
  it.each([
    ['junior', '320102', '320100'], // city-scoped: Xuanwu → Nanjing
    ['junior', '320281', '320200'], // Jiangyin → Wuxi
    ['junior', '320102001', '320100'], // a street code
    ['special', '320102', '320000'], // province-scoped
    ['special', '330482', '330000'],
    ['local', '330482', '330482'], // county-scoped: Pinghu itself, not Jiaxing (regression: Pinghu got 330400)
    ['local', '330482101', '330482'], // a Pinghu street code
  ])('%s in %s → %s', (level, region, scope) => {
    expect(scopeRegionOf(policy, level, region)).toBe(scope);
  });

  it('throws for an unknown level or a malformed region', () => {
    expect(() => scopeRegionOf(policy, 'expert', '320102')).toThrow(/no level "expert"/);
    expect(() => scopeRegionOf(policy, 'junior', '3201')).toThrow(/6 or 9 digits/);
  });
});

describe('validUntilOf: the day before the anniversary', () => {
  it.each([
    ['2026-03-01', 3, '2029-02-28'],
    ['2027-03-01', 1, '2028-02-29'], // the day before a leap-year 1 March
    ['2026-01-01', 3, '2028-12-31'],
    ['2026-06-15', 5, '2031-06-14'],
    ['2024-02-29', 3, '2027-02-28'], // issued on 29 Feb: valid to the end of February
    ['2024-02-29', 4, '2028-02-28'],
    ['2026-12-31', 1, '2027-12-30'],
  ])('%s + %i years → %s', (issuedOn, years, until) => {
    expect(validUntilOf(issuedOn, years)).toBe(until);
  });

  it('refuses a malformed date', () => {
    expect(() => validUntilOf('2026-02-30', 3)).toThrow(/real date/);
  });
});

describe('certificateFor', () => {
  const worker: Actor = { kind: 'worker', id: 'w1' };
  const admin: Actor = { kind: 'admin', id: 'a1', name: '李' };
  const at = (d: string) => new Date(`${d}T02:00:00.000Z`);

  function certified(level: string): Application {
    let app = newApplication({ id: 'app9', workerId: 'w1', channel: 'c', userId: 'u', policy, regionCode: '320102', level, wayIn: 'self', declared: {}, evidence: [], actor: worker, now: at('2026-01-05') });
    for (const d of ['2026-01-10', '2026-02-20']) {
      const r = applyAction(app, policy, { type: 'advance' }, admin, at(d));
      if (!r.ok) throw new Error(r.error.message);
      app = r.app;
    }
    return app;
  }

  it('builds a city-scoped certificate from a certified application', () => {
    const app = certified('junior');
    // The shared sample is a valid junior certificate of worker w1 under jiangsu; what differs is spelled out.
    expect(certificateFor(app, policy, '2026-02-21', '320100')).toEqual(
      sampleCertificateInput({
        applicationId: 'app9',
        scope: 'city',
        scopeRegionCode: '320100',
        issuedOn: '2026-02-21',
        validUntil: '2029-02-20',
        statusHistory: [{ at: at('2026-02-20').toISOString(), status: 'valid', reason: 'issued on certification of application app9', actor: admin }],
      }),
    );
  });

  it('a special certificate is province-scoped', () => {
    const cert = certificateFor(certified('special'), policy, '2026-02-21', scopeRegionOf(policy, 'special', '320102'));
    expect(cert).toMatchObject({ scope: 'province', scopeRegionCode: '320000' });
  });

  it('refuses an application that is not certified, a foreign scope, another policy', () => {
    const open = newApplication({ id: 'x', workerId: 'w1', channel: 'c', userId: 'u', policy, regionCode: '320102', level: 'junior', wayIn: 'self', declared: {}, evidence: [], actor: worker, now: at('2026-01-05') });
    expect(() => certificateFor(open, policy, '2026-02-21', '320100')).toThrow('application x is open, not certified: no certificate');
    expect(() => certificateFor(certified('junior'), policy, '2026-02-21', '320200')).toThrow("the worker's region 320102 is outside the certificate's scope region 320200");
    expect(() => certificateFor(certified('junior'), { ...policy, id: 'pinghu' }, '2026-02-21', '320100')).toThrow(/follows policy jiangsu, not pinghu/);
  });
});
