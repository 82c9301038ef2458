/**
 * Certification policies as data: parse `policies/<id>.yaml` and `policies/mapping.yaml`, and look policies up by
 * region. Pure: the caller reads the files and passes their text. Every error names the file and the path of the
 * offending value ("policies/pinghu.yaml: levels.1.conditions.minSatisfaction: ..."), as the flow loader does.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { LevelId } from '../certification/types.ts';
import { policyIdForRegion, policyMappingSchema, policySchema, type Level, type Policy, type PolicyMapping } from './schema.ts';

/** A policy or mapping file that cannot be used; `problems` are "path: message" lines. */
export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
  }
}

/** One policy file's text → a checked Policy. */
export function parsePolicy(text: string, file: string): Policy {
  return parseWith(policySchema, text, file, 'a policy file is a YAML mapping with schema, id, name, regionCode, levels, pipeline, ...');
}

/** `policies/mapping.yaml`'s text → a checked PolicyMapping. */
export function parsePolicyMapping(text: string, file: string): PolicyMapping {
  return parseWith(policyMappingSchema, text, file, 'the mapping file is a YAML mapping with schema and mappings');
}

function parseWith<S extends z.ZodType>(schema: S, text: string, file: string, shape: string): z.output<S> {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new PolicyLoadError(file, [`not valid YAML: ${msg}`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PolicyLoadError(file, [shape]);
  const version = (raw as Record<string, unknown>).schema;
  if (version !== 1) {
    throw new PolicyLoadError(file, [`schema: unknown schema ${JSON.stringify(version)}; supported: 1 (add "schema: 1" at the top)`]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new PolicyLoadError(file, describeIssues(parsed.error.issues));
  return parsed.data;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path || '(top level)'}: ${issue.message}`;
  });
}

/**
 * The loaded policies and the region mapping, checked against each other: every mapping names a loaded policy, no
 * prefix is mapped twice, and no policy's own region is sent to another policy.
 */
export class PolicySet {
  private readonly byId = new Map<string, Policy>();
  private readonly levels = new Map<Policy, Map<LevelId, Level>>();

  constructor(
    policies: readonly Policy[],
    readonly mapping: PolicyMapping,
    /** Named in errors. */
    mappingFile = 'policies/mapping.yaml',
  ) {
    const problems: string[] = [];
    for (const p of policies) {
      if (this.byId.has(p.id)) problems.push(`policy \`${p.id}\` is loaded twice`);
      this.byId.set(p.id, p);
      this.levels.set(p, new Map(p.levels.map((l) => [l.id, l])));
    }
    const prefixes = new Set<string>();
    mapping.mappings.forEach((m, i) => {
      if (!this.byId.has(m.policy)) {
        const known = [...this.byId.keys()].join(', ') || 'none';
        problems.push(`mappings.${i}.policy: region prefix ${m.regionPrefix} maps to policy \`${m.policy}\`, which is not loaded (loaded: ${known})`);
      }
      if (prefixes.has(m.regionPrefix)) problems.push(`mappings.${i}.regionPrefix: prefix ${m.regionPrefix} is mapped twice`);
      prefixes.add(m.regionPrefix);
    });
    for (const p of this.byId.values()) {
      const governing = policyIdForRegion(mapping, p.regionCode);
      if (governing !== null && governing !== p.id) {
        problems.push(`policy \`${p.id}\` issues certificates for region ${p.regionCode}, but the mapping sends that region to \`${governing}\``);
      }
    }
    if (problems.length) throw new PolicyLoadError(mappingFile, problems);
  }

  /** The policy governing a region code (6 or 9 digits), or null where no policy applies yet. */
  forRegion(regionCode: string): Policy | null {
    const id = policyIdForRegion(this.mapping, regionCode);
    return id === null ? null : (this.byId.get(id) ?? null);
  }

  get(id: string): Policy | null {
    return this.byId.get(id) ?? null;
  }

  /** A level of a policy by id, or null (an application may name a level a later policy version dropped). */
  level(policy: Policy, levelId: LevelId): Level | null {
    const levels = this.levels.get(policy) ?? new Map(policy.levels.map((l) => [l.id, l]));
    return levels.get(levelId) ?? null;
  }

  all(): Policy[] {
    return [...this.byId.values()];
  }
}
