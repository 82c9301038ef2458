/**
 * The administrative region tree (province → city → county → township/street) that workers and organisations are
 * placed in. Codes are GB/T 2260 division codes (6 digits) and, below the county, the first 9 digits of the
 * National Bureau of Statistics' 统计用区划代码. The data lives in policies/regions.yaml; the app reads and parses
 * the file, these functions only look things up.
 */
import { z } from 'zod';
import { normalizeInput } from '../text/normalize.ts';

/** A type alias, not an interface, so it can be read as Record<string, string> by locale. */
export type RegionName = {
  'zh-CN': string;
  en: string;
};

export interface RegionNode {
  code: string;
  name: RegionName;
  children?: RegionNode[];
}

export type RegionLevel = 'province' | 'city' | 'county' | 'township';

const CODE = /^(\d{6}|\d{9})$/;

/**
 * The level a code names: XX0000 province, XXXX00 prefecture city, other 6-digit codes county level, 9 digits
 * township or street. undefined for anything that is not a region code.
 */
export function regionLevel(code: string): RegionLevel | undefined {
  if (!CODE.test(code)) return undefined;
  if (code.length === 9) return 'township';
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

/**
 * The digits every code below this one starts with: 32 for 320000, 3201 for 320100, the whole code for a county.
 * (Province-run cities and counties such as 429004 still start with their province's 42.)
 */
export function regionPrefix(code: string): string {
  switch (regionLevel(code)) {
    case 'province':
      return code.slice(0, 2);
    case 'city':
      return code.slice(0, 4);
    default:
      return code;
  }
}

const regionNodeSchema: z.ZodType<RegionNode> = z.lazy(() =>
  z.strictObject({
    code: z
      .string({ error: 'a region code is a string: quote it in YAML, e.g. code: "320100"' })
      .regex(CODE, 'a region code is 6 digits (GB/T 2260) or 9 digits (township/street); quote it in YAML: "320100"'),
    name: z.strictObject({ 'zh-CN': z.string().trim().min(1), en: z.string().trim().min(1) }),
    children: z.array(regionNodeSchema).optional(),
  }),
);

/**
 * policies/regions.yaml: `version: 1` and the top-level regions. Beyond the shape it checks that every code is used
 * once and that each child lies inside its parent (its code starts with the parent's prefix), so a typo in
 * the data stops start-up with the path of the bad node instead of filing people under the wrong county.
 */
export const RegionFileSchema = z
  .strictObject({
    version: z.literal(1),
    regions: z.array(regionNodeSchema),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, string>();
    const visit = (node: RegionNode, path: (string | number)[], parent: RegionNode | undefined): void => {
      const where = seen.get(node.code);
      if (where !== undefined) {
        ctx.addIssue({ code: 'custom', path: [...path, 'code'], message: `code ${node.code} is used twice (also at ${where})` });
      } else {
        seen.set(node.code, path.join('.'));
      }
      if (parent) {
        // Starting with the parent's prefix also makes the child a lower level: 32xxxx under 320000, 3201xx
        // under 320100, nine digits under a county (the parent's own code is caught as a duplicate above).
        const prefix = regionPrefix(parent.code);
        if (!node.code.startsWith(prefix)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'code'],
            message: `${node.code} (${node.name['zh-CN']}) cannot be under ${parent.code} (${parent.name['zh-CN']}): a child must be a lower level whose code starts with ${prefix}`,
          });
        }
      }
      node.children?.forEach((child, i) => visit(child, [...path, 'children', i], node));
    };
    file.regions.forEach((node, i) => visit(node, ['regions', i], undefined));
  });

export type RegionFile = z.infer<typeof RegionFileSchema>;

/** Check already-parsed file content (the app reads the file and parses YAML). */
export function parseRegionFile(data: unknown): { ok: true; value: RegionFile } | { ok: false; issues: string[] } {
  const parsed = RegionFileSchema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`),
  };
}

function cleanCode(code: string): string {
  return normalizeInput(code).replace(/ /g, '');
}

/** The nodes from a top-level region down to the one with this code, inclusive; empty when the code is unknown. */
export function regionPath(tree: readonly RegionNode[], code: string): RegionNode[] {
  const wanted = cleanCode(code);
  const walk = (nodes: readonly RegionNode[], trail: RegionNode[]): RegionNode[] | undefined => {
    for (const node of nodes) {
      if (node.code === wanted) return [...trail, node];
      if (node.children) {
        const found = walk(node.children, [...trail, node]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(tree, []) ?? [];
}

export function findRegion(tree: readonly RegionNode[], code: string): RegionNode | undefined {
  return regionPath(tree, code).at(-1);
}

/**
 * The children of a region, or the top-level regions for null. Empty for a leaf and for an unknown code.
 * The array is the tree's own: read it, do not change it.
 */
export function childrenOf(tree: readonly RegionNode[], code: string | null): RegionNode[] {
  if (code === null) return tree as RegionNode[];
  return findRegion(tree, code)?.children ?? [];
}

/** Whether a region has no children. With a tree and a code: false when the code is unknown. */
export function isLeaf(node: RegionNode): boolean;
export function isLeaf(tree: readonly RegionNode[], code: string): boolean;
export function isLeaf(nodeOrTree: RegionNode | readonly RegionNode[], code?: string): boolean {
  if (!Array.isArray(nodeOrTree)) return !(nodeOrTree as RegionNode).children?.length;
  const node = findRegion(nodeOrTree as readonly RegionNode[], code ?? '');
  return node !== undefined && !node.children?.length;
}
