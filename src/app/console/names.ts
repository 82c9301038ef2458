import type { PolicySet } from '../../domain/policy/load.ts';
import { findRegion, type RegionNode } from '../../domain/regions/regions.ts';

export type Lang = 'zh-CN' | 'en';

/**
 * Display names for ids the console shows (stages, levels, regions), from the loaded policies and region tree. A
 * stage or level id means the same in every policy that has it; the first policy that names it wins.
 */
export function namesOf(policies: PolicySet, regions: readonly RegionNode[]) {
  const stages = new Map<string, { 'zh-CN': string; en: string }>();
  const levels = new Map<string, { 'zh-CN': string; en: string }>();
  for (const p of policies.all()) {
    for (const s of p.pipeline.stages) if (!stages.has(s.id)) stages.set(s.id, s.name);
    for (const l of p.levels) if (!levels.has(l.id)) levels.set(l.id, l.name);
  }
  return {
    stage: (id: string, lang: Lang = 'zh-CN') => stages.get(id)?.[lang] ?? id,
    level: (id: string, lang: Lang = 'zh-CN') => levels.get(id)?.[lang] ?? id,
    /** A region code or a boundary prefix (3201 is the city 320100). */
    region: (code: string, lang: Lang = 'zh-CN') => {
      const full = code.length === 2 ? `${code}0000` : code.length === 4 ? `${code}00` : code;
      return findRegion(regions, full)?.name[lang] ?? code;
    },
  };
}
