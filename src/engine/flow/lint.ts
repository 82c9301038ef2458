import type { Translator } from '../types.ts';
import type { FlowRegistry } from './registry.ts';
import type { Flow, Step } from './schema.ts';

export interface LintFinding {
  severity: 'error' | 'warning';
  file: string;
  step?: string;
  message: string;
}

/**
 * Static checks over loaded flows. Errors make start-up refuse the flow (unknown targets and flows, template keys
 * missing everywhere); warnings are printed (unreachable steps, a key missing in one locale, which falls back).
 */
export function lintFlows(registry: FlowRegistry, translator: Translator, defaultLocale: string): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const flow of registry.all()) {
    const add = (severity: LintFinding['severity'], step: string | undefined, message: string) =>
      findings.push({ severity, file: flow.file, ...(step ? { step } : {}), message });
    const known = [...flow.stepsById.keys()];

    for (const step of flow.steps) {
      for (const target of targetsOf(step)) {
        if (!flow.stepsById.has(target)) {
          add('error', step.id, `target \`${target}\` does not exist; known steps: ${known.join(', ')}`);
        }
      }
      for (const other of flowsOf(step)) {
        if (!registry.has(other)) add('error', step.id, `flow \`${other}\` is not loaded; known flows: ${registry.ids().join(', ')}`);
      }
      if (step.kind === 'summary') {
        for (const field of step.fields) {
          if (!flow.steps.some((s) => s.kind === 'ask' && (s.field ?? s.id) === field)) {
            add('error', step.id, `summary field \`${field}\` is not asked by any step of this flow`);
          }
        }
      }
      if (step.kind === 'ask' && step.input.type === 'text' && step.input.pattern) {
        try {
          new RegExp(step.input.pattern, 'u');
        } catch (err) {
          add('error', step.id, `input.pattern is not a valid regular expression: ${(err as Error).message}`);
        }
      }
      for (const { key, optional } of templateKeysOf(flow, step)) {
        const present = translator.locales().filter((l) => translator.has(l, key));
        if (present.length === 0) {
          if (!optional) add('error', step.id, `template \`${key}\` does not exist in any locale; add it to templates/${defaultLocale}/${key.split(':')[0]}.yaml`);
        } else {
          for (const locale of translator.locales()) {
            if (!present.includes(locale)) add('warning', step.id, `template \`${key}\` is missing in ${locale} (falls back to ${defaultLocale})`);
          }
        }
      }
    }
    const titleKey = flow.title ?? `${flow.id}:title`;
    if (!translator.locales().some((l) => translator.has(l, titleKey))) add('error', undefined, `title template \`${titleKey}\` does not exist`);

    for (const id of unreachable(flow)) add('warning', id, 'step is unreachable from the start step');
  }
  return findings;
}

function targetsOf(step: Step): string[] {
  const out: string[] = [];
  const addNext = (n: unknown) => {
    if (typeof n === 'string') out.push(n);
    else if (Array.isArray(n)) for (const o of n as { goto: string }[]) out.push(o.goto);
  };
  switch (step.kind) {
    case 'branch':
      step.branches.forEach((b) => out.push(b.goto));
      out.push(step.default);
      break;
    case 'goto':
      out.push(step.target);
      break;
    case 'action':
      addNext(step.next);
      if (step.onError) out.push(step.onError);
      break;
    case 'summary':
      addNext(step.next);
      if (step.cancel) out.push(step.cancel);
      break;
    case 'end':
      break;
    default:
      addNext(step.next);
  }
  return out;
}

function flowsOf(step: Step): string[] {
  if (step.kind === 'subflow') return [step.flow];
  if (step.kind === 'end' && step.startFlow) return [step.startFlow];
  return [];
}

/** Keys a step will render; `optional` ones may be absent (the engine has a fallback for them). */
function templateKeysOf(flow: Flow, step: Step): { key: string; optional: boolean }[] {
  const k = (suffix: string) => `${flow.id}:${step.id}.${suffix}`;
  switch (step.kind) {
    case 'ask': {
      const keys = [
        { key: step.prompt ?? k('prompt'), optional: false },
        { key: step.label ?? k('label'), optional: false },
        { key: step.help ?? k('help'), optional: !step.help },
      ];
      if (step.input.type === 'choice') {
        for (const o of step.input.options) keys.push({ key: o.label ?? `${flow.id}:${step.id}.options.${o.value}`, optional: false });
      }
      if (step.input.type === 'text' && step.input.patternMessage) keys.push({ key: step.input.patternMessage, optional: false });
      return keys;
    }
    case 'say':
      return [{ key: step.text ?? k('text'), optional: false }];
    case 'end':
      return [{ key: step.text ?? k('text'), optional: !step.text }];
    case 'summary':
      return step.title ? [{ key: step.title, optional: false }] : [];
    default:
      return [];
  }
}

function unreachable(flow: Flow): string[] {
  const seen = new Set<string>();
  const queue = [flow.startStep];
  while (queue.length) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const step = flow.stepsById.get(id);
    if (step) queue.push(...targetsOf(step));
  }
  return flow.steps.map((s) => s.id).filter((id) => !seen.has(id));
}
