import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy, parsePolicyMapping, PolicyLoadError, PolicySet } from '../../../src/domain/policy/load.ts';
import type { Policy } from '../../../src/domain/policy/schema.ts';
import { scopeRegionOf } from '../../../src/domain/certification/certificateNumber.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');

const jiangsuText = read('policies/jiangsu.yaml');
const pinghuText = read('policies/pinghu.yaml');
const mappingText = read('policies/mapping.yaml');
const jiangsu = parsePolicy(jiangsuText, 'policies/jiangsu.yaml');
const pinghu = parsePolicy(pinghuText, 'policies/pinghu.yaml');
const mapping = parsePolicyMapping(mappingText, 'policies/mapping.yaml');
const set = new PolicySet([jiangsu, pinghu], mapping);

describe('shipped policy files', () => {
  it('parse, with the levels, codes and tiers of the sources', () => {
    expect(jiangsu.levels.map((l) => [l.id, l.name['zh-CN'], l.code, l.managedBy, l.scope])).toEqual([
      ['junior', '初级', 'C', 'county', 'city'],
      ['intermediate', '中级', 'Z', 'city', 'city'],
      ['senior', '高级', 'G', 'city', 'city'],
      ['special', '特级', 'T', 'province', 'province'],
    ]);
    expect(pinghu.regionCode).toBe('330482');
    // Pinghu certifies for itself: county scope, so its certificates are valid in and numbered for 330482.
    expect(pinghu.levels.map((l) => [l.id, l.name['zh-CN'], l.scope])).toEqual([
      ['junior', '初级', 'county'],
      ['intermediate', '中级', 'county'],
      ['senior', '高级', 'county'],
    ]);
    expect(scopeRegionOf(pinghu, 'senior', '330482101')).toBe('330482');
  });

  it('have the pipelines of the sources, every stage named in both locales', () => {
    expect(jiangsu.pipeline.stages.map((s) => [s.kind, s.name['zh-CN']])).toEqual([
      ['declaration', '个人申报'],
      ['qualificationReview', '资格审查'],
      ['trainingTest', '培训测试'],
      ['comprehensiveReview', '综合评审'],
      ['publicNotice', '社会公示'],
    ]);
    expect(jiangsu.pipeline.noticeDays).toBe(7);
    expect(jiangsu.pipeline.testPassMark).toBe(60);
    expect(pinghu.pipeline.stages.map((s) => [s.kind, s.name['zh-CN']])).toEqual([
      ['declaration', '申报审查'],
      ['training', '学习培训'],
      ['trainingTest', '党务知识测试'],
      ['satisfactionSurvey', '满意度调查'],
      ['comprehensiveReview', '审核并颁发资格证书'],
    ]);
    expect(pinghu.pipeline.stages.some((s) => s.kind === 'publicNotice')).toBe(false);
    for (const stage of [...jiangsu.pipeline.stages, ...pinghu.pipeline.stages]) {
      expect(stage.name.en.length).toBeGreaterThan(0);
      expect(stage.expectedDays).toBeGreaterThan(0);
      if (stage.todo !== undefined) expect(stage.todo).toMatch(/^certification:todo\.[a-z][A-Za-z]+$/);
    }
    expect(pinghu.pipeline.stages.find((s) => s.kind === 'trainingTest')?.todo).toBe('certification:todo.attendTest');
  });

  it('write Pinghu conditions exactly as the source states them', () => {
    const [junior, intermediate, senior] = pinghu.levels.map((l) => l.conditions);
    const general = { fullMember: true, minEducation: 'highSchool', maxAge: { male: 60, female: 55 } };
    expect(junior).toEqual({ ...general, minYearsInPartyWork: 2, examPassed: true });
    expect(intermediate).toEqual({ ...general, minYearsInPartyWork: 3, stillInPost: true, examPassed: true, minSatisfaction: 0.8 });
    expect(senior).toEqual({
      ...general,
      minYearsInPartyWork: 5,
      stillInPost: true,
      examPassed: true,
      orgSizeClass: 'aboveDesignatedSize',
      commendationLevel: 'city',
      minSatisfaction: 0.9,
    });
  });

  it('make Jiangsu conditions rise with the level, with a test and title relaxation, and no promotion rule', () => {
    const years = jiangsu.levels.map((l) => l.conditions.minYearsInPartyWork ?? 0);
    expect(years).toEqual([...years].sort((a, b) => a - b));
    expect(new Set(years).size).toBe(4);
    // No promotion rule: the pilot certified workers directly at 中级 and 高级 (docs/domain.md).
    expect(jiangsu.levels.map((l) => l.conditions.requiresLevel ?? null)).toEqual([null, null, null, null]);
    for (const level of jiangsu.levels) {
      expect(level.conditions.examPassed).toBe(true);
      expect(level.relaxations).toEqual([{ professionalTitles: ['political', 'socialWork'], yearsReducedBy: 1, waiveEducation: false }]);
      expect(level.allowanceYuan).toBeGreaterThan(0);
    }
    const allowances = jiangsu.levels.map((l) => l.allowanceYuan);
    expect(allowances).toEqual([...allowances].sort((a, b) => a - b));
  });

  it.each([
    ['jiangsu', 'suspend'],
    ['pinghu', 'revoke'],
  ])('%s: certificate, inspection and satisfaction scale', (id, onFail) => {
    const p = set.get(id)!;
    expect(p.certificate).toEqual({ numberFormat: '{region}{year}{level}{seq:05}', validityYears: 3 });
    expect(p.annualInspection.onFail).toBe(onFail);
    expect(p.satisfaction).toMatchObject({ scale: ['veryPleased', 'pleased', 'neutral', 'displeased'], positive: ['veryPleased', 'pleased'] });
  });

  it("pinghu's poll: minimum group 5, quorum 60 % and 5 answers, one extra question; jiangsu takes the defaults", () => {
    expect(set.get('pinghu')!.satisfaction.poll).toEqual({
      minGroupSize: 5,
      quorum: { minShare: 0.6, minAnswers: 5 },
      dimensions: [{ id: 'workStyle', text: { 'zh-CN': '您对其工作作风是否满意？', en: 'How satisfied are you with their way of working?' } }],
      comment: true,
    });
    expect(set.get('jiangsu')!.satisfaction.poll).toBeUndefined();
  });
});

