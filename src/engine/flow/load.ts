import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { FlowLoadError } from '../errors.ts';
import { flowFileSchemaV1, type Flow, type Step } from './schema.ts';

/** Known file-format versions. A new version adds its schema here and a function that lifts it to the newest. */
const SCHEMAS = { 1: flowFileSchemaV1 } as const;

/** Parse and check one flow file's text. Pure: the caller reads the file. Errors name the file and the step. */
export function parseFlow(text: string, file: string): Flow {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new FlowLoadError(file, [`not valid YAML: ${msg}`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new FlowLoadError(file, ['the file must be a YAML mapping with schema, id, version and steps']);
  }
  const schemaVersion = (raw as Record<string, unknown>).schema;
  const schema = SCHEMAS[schemaVersion as keyof typeof SCHEMAS];
  if (!schema) {
    throw new FlowLoadError(file, [
      `unknown flow schema ${JSON.stringify(schemaVersion)}; supported: ${Object.keys(SCHEMAS).join(', ')} (add "schema: 1" at the top)`,
    ]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new FlowLoadError(file, describeIssues(parsed.error.issues, raw as Record<string, unknown>));
  }
  const data = parsed.data;
  const stepsById = new Map<string, Step>();
  const problems: string[] = [];
  for (const step of data.steps) {
    if (stepsById.has(step.id)) problems.push(`step \`${step.id}\`: the id is used twice; step ids must be unique`);
    stepsById.set(step.id, step);
  }
  const startStep = data.start ?? data.steps[0]!.id;
  if (!stepsById.has(startStep)) problems.push(`start: step \`${startStep}\` does not exist`);
  if (problems.length) throw new FlowLoadError(file, problems);
  return { ...data, file, startStep, stepsById };
}

/** Turn zod's paths (steps.3.input.type) into "step `mobile`: input.type: ..." so authors find the spot. */
function describeIssues(issues: z.core.$ZodIssue[], raw: Record<string, unknown>): string[] {
  const steps = Array.isArray(raw.steps) ? (raw.steps as unknown[]) : [];
  return issues.map((issue) => {
    const path = [...issue.path];
    let where = '';
    if (path[0] === 'steps' && typeof path[1] === 'number') {
      const step = steps[path[1]] as { id?: unknown } | undefined;
      const stepName = typeof step?.id === 'string' ? step.id : `#${path[1] + 1}`;
      where = `step \`${stepName}\``;
      path.splice(0, 2);
    }
    const field = path.map(String).join('.');
    const location = [where, field].filter(Boolean).join(': ');
    return `${location || '(top level)'}: ${issue.message}`;
  });
}
