/// <reference types="vite/client" />
/** Every console feature folder (`features/<name>/feature.ts`), found at build time by Vite. */
import type { ConsoleFeature, MessageTree } from './feature.ts';

const modules = import.meta.glob<{ default: ConsoleFeature }>('./*/feature.ts', { eager: true });

export const features: ConsoleFeature[] = Object.keys(modules)
  .sort()
  .map((path) => modules[path]!.default);

/** Core menu entries and the features' ones, in `order`. */
export function menuEntries(core: { name: string; title: string; order: number }[]): { name: string; title: string }[] {
  return [...core, ...features.flatMap((f) => f.menu ?? [])].sort((a, b) => a.order - b.order);
}

/**
 * Deep-merges feature messages over a core locale. A key defined twice with different values is a mistake in a
 * feature (two areas claiming one message), so it throws at start rather than letting one silently win.
 */
export function mergeMessages(base: MessageTree, extra: MessageTree, path = ''): MessageTree {
  const out: MessageTree = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const here = out[key];
    const where = path ? `${path}.${key}` : key;
    if (here === undefined) out[key] = value;
    else if (typeof here === 'object' && typeof value === 'object') out[key] = mergeMessages(here, value, where);
    else if (here !== value) throw new Error(`console message "${where}" is defined twice with different texts`);
  }
  return out;
}
