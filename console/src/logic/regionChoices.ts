/**
 * The account form's region picker: the catalog's tree of regions below the admin's (accountRegions) as
 * el-cascader options in the page's language, searchable by name or by code.
 */
import type { RegionChoice } from '../api/types.ts';
import { localized, type Locale } from './format.ts';

export interface RegionOption {
  value: string;
  label: string;
  children?: RegionOption[];
}

export function regionOptions(tree: readonly RegionChoice[] | undefined, locale: Locale): RegionOption[] {
  return (tree ?? []).map((r) => ({
    value: r.code,
    label: localized(r.name, locale, r.code),
    ...(r.children?.length ? { children: regionOptions(r.children, locale) } : {}),
  }));
}

/** A path of names as typed: lower case, without the cascader's " / " separators and spaces. */
const squeezed = (text: string) => text.toLowerCase().replace(/[\s/]+/g, '');

/**
 * el-cascader's filter: a node matches when its path of names contains the words typed, or its code starts with
 * them (a settings prefix such as 3201 also matches the full code typed, 320100). The path matches without its
 * separators too: typing after the chosen region's name (南京市 → 南京市玄武) still finds 南京市 / 玄武区.
 */
export function regionMatches(node: { text: string; value: unknown }, keyword: string): boolean {
  const k = keyword.trim();
  if (!k) return true;
  const code = String(node.value);
  return node.text.toLowerCase().includes(k.toLowerCase()) || squeezed(node.text).includes(squeezed(k)) || code.startsWith(k) || code === regionPrefixOf(k);
}

/**
 * The digits every code below a region starts with, as region settings are keyed: 32 for the province 320000,
 * 3201 for the city 320100, the whole code for a county or a street (as the API's regionPrefix).
 */
export function regionPrefixOf(code: string): string {
  if (/^\d{2}0000$/.test(code)) return code.slice(0, 2);
  if (/^\d{4}00$/.test(code)) return code.slice(0, 4);
  return code;
}

/**
 * The reminder settings' region picker: the admin's own region at the root (settings are set there too) and the
 * catalog's tree below it, every value the prefix the settings API takes.
 */
export function scopeRegionOptions(own: { code: string; name?: string | undefined }, tree: readonly RegionChoice[] | undefined, locale: Locale): RegionOption[] {
  const byPrefix = (options: RegionOption[]): RegionOption[] =>
    options.map((o) => ({ value: regionPrefixOf(o.value), label: o.label, ...(o.children ? { children: byPrefix(o.children) } : {}) }));
  const below = byPrefix(regionOptions(tree, locale));
  return [{ value: regionPrefixOf(own.code), label: own.name || own.code, ...(below.length ? { children: below } : {}) }];
}