describe('PolicySet', () => {
  it.each([
    ['320000', 'jiangsu'],
    ['320102', 'jiangsu'],
    ['320102001', 'jiangsu'],
    ['330482', 'pinghu'],
    ['330482001', 'pinghu'],
    ['330400', null], // 嘉兴市 as a whole has no policy
    ['330481', null], // 海宁市, a neighbour of Pinghu
    ['110000', null],
  ])('region %s → %s', (code, id) => {
    expect(set.forRegion(code)?.id ?? null).toBe(id);
  });

  it('finds policies and levels by id', () => {
    expect(set.get('pinghu')).toBe(pinghu);
    expect(set.get('beijing')).toBeNull();
    expect(set.level(jiangsu, 'special')?.name['zh-CN']).toBe('特级');
    expect(set.level(pinghu, 'special')).toBeNull();
    expect(set.all().map((p) => p.id)).toEqual(['jiangsu', 'pinghu']);
  });

  const mappingTo = (...pairs: [string, string][]) => ({ schema: 1 as const, mappings: pairs.map(([regionPrefix, policy]) => ({ regionPrefix, policy })) });

  it.each<[string, Policy[], ReturnType<typeof mappingTo>, RegExp]>([
    ['a mapping to an unknown policy', [jiangsu, pinghu], mappingTo(['32', 'jiangsu'], ['44', 'guangdong']), /mappings\.1\.policy: .*`guangdong`, which is not loaded/],
    ['a mapping to a policy that is not loaded', [jiangsu], mappingTo(['32', 'jiangsu'], ['330482', 'pinghu']), /`pinghu`, which is not loaded \(loaded: jiangsu\)/],
    ['a prefix mapped twice', [jiangsu, pinghu], mappingTo(['32', 'jiangsu'], ['32', 'pinghu']), /mappings\.1\.regionPrefix: prefix 32 is mapped twice/],
    ['a policy loaded twice', [jiangsu, jiangsu], mappingTo(['32', 'jiangsu']), /policy `jiangsu` is loaded twice/],
    ['a policy whose own region goes elsewhere', [jiangsu, pinghu], mappingTo(['32', 'jiangsu'], ['33', 'jiangsu']), /`pinghu` issues certificates for region 330482, but the mapping sends that region to `jiangsu`/],
  ])('refuses %s', (_name, policies, badMapping, message) => {
    expect(() => new PolicySet(policies, badMapping)).toThrow(PolicyLoadError);
    expect(() => new PolicySet(policies, badMapping)).toThrow(message);
    expect(() => new PolicySet(policies, badMapping)).toThrow(/^policies\/mapping\.yaml: /);
  });
});

