import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as registered from '../../console/src/elementPlusComponents.ts';

const SRC = join(import.meta.dirname, '../../console/src');

function vueFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return vueFiles(path);
    return entry.name.endsWith('.vue') ? [path] : [];
  });
}

/** `<el-radio-button` → `ElRadioButton`, the name registerElementPlus() gives the component. */
function componentName(tag: string): string {
  return tag.split('-').map((part) => part[0]!.toUpperCase() + part.slice(1)).join('');
}

describe('Element Plus registration', () => {
  it('regression: the 新建培训 类型 radios were not drawn (el-radio used but not registered)', () => {
    // A tag that is not registered renders as a bare unknown element with no error, so only a scan catches it.
    const names = new Set(Object.values(registered).map((component) => (component as { name?: string }).name));
    const missing = new Map<string, Set<string>>();
    for (const file of vueFiles(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/<(el-[a-z][a-z-]*)/g)) {
        const name = componentName(match[1]!);
        if (names.has(name)) continue;
        missing.set(name, (missing.get(name) ?? new Set()).add(relative(SRC, file)));
      }
    }
    expect(Object.fromEntries([...missing].map(([name, files]) => [name, [...files]]))).toEqual({});
  });

  it('the scan sees the tags the pages use', () => {
    const tags = new Set(vueFiles(SRC).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/<(el-[a-z][a-z-]*)/g)].map((m) => m[1])));
    expect(tags.has('el-table-column')).toBe(true);
    expect(componentName('el-table-column')).toBe('ElTableColumn');
  });
});
