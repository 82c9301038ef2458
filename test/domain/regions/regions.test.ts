import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  RegionFileSchema,
  childrenOf,
  findRegion,
  isLeaf,
  parseRegionFile,
  regionLevel,
  regionPath,
  regionPrefix,
  type RegionNode,
} from '../../../src/domain/regions/regions.ts';

const file = fileURLToPath(new URL('../../../policies/regions.yaml', import.meta.url));
const data = RegionFileSchema.parse(parse(readFileSync(file, 'utf8')));
const tree = data.regions;

function* allNodes(nodes: readonly RegionNode[]): Generator<[RegionNode, RegionNode | undefined]> {
  const stack: [RegionNode, RegionNode | undefined][] = nodes.map((n) => [n, undefined]);
  while (stack.length) {
    const [node, parent] = stack.pop()!;
    yield [node, parent];
    for (const child of node.children ?? []) stack.push([child, node]);
  }
}

const names = (nodes: readonly RegionNode[]): string[] => nodes.map((n) => n.name['zh-CN']);

describe('policies/regions.yaml', () => {
  it('is version 1', () => {
    expect(data.version).toBe(1);
  });

  it('has Jiangsu with its 13 prefecture-level cities, 南京 to 宿迁', () => {
    const cities = childrenOf(tree, '320000');
    expect(cities.map((c) => c.code)).toEqual(
      Array.from({ length: 13 }, (_, i) => `32${String(i + 1).padStart(2, '0')}00`),
    );
    expect(names(cities)).toEqual([
      '南京市', '无锡市', '徐州市', '常州市', '苏州市', '南通市', '连云港市',
      '淮安市', '盐城市', '扬州市', '镇江市', '泰州市', '宿迁市',
    ]);
  });

  it('gives every Jiangsu city its county-level divisions (95 in all)', () => {
    const counts = Object.fromEntries(childrenOf(tree, '320000').map((c) => [c.code, c.children?.length ?? 0]));
    expect(counts).toEqual({
      '320100': 11, '320200': 7, '320300': 10, '320400': 6, '320500': 9, '320600': 7, '320700': 6,
      '320800': 7, '320900': 9, '321000': 6, '321100': 6, '321200': 6, '321300': 5,
    });
  });

  it.each([
    ['320106', '鼓楼区', 'Gulou District'],
    ['320302', '鼓楼区', 'Gulou District'],
    ['320281', '江阴市', 'Jiangyin City'],
    ['320583', '昆山市', 'Kunshan City'],
    ['320614', '海门区', 'Haimen District'],
    ['320685', '海安市', "Hai'an City"],
    ['320812', '清江浦区', 'Qingjiangpu District'],
    ['320321', '丰县', 'Feng County'],
    ['321324', '泗洪县', 'Sihong County'],
  ])('%s is %s (%s)', (code, zh, en) => {
    expect(findRegion(tree, code)?.name).toEqual({ 'zh-CN': zh, en });
  });

  it('uses every code once', () => {
    const codes = [...allNodes(tree)].map(([n]) => n.code);
    expect(codes.length).toBeGreaterThan(120);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('puts every child under a parent whose prefix its code starts with, one level down or more', () => {
    const order = ['province', 'city', 'county', 'township'];
    for (const [node, parent] of allNodes(tree)) {
      expect(regionLevel(node.code), node.code).toBeDefined();
      if (!parent) continue;
      expect(node.code.startsWith(regionPrefix(parent.code)), `${node.code} under ${parent.code}`).toBe(true);
      expect(order.indexOf(regionLevel(node.code)!)).toBeGreaterThan(order.indexOf(regionLevel(parent.code)!));
    }
  });

  it('has non-empty Chinese and English names everywhere', () => {
    for (const [node] of allNodes(tree)) {
      expect(node.name['zh-CN'].trim(), node.code).not.toBe('');
      expect(node.name.en, node.code).toMatch(/^[A-Z][a-z']+( [A-Z][a-z']+)*$/);
    }
  });

  it('has Pinghu under Jiaxing, Zhejiang, with its 3 streets and 6 towns', () => {
    expect(regionPath(tree, '330482').map((n) => n.code)).toEqual(['330000', '330400', '330482']);
    const units = childrenOf(tree, '330482');
    expect(Object.fromEntries(units.map((u) => [u.code, u.name['zh-CN']]))).toEqual({
      '330482001': '当湖街道',
      '330482002': '钟埭街道',
      '330482003': '曹桥街道',
      '330482101': '乍浦镇',
      '330482102': '新埭镇',
      '330482103': '新仓镇',
      '330482106': '广陈镇',
      '330482107': '林埭镇',
      '330482108': '独山港镇',
    });
    for (const unit of units) expect(isLeaf(unit)).toBe(true);
  });
});

// ---- helpers over a small hand-made tree, so these tests do not depend on the data file ------------------------

const n = (code: string, zh: string, children?: RegionNode[]): RegionNode => ({
  code,
  name: { 'zh-CN': zh, en: zh },
  ...(children ? { children } : {}),
});
const small: RegionNode[] = [
  n('320000', '江苏省', [n('320100', '南京市', [n('320106', '鼓楼区', [n('320106001', '宁海路街道')])]), n('320200', '无锡市', [])]),
  n('330000', '浙江省'),
];

describe('region helpers', () => {
  it('finds nodes at every depth, and nothing for unknown codes', () => {
    expect(findRegion(small, '320000')?.name['zh-CN']).toBe('江苏省');
    expect(findRegion(small, '320106001')?.name['zh-CN']).toBe('宁海路街道');
    expect(findRegion(small, '330000')?.name['zh-CN']).toBe('浙江省');
    expect(findRegion(small, '320106002')).toBeUndefined();
    expect(findRegion(small, '')).toBeUndefined();
  });

  it('accepts a code typed with full-width digits or spaces', () => {
    expect(findRegion(small, ' ３２０１０６ ')?.name['zh-CN']).toBe('鼓楼区');
  });

  it('returns the path from the root', () => {
    expect(names(regionPath(small, '320106001'))).toEqual(['江苏省', '南京市', '鼓楼区', '宁海路街道']);
    expect(names(regionPath(small, '330000'))).toEqual(['浙江省']);
    expect(regionPath(small, '999999')).toEqual([]);
  });

  it('lists children, and the top level for null', () => {
    expect(names(childrenOf(small, null))).toEqual(['江苏省', '浙江省']);
    expect(names(childrenOf(small, '320000'))).toEqual(['南京市', '无锡市']);
    expect(childrenOf(small, '320106001')).toEqual([]);
    expect(childrenOf(small, '999999')).toEqual([]);
  });

  it.each([
    ['320106001', true],
    ['330000', true], // no children key
    ['320200', true], // empty children list
    ['320106', false],
    ['320000', false],
    ['999999', false], // unknown
  ])('isLeaf(tree, %s) is %s', (code, leaf) => {
    expect(isLeaf(small, code)).toBe(leaf);
    const node = findRegion(small, code);
    if (node) expect(isLeaf(node)).toBe(leaf);
  });

  it.each([
    ['320000', 'province', '32'],
    ['320100', 'city', '3201'],
    ['320106', 'county', '320106'],
    ['429004', 'county', '429004'],
    ['320106001', 'township', '320106001'],
  ])('%s is a %s with prefix %s', (code, level, prefix) => {
    expect(regionLevel(code)).toBe(level);
    expect(regionPrefix(code)).toBe(prefix);
  });

  it.each(['32010', '3201060011', 'abcdef', ''])('%j is not a region code', (code) => {
    expect(regionLevel(code)).toBeUndefined();
  });
});

describe('RegionFileSchema', () => {
  const ok = { version: 1, regions: small };

  it('accepts a consistent tree', () => {
    expect(parseRegionFile(ok)).toMatchObject({ ok: true });
  });

  it.each([
    ['a duplicate code', { version: 1, regions: [n('320000', 'a', [n('320100', 'b'), n('320100', 'c')])] }, 'used twice'],
    ['a child outside its parent', { version: 1, regions: [n('320000', 'a', [n('330100', 'b')])] }, 'cannot be under'],
    ['a street under a city', { version: 1, regions: [n('320100', 'a', [n('330482001', 'b')])] }, 'cannot be under'],
    ['a child at its parent level', { version: 1, regions: [n('320100', 'a', [n('320200', 'b')])] }, 'cannot be under'],
    ['an unquoted code', { version: 1, regions: [{ code: 320000, name: { 'zh-CN': 'a', en: 'a' } }] }, 'quote it'],
    ['a missing English name', { version: 1, regions: [{ code: '320000', name: { 'zh-CN': 'a' } }] }, 'name.en'],
    ['another version', { version: 2, regions: [] }, 'version'],
    ['an unknown key', { version: 1, regions: [{ ...n('320000', 'a'), extra: 1 }] }, 'extra'],
  ])('rejects %s', (_label, input, fragment) => {
    const result = parseRegionFile(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.join('\n')).toContain(fragment);
  });
});
