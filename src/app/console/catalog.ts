import { childrenOf, type RegionNode } from '../../domain/regions/regions.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { ConsoleDeps } from './deps.ts';

type Localized = { 'zh-CN': string; en: string };

/**
 * The ids the queue's filters take, with their names in both languages: every stage and level of the loaded
 * policies (in pipeline and policy order; the admin's own levels only, when limited to some) and the regions
 * directly below the admin's. The pickers show names; admins do not type ids such as qualificationReview.
 */
export function catalog(deps: ConsoleDeps, admin: AdminRecord) {
  const stages = new Map<string, Localized>();
  const levels = new Map<string, Localized>();
  for (const p of deps.policies.all()) {
    for (const s of p.pipeline.stages) if (!stages.has(s.id)) stages.set(s.id, s.name);
    for (const l of p.levels) if (!levels.has(l.id) && (admin.levels.length === 0 || admin.levels.includes(l.id))) levels.set(l.id, l.name);
  }
  return {
    stages: [...stages].map(([id, name]) => ({ id, name })),
    levels: [...levels].map(([id, name]) => ({ id, name })),
    regions: childrenOf(deps.regions, admin.regionCode).map((r) => ({ code: r.code, name: r.name })),
    // The account form's region picker: every region the admin may create an account for (strictly below theirs).
    accountRegions: childrenOf(deps.regions, admin.regionCode).map(choice),
  };
}

type RegionChoice = { code: string; name: Localized; children?: RegionChoice[] };

function choice(node: RegionNode): RegionChoice {
  return { code: node.code, name: node.name, ...(node.children?.length ? { children: node.children.map(choice) } : {}) };
}
