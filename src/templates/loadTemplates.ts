import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Resource } from 'i18next';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** A template file maps keys to strings or to nested maps of the same. */
type TemplateTree = { [key: string]: string | TemplateTree };
const treeSchema: z.ZodType<TemplateTree> = z.lazy(() => z.record(z.string(), z.union([z.string(), treeSchema])));

/**
 * Read `templates/<locale>/<namespace>.yaml`. Locales are folder names (zh-CN first, en second by convention);
 * each file is one namespace (`registration.yaml` → keys `registration:...`).
 */
export function loadTemplates(dir: string): Resource {
  const resources: Resource = {};
  for (const locale of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    resources[locale] = {};
    for (const file of readdirSync(join(dir, locale)).filter((f) => f.endsWith('.yaml')).sort()) {
      const path = join(dir, locale, file);
      let raw: unknown;
      try {
        raw = parseYaml(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new Error(`${path}: not valid YAML (${(err as Error).message.split('\n')[0]}); quote values that contain ": "`);
      }
      const parsed = treeSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        throw new Error(`${path}: templates must be a mapping of keys to text (or nested mappings): ${parsed.error.issues[0]?.message}`);
      }
      resources[locale]![basename(file, '.yaml')] = parsed.data;
    }
  }
  if (Object.keys(resources).length === 0) throw new Error(`${dir}: no locale folders found (expected templates/zh-CN and templates/en)`);
  return resources;
}