describe('broken policy files', () => {
  const file = 'policies/pinghu.yaml';
  it.each([
    ['an out-of-range value', pinghuText.replace('minSatisfaction: 0.8', 'minSatisfaction: 1.8'), 'policies/pinghu.yaml: levels.1.conditions.minSatisfaction: '],
    ['an unknown condition', pinghuText.replace('minSatisfaction: 0.9', 'minSatisfaction: 0.9\n      minHeight: 170'), 'policies/pinghu.yaml: levels.2.conditions: '],
    ['an unknown enum value', pinghuText.replace('commendationLevel: city', 'commendationLevel: town'), 'policies/pinghu.yaml: levels.2.conditions.commendationLevel: '],
    ['a missing locale', pinghuText.replace('name: { zh-CN: 学习培训, en: Training classes }', 'name: { zh-CN: 学习培训 }'), 'policies/pinghu.yaml: pipeline.stages.1.name.en: '],
    ['an unquoted region code', pinghuText.replace("regionCode: '330482'", 'regionCode: 330482'), 'policies/pinghu.yaml: regionCode: '],
    ['a setting for upper tiers that is not true or false', pinghuText.replace('    managedBy: county\n    scope: county\n    code: Z', '    managedBy: county\n    upperTiersMayAct: yes please\n    scope: county\n    code: Z'), 'policies/pinghu.yaml: levels.1.upperTiersMayAct: '],
    ['a promotion from an unknown level', pinghuText.replace('minYearsInPartyWork: 5', 'minYearsInPartyWork: 5\n      requiresLevel: expert'), 'policies/pinghu.yaml: levels.2.conditions.requiresLevel: requiresLevel `expert` must name a lower level'],
    ['a duplicate key', pinghuText.replace('testPassMark: 60', 'testPassMark: 60\n  testPassMark: 70'), 'policies/pinghu.yaml: not valid YAML: '],
    ['another schema version', pinghuText.replace('schema: 1', 'schema: 2'), 'policies/pinghu.yaml: schema: unknown schema 2'],
    ['a list instead of a mapping', '- 1\n- 2\n', 'policies/pinghu.yaml: a policy file is a YAML mapping'],
  ])('%s: the error names the file and the path', (_name, text, message) => {
    expect(text).not.toBe(pinghuText);
    let error: unknown;
    try {
      parsePolicy(text, file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PolicyLoadError);
    expect((error as PolicyLoadError).file).toBe(file);
    expect((error as Error).message).toContain(message);
  });

  it.each([
    ['a prefix that is not digits', mappingText.replace("regionPrefix: '32'", 'regionPrefix: js'), 'policies/mapping.yaml: mappings.0.regionPrefix: '],
    ['an empty list', 'schema: 1\nmappings: []\n', 'policies/mapping.yaml: mappings: '],
    ['no schema', 'mappings: []\n', 'policies/mapping.yaml: schema: unknown schema undefined'],
  ])('mapping with %s: the error names the file and the path', (_name, text, message) => {
    expect(() => parsePolicyMapping(text, 'policies/mapping.yaml')).toThrow(message);
  });
});
