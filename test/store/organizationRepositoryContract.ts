import { describe, expect, it } from 'vitest';
import type { OrganizationInput, OrganizationRepository } from '../../src/app/ports/organizationRepository.ts';

const now = new Date('2026-03-01T02:00:00Z');
const org = (over: Partial<OrganizationInput> = {}): OrganizationInput => ({ name: '某某科技有限公司', type: 'enterprise', sizeClass: null, regionCode: '320102', employees: null, uscc: null, ...over });

/** One record per organisation: by credit code when given, else by name within the region. */
export function organizationRepositoryContract(name: string, make: () => Promise<OrganizationRepository>): void {
  describe(`OrganizationRepository contract: ${name}`, () => {
    it('finds an organisation again by name within its region, ignoring spacing and width; another region is another one', async () => {
      const repo = await make();
      const a = await repo.upsert(org(), now);
      const b = await repo.upsert(org({ name: ' 某某科技 有限公司 ', employees: 120 }), now);
      expect(b.id).toBe(a.id);
      expect(b.employees).toBe(120);
      const c = await repo.upsert(org({ regionCode: '320104' }), now);
      expect(c.id).not.toBe(a.id);
      expect(await repo.get(a.id)).toMatchObject({ name: '某某科技有限公司', employees: 120, regionCode: '320102' });
    });

    it('matches by credit code when given, whatever the name, and gives a name-only record its code', async () => {
      const repo = await make();
      const named = await repo.upsert(org(), now);
      const coded = await repo.upsert(org({ uscc: '91350100M000100Y43', sizeClass: 'aboveDesignatedSize' }), now);
      expect(coded.id).toBe(named.id);
      expect(coded).toMatchObject({ uscc: '91350100M000100Y43', sizeClass: 'aboveDesignatedSize' });
      const renamed = await repo.upsert(org({ name: '某某科技股份有限公司', uscc: '91350100M000100Y43' }), now);
      expect(renamed.id).toBe(named.id);
      const other = await repo.upsert(org({ name: '某某科技有限公司', uscc: '91110000802100433B' }), now);
      expect(other.id).not.toBe(named.id);
    });

    it('keeps known facts when a later registration does not give them', async () => {
      const repo = await make();
      await repo.upsert(org({ sizeClass: 'aboveDesignatedSize', employees: 300 }), now);
      expect(await repo.upsert(org(), now)).toMatchObject({ sizeClass: 'aboveDesignatedSize', employees: 300 });
    });

    it('ends in one record when one organisation registers many times at once', async () => {
      const repo = await make();
      const all = await Promise.all(Array.from({ length: 10 }, () => repo.upsert(org({ name: '并发组织' }), now)));
      expect(new Set(all.map((o) => o.id)).size).toBe(1);
    });
  });
}
