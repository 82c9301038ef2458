import { describe, expect, it } from 'vitest';
import type { RegionChoice } from '../../console/src/api/types.ts';
import { regionMatches, regionPrefixOf, scopeRegionOptions } from '../../console/src/logic/regionChoices.ts';
import { regionPrefix } from '../../src/domain/regions/regions.ts';

const BELOW: RegionChoice[] = [
  { code: '320102', name: { 'zh-CN': '玄武区', en: '玄武区' }, children: [{ code: '320102001', name: { 'zh-CN': '梅园新村街道', en: '梅园新村街道' } }] },
  { code: '320104', name: { 'zh-CN': '秦淮区', en: '秦淮区' } },
];

describe('the reminder settings’ region picker', () => {
  it('regression: the region of the reminder settings was a code typed by hand; it is the admin’s region and the tree below, as settings prefixes', () => {
    expect(scopeRegionOptions({ code: '320100', name: '南京市' }, BELOW, 'zh-CN')).toEqual([
      {
        value: '3201',
        label: '南京市',
        children: [
          { value: '320102', label: '玄武区', children: [{ value: '320102001', label: '梅园新村街道' }] },
          { value: '320104', label: '秦淮区' },
        ],
      },
    ]);
    // A street admin has nothing below: just their own region.
    expect(scopeRegionOptions({ code: '320102001' }, [], 'en')).toEqual([{ value: '320102001', label: '320102001' }]);
  });

  it('keys a region as the settings API does (its regionPrefix)', () => {
    for (const code of ['320000', '320100', '320102', '320102001', '429004']) expect(regionPrefixOf(code)).toBe(regionPrefix(code));
  });

  it('finds the city by its full code although its value is the prefix 3201', () => {
    const city = { text: '南京市', value: '3201' };
    expect([regionMatches(city, '320100'), regionMatches(city, '32'), regionMatches(city, '南京'), regionMatches(city, '320200')]).toEqual([true, true, true, false]);
  });

  it('regression: typing 玄武 after the chosen 南京市 found nothing (the input held 南京市玄武)', () => {
    const county = { text: '南京市 / 玄武区', value: '320102' };
    expect([regionMatches(county, '南京市玄武'), regionMatches(county, '南京市 玄武'), regionMatches(county, '南京市秦淮')]).toEqual([true, true, false]);
  });
});
