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

/** el-cascader's filter: a node matches when its path of names contains the words typed, or its code starts with them. */
export function regionMatches(node: { text: string; value: unknown }, keyword: string): boolean {
  const k = keyword.trim();
  if (!k) return true;
  return node.text.toLowerCase().includes(k.toLowerCase()) || String(node.value).startsWith(k);
}
