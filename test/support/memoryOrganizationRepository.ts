import { organizationNameKey, type Organization, type OrganizationRepository } from '../../src/app/ports/organizationRepository.ts';

/** In-memory OrganizationRepository for pure engine tests; passes the same contract as the Mongo one. */
export function createMemoryOrganizationRepository(): OrganizationRepository {
  const byKey = new Map<string, Organization>();
  let seq = 0;
  const nameKey = (region: string, name: string) => `name:${region}:${organizationNameKey(name)}`;
  return {
    async upsert(input, now) {
      const facts = { type: input.type, updatedAt: now, ...(input.sizeClass ? { sizeClass: input.sizeClass } : {}), ...(input.employees !== null ? { employees: input.employees } : {}) };
      if (input.uscc && byKey.has(nameKey(input.regionCode, input.name))) {
        const org = byKey.get(nameKey(input.regionCode, input.name))!;
        byKey.delete(nameKey(input.regionCode, input.name));
        Object.assign(org, facts, { uscc: input.uscc });
        byKey.set(`uscc:${input.uscc}`, org);
        return structuredClone(org);
      }
      const key = input.uscc ? `uscc:${input.uscc}` : nameKey(input.regionCode, input.name);
      const existing = byKey.get(key);
      if (existing) {
        Object.assign(existing, facts);
        return structuredClone(existing);
      }
      const org: Organization = { id: `o${++seq}`, name: input.name, type: input.type, sizeClass: input.sizeClass, regionCode: input.regionCode, employees: input.employees, uscc: input.uscc, createdAt: now, updatedAt: now };
      byKey.set(key, org);
      return structuredClone(org);
    },
    async get(id) {
      for (const o of byKey.values()) if (o.id === id) return structuredClone(o);
      return null;
    },
  };
}
