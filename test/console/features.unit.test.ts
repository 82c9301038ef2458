import { describe, expect, it } from 'vitest';
import { features, menuEntries, mergeMessages } from '../../console/src/features/index.ts';
import type { MessageTree } from '../../console/src/features/feature.ts';

function keys(tree: MessageTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}

describe('console features', () => {
  it('merges a feature\'s messages into the core ones, deeply', () => {
    const merged = mergeMessages({ nav: { dashboard: '工作台' }, common: { ok: '确定' } }, { nav: { polls: '满意度测评' }, polls: { title: '测评' } });
    expect(merged).toEqual({ nav: { dashboard: '工作台', polls: '满意度测评' }, common: { ok: '确定' }, polls: { title: '测评' } });
  });

  it('refuses a message two areas define with different texts, naming it', () => {
    expect(() => mergeMessages({ nav: { polls: '测评' } }, { nav: { polls: '满意度' } })).toThrow(/nav\.polls/);
    expect(() => mergeMessages({ nav: { polls: '测评' } }, { nav: { polls: { x: 'y' } } })).toThrow(/nav\.polls/);
  });

  it('places feature menu entries among the core ones by order', () => {
    const core = [
      { name: 'a', title: 'nav.a', order: 10 },
      { name: 'z', title: 'nav.z', order: 90 },
    ];
    const names = menuEntries(core).map((m) => m.name);
    expect(names[0]).toBe('a');
    expect(names.at(-1)).toBe('z');
    expect(names).toHaveLength(2 + features.reduce((n, f) => n + (f.menu?.length ?? 0), 0));
  });

  it.each(features.map((f, i) => [f.menu?.[0]?.name ?? `feature ${i}`, f] as const))('%s has the same message keys in zh-CN and en', (_name, feature) => {
    expect(keys(feature.messages.en).sort()).toEqual(keys(feature.messages['zh-CN']).sort());
  });
});
