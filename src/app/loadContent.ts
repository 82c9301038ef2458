import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parsePolicy, parsePolicyMapping, PolicySet } from '../domain/policy/load.ts';
import { parseRegionFile, type RegionNode } from '../domain/regions/regions.ts';
import { FlowRegistry, lintFlows, parseFlow, type LintFinding } from '../engine/index.ts';
import type { Translator } from '../engine/types.ts';
import { loadTemplates } from '../templates/loadTemplates.ts';
import { createTranslator } from '../templates/translator.ts';

/** Everything the engine needs that lives in files: flows, templates, the region tree. Read once at start-up. */
export interface Content {
  flows: FlowRegistry;
  translator: Translator;
  regions: RegionNode[];
  policies: PolicySet;
  findings: LintFinding[];
}

/** Files in policies/ that are not policies themselves. */
const NOT_POLICIES = new Set(['regions.yaml', 'mapping.yaml']);

export interface ContentPaths {
  root: string;
  defaultLocale: string;
  /** The actions the code has (ACTION_NAMES): a flow step calling another is an error finding. */
  actions?: readonly string[];
}

/** Flow files: `flows/*.yaml` (current) and `flows/archive/*.yaml` (older versions kept for running conversations). */
export function flowFiles(root: string): string[] {
  const list = (dir: string) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
        .sort()
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  };
  return [...list(join(root, 'flows')), ...list(join(root, 'flows', 'archive'))];
}

export function loadContent({ root, defaultLocale, actions }: ContentPaths): Content {
  const translator = createTranslator(loadTemplates(join(root, 'templates')), defaultLocale);
  const flows = new FlowRegistry(flowFiles(root).map((file) => parseFlow(readFileSync(file, 'utf8'), relative(root, file))));
  const regionsPath = join(root, 'policies', 'regions.yaml');
  const regionFile = parseRegionFile(parseYaml(readFileSync(regionsPath, 'utf8')));
  if (!regionFile.ok) throw new Error(`${regionsPath}: ${regionFile.issues.join('; ')}`);
  const policyDir = join(root, 'policies');
  const policies = new PolicySet(
    readdirSync(policyDir)
      .filter((f) => f.endsWith('.yaml') && !NOT_POLICIES.has(f))
      .sort()
      .map((f) => parsePolicy(readFileSync(join(policyDir, f), 'utf8'), `policies/${f}`)),
    parsePolicyMapping(readFileSync(join(policyDir, 'mapping.yaml'), 'utf8'), 'policies/mapping.yaml'),
  );
  const findings = [...lintFlows(flows, translator, defaultLocale), ...(actions ? unknownActions(flows, actions) : [])];
  return { flows, translator, regions: regionFile.value.regions, policies, findings };
}

/** Flow steps calling an action the code does not have (a Set: a name like "constructor" is no action). */
function unknownActions(flows: FlowRegistry, actions: readonly string[]): LintFinding[] {
  const known = new Set(actions);
  return flows.all().flatMap((flow) =>
    flow.steps.flatMap((step) =>
      step.kind === 'action' && !known.has(step.action)
        ? [{ severity: 'error' as const, file: flow.file, step: step.id, message: `action \`${step.action}\` does not exist; known actions: ${actions.join(', ')}` }]
        : [],
    ),
  );
}
