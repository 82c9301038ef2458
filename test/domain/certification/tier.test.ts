import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mayAct, regionAtTier, tierOf, type Tier } from '../../../src/domain/certification/tier.ts';
import { parsePolicy } from '../../../src/domain/policy/load.ts';
import type { Policy } from '../../../src/domain/policy/schema.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const shipped = (id: string) => parsePolicy(readFileSync(`${ROOT}policies/${id}.yaml`, 'utf8'), `policies/${id}.yaml`);
const jiangsu = shipped('jiangsu');
const pinghu = shipped('pinghu');

/** The same policy with every level letting upper tiers act. */
const upperMayAct = (p: Policy): Policy => ({ ...p, levels: p.levels.map((l) => ({ ...l, upperTiersMayAct: true })) });

type Expected = 'ok' | 'upperTier' | 'lowerTier' | 'outsideRegion';
const outcome = (policy: Policy, level: string, admin: string, subject: string): Expected => {
  const d = mayAct(policy.levels.find((l) => l.id === level)!, admin, subject);
  return d.ok ? 'ok' : (d.reason as Expected);
};

/**
 * Every tier against every level, for a worker in `subject`: the managing tier acts, upper tiers only with the
 * setting, lower tiers never. Columns are the policy's levels in file order.
 */
const TABLES: { policy: Policy; subject: string; levels: string[]; admins: Record<Tier, string>; plain: Record<Tier, Expected[]>; withSetting: Record<Tier, Expected[]> }[] = [
  {
    policy: jiangsu,
    subject: '320102001', // a street of 玄武区, 南京市
    levels: ['junior', 'intermediate', 'senior', 'special'],
    admins: { province: '320000', city: '320100', county: '320102', street: '320102001' },
    plain: {
      province: ['upperTier', 'upperTier', 'upperTier', 'ok'],
      city: ['upperTier', 'ok', 'ok', 'lowerTier'],
      county: ['ok', 'lowerTier', 'lowerTier', 'lowerTier'],
      street: ['lowerTier', 'lowerTier', 'lowerTier', 'lowerTier'],
    },
    withSetting: {
      province: ['ok', 'ok', 'ok', 'ok'],
      city: ['ok', 'ok', 'ok', 'lowerTier'],
      county: ['ok', 'lowerTier', 'lowerTier', 'lowerTier'],
      street: ['lowerTier', 'lowerTier', 'lowerTier', 'lowerTier'],
    },
  },
  {
    policy: pinghu,
    subject: '330482001', // 当湖街道, 平湖市
    levels: ['junior', 'intermediate', 'senior'],
    admins: { province: '330000', city: '330400', county: '330482', street: '330482001' },
    plain: {
      province: ['upperTier', 'upperTier', 'upperTier'],
      city: ['upperTier', 'upperTier', 'upperTier'],
      county: ['ok', 'ok', 'ok'],
      street: ['lowerTier', 'lowerTier', 'lowerTier'],
    },
    withSetting: {
      province: ['ok', 'ok', 'ok'],
      city: ['ok', 'ok', 'ok'],
      county: ['ok', 'ok', 'ok'],
      street: ['lowerTier', 'lowerTier', 'lowerTier'],
    },
  },
];

describe('mayAct: who acts on which level', () => {
  for (const t of TABLES) {
    it(`${t.policy.id}: every tier, every level, upper tiers off by default`, () => {
      expect(t.policy.levels.map((l) => l.id)).toEqual(t.levels);
      expect(t.policy.levels.every((l) => l.upperTiersMayAct === false)).toBe(true);
      for (const tier of Object.keys(t.admins) as Tier[]) {
        expect([tier, t.levels.map((level) => outcome(t.policy, level, t.admins[tier], t.subject))]).toEqual([tier, t.plain[tier]]);
      }
    });

    it(`${t.policy.id}: every tier, every level, with upperTiersMayAct on`, () => {
      const policy = upperMayAct(t.policy);
      for (const tier of Object.keys(t.admins) as Tier[]) {
        expect([tier, t.levels.map((level) => outcome(policy, level, t.admins[tier], t.subject))]).toEqual([tier, t.withSetting[tier]]);
      }
    });
  }

  it('names the managing tier and its region for the subject', () => {
    const special = jiangsu.levels.find((l) => l.id === 'special')!;
    expect(mayAct(special, '320100', '320102')).toEqual({ ok: false, reason: 'lowerTier', managingTier: 'province', managingRegion: '320000', adminTier: 'city' });
    const junior = jiangsu.levels.find((l) => l.id === 'junior')!;
    expect(mayAct(junior, '320000', '320583')).toEqual({ ok: false, reason: 'upperTier', managingTier: 'county', managingRegion: '320583', adminTier: 'province' });
    const senior = pinghu.levels.find((l) => l.id === 'senior')!;
    expect(mayAct(senior, '330400', '330482101')).toEqual({ ok: false, reason: 'upperTier', managingTier: 'county', managingRegion: '330482', adminTier: 'city' });
  });

  it('refuses the managing tier outside its own region, and upper tiers too even with the setting', () => {
    const intermediate = jiangsu.levels.find((l) => l.id === 'intermediate')!;
    expect(mayAct(intermediate, '320500', '320102')).toMatchObject({ ok: false, reason: 'outsideRegion', managingRegion: '320100', adminTier: 'city' });
    expect(mayAct({ ...intermediate, upperTiersMayAct: true }, '330000', '320102')).toMatchObject({ ok: false, reason: 'outsideRegion' });
    const junior = pinghu.levels.find((l) => l.id === 'junior')!;
    expect(mayAct(junior, '330482002', '330482001')).toMatchObject({ ok: false, reason: 'outsideRegion', adminTier: 'street' });
    // A street admin's region does not hold the county-level code of a worker filed under the county itself.
    expect(mayAct(junior, '330482001', '330482')).toMatchObject({ ok: false, reason: 'outsideRegion' });
    expect(mayAct(junior, '330482', '330482')).toEqual({ ok: true });
  });

  it('refuses an admin whose region is no region code', () => {
    const junior = pinghu.levels.find((l) => l.id === 'junior')!;
    for (const bad of ['', '33', '3304821', 'abcdef']) {
      expect(mayAct(junior, bad, '330482001')).toMatchObject({ ok: false, reason: 'unknownRegion', adminTier: null });
    }
  });
});

describe('tiers of region codes', () => {
  it.each([
    ['320000', 'province'],
    ['320100', 'city'],
    ['320102', 'county'],
    ['330482', 'county'],
    ['330482001', 'street'],
    ['3201', undefined],
    ['32010200', undefined],
  ])('%s is %s', (code, tier) => {
    expect(tierOf(code)).toBe(tier);
  });

  it('finds the region of a tier above a code, and none for a tier below it', () => {
    expect(['province', 'city', 'county', 'street'].map((t) => regionAtTier('330482001', t as Tier))).toEqual(['330000', '330400', '330482', '330482001']);
    expect(['province', 'city', 'county', 'street'].map((t) => regionAtTier('320100', t as Tier))).toEqual(['320000', '320100', null, null]);
    expect(regionAtTier('nope', 'province')).toBeNull();
  });
});
