/**
 * Loading and linting flows: parse errors name the file and the step; lint findings name the problem and how to fix
 * it; the shipped flows lint clean.
 */
import { describe, expect, it } from 'vitest';
import { FlowLoadError, FlowRegistry, lintFlows, parseFlow, type Flow, type LintFinding } from '../../src/engine/index.ts';
import { content } from '../support/engineHarness.ts';
import { COMMON, flowYaml, inlineTranslator } from './inline.ts';

function loadError(text: string, file = 'inline.yaml'): FlowLoadError {
  try {
    parseFlow(text, file);
  } catch (err) {
    if (err instanceof FlowLoadError) return err;
    throw new Error(`expected a FlowLoadError, got ${String(err)}`);
  }
  throw new Error('expected the flow to be refused');
}

const head = 'schema: 1\nid: demo\nversion: 1\n';

describe('parseFlow errors name the file and the step', () => {
  it.each([
    ['invalid YAML', 'schema: 1\nid: [demo\nsteps:\n', /^inline\.yaml: 1 problem\(s\):\n {2}- not valid YAML: .*line \d+/],
    ['a duplicate YAML key', `${head}id: again\nsteps:\n  - { id: a, kind: say }\n`, /inline\.yaml: .*not valid YAML: Map keys must be unique/s],
    ['not a mapping', '- a\n- b\n', /inline\.yaml: .*the file must be a YAML mapping with schema, id, version and steps/s],
    ['an unknown schema version', 'schema: 2\nid: demo\nversion: 1\nsteps: []\n', /inline\.yaml: .*unknown flow schema 2; supported: 1 \(add "schema: 1" at the top\)/s],
    ['a missing schema version', 'id: demo\nversion: 1\nsteps: []\n', /inline\.yaml: .*unknown flow schema undefined; supported: 1/s],
    [
      'an unknown step kind',
      `${head}steps:\n  - { id: name, kind: say }\n  - { id: mobile, kind: asq }\n`,
      /inline\.yaml: .*step `mobile`: kind: Invalid discriminator value\. Expected 'ask' \| 'say'/s,
    ],
    [
      'an unknown key in a step (strict)',
      `${head}steps:\n  - { id: name, kind: say }\n  - { id: mobile, kind: ask, input: { type: mobile }, promt: x }\n`,
      /inline\.yaml: .*step `mobile`: Unrecognized key: "promt"/s,
    ],
    [
      'an unknown key in an input (strict)',
      `${head}steps:\n  - { id: mobile, kind: ask, input: { type: mobile, lenght: 11 } }\n`,
      /inline\.yaml: .*step `mobile`: input: Unrecognized key: "lenght"/s,
    ],
    [
      'an unknown input type',
      `${head}steps:\n  - { id: mobile, kind: ask, input: { type: phone } }\n`,
      /inline\.yaml: .*step `mobile`: input\.type: Invalid discriminator value/s,
    ],
    ['an unknown top-level key', `${head}stpes: []\nsteps:\n  - { id: a, kind: say }\n`, /inline\.yaml: .*\(top level\): Unrecognized key: "stpes"/s],
    [
      'duplicate step ids',
      `${head}steps:\n  - { id: mobile, kind: say }\n  - { id: mobile, kind: say }\n`,
      /inline\.yaml: .*step `mobile`: the id is used twice; step ids must be unique/s,
    ],
    ['a missing start step', `${head}start: nope\nsteps:\n  - { id: mobile, kind: say }\n`, /inline\.yaml: .*start: step `nope` does not exist/s],
    ['a step without an id (named by position)', `${head}steps:\n  - { id: a, kind: say }\n  - { kind: say }\n`, /inline\.yaml: .*step `#2`: id: /s],
    [
      'a condition var outside answers/vars/context',
      `${head}steps:\n  - { id: check, kind: branch, branches: [{ when: { var: env.HOME, op: exists }, goto: check }], default: check }\n`,
      /inline\.yaml: .*step `check`: /s,
    ],
    [
      'a bad action name',
      `${head}steps:\n  - { id: save, kind: action, action: Save-Worker }\n`,
      /inline\.yaml: .*step `save`: action: action names look like worker\.register/s,
    ],
    ['no steps', `${head}steps: []\n`, /inline\.yaml: .*\n {2}- steps: /s],
  ])('%s', (_name, text, message) => {
    const err = loadError(text);
    expect(err.file).toBe('inline.yaml');
    expect(err.problems.length).toBeGreaterThan(0);
    expect(err.message).toMatch(message);
  });

  it('lists every problem of a file, each with its step', () => {
    const err = loadError(`${head}steps:\n  - { id: name, kind: ask, input: { type: text }, nxt: b }\n  - { id: mobile, kind: asq }\n`, 'flows/demo.yaml');
    expect(err.file).toBe('flows/demo.yaml');
    expect(err.problems).toHaveLength(2);
    expect(err.problems[0]).toMatch(/^step `name`: /);
    expect(err.problems[1]).toMatch(/^step `mobile`: /);
    expect(err.message.startsWith('flows/demo.yaml: 2 problem(s):')).toBe(true);
  });

  it('a valid flow loads with its defaults and an index of steps', () => {
    const flow = parseFlow(`${head}steps:\n  - { id: a, kind: ask, input: { type: choice, options: [{ value: x }] } }\n`, 'inline.yaml');
    expect(flow).toMatchObject({ id: 'demo', version: 1, file: 'inline.yaml', startStep: 'a', maxRetries: 3, triggers: [] });
    expect(flow.stepsById.get('a')).toMatchObject({ kind: 'ask', optional: false, input: { type: 'choice', multi: false, options: [{ value: 'x', synonyms: [] }] } });
  });
});

describe('the flow registry', () => {
  const f = (id: string, version: number, triggers: string[] = []) => parseFlow(flowYaml(id, version, ['  - { id: a, kind: say }'], triggers), `${id}.v${version}.yaml`);

  it('refuses the same flow version twice, naming both files', () => {
    expect(() => new FlowRegistry([f('demo', 1), f('demo', 1)])).toThrow(/flow `demo` version 1 is loaded twice \(demo\.v1\.yaml and demo\.v1\.yaml\)/);
  });

  it('refuses a trigger claimed by two flows', () => {
    expect(() => new FlowRegistry([f('one', 1, ['开始办']), f('two', 1, ['开始办'])])).toThrow(/trigger "开始办" is claimed by flows `one` and `two`/);
  });

  it('current() is the newest loaded version; version() finds a specific one', () => {
    const reg = new FlowRegistry([f('demo', 1), f('demo', 3), f('demo', 2)]);
    expect(reg.current('demo').version).toBe(3);
    expect(reg.version('demo', 2)?.file).toBe('demo.v2.yaml');
    expect(reg.version('demo', 4)).toBeUndefined();
    expect(() => reg.current('nope')).toThrow(/flow `nope` is not loaded; known flows: demo/);
  });
});

// ---- lint --------------------------------------------------------------------------------------------------------

type Tree = { [key: string]: string | Tree };

/** Every template a flow renders (title, prompts, labels, say texts, option labels), in one namespace. */
function templatesFor(flow: Flow): Tree {
  const ns: Tree = { title: `${flow.id} title` };
  for (const step of flow.steps) {
    if (step.kind === 'ask') {
      const t: Tree = { prompt: `${step.id}?`, label: step.id };
      if (step.input.type === 'choice') t.options = Object.fromEntries(step.input.options.map((o) => [o.value, o.value]));
      ns[step.id] = t;
    }
    if (step.kind === 'say') ns[step.id] = { text: `${step.id}.` };
  }
  return ns;
}

function drop(tree: Tree, path: string): void {
  const parts = path.split('.');
  let cur: Tree = tree;
  for (const p of parts.slice(0, -1)) cur = cur[p] as Tree;
  delete cur[parts.at(-1)!];
}

/** Lint inline flows with complete templates in zh-CN and en, minus the keys named. */
function lint(yamls: string[], opts: { missingEverywhere?: string[]; missingInEn?: string[] } = {}): LintFinding[] {
  const flows = yamls.map((y, i) => parseFlow(y, `f${i + 1}.yaml`));
  const zh: Record<string, Tree> = { common: COMMON };
  const en: Record<string, Tree> = { common: COMMON };
  for (const flow of flows) {
    zh[flow.id] = templatesFor(flow);
    en[flow.id] = templatesFor(flow);
  }
  for (const key of opts.missingEverywhere ?? []) {
    const [ns, path] = key.split(':') as [string, string];
    drop(zh[ns]!, path);
    drop(en[ns]!, path);
  }
  for (const key of opts.missingInEn ?? []) {
    const [ns, path] = key.split(':') as [string, string];
    drop(en[ns]!, path);
  }
  return lintFlows(new FlowRegistry(flows), inlineTranslator({ 'zh-CN': zh, en }), 'zh-CN');
}

const errors = (findings: LintFinding[]) => findings.filter((f) => f.severity === 'error');
const warnings = (findings: LintFinding[]) => findings.filter((f) => f.severity === 'warning');

describe('lintFlows', () => {
  const clean = flowYaml('demo', 1, ['  - { id: a, kind: ask, input: { type: text }, next: b }', '  - { id: b, kind: say }']);

  it('a correct flow with complete templates has no findings', () => {
    expect(lint([clean])).toEqual([]);
  });

  it.each([
    ['an ask next', ['  - { id: a, kind: ask, input: { type: text }, next: nowhere }', '  - { id: b, kind: say }'], 'a'],
    ['a guarded next', ['  - { id: a, kind: ask, input: { type: text }, next: [{ when: { var: answers.a, op: exists }, goto: b }, { goto: nowhere }] }', '  - { id: b, kind: say }'], 'a'],
    ['a branch target', ['  - { id: a, kind: branch, branches: [{ when: { var: answers.x, op: exists }, goto: nowhere }], default: b }', '  - { id: b, kind: say }'], 'a'],
    ['a branch default', ['  - { id: a, kind: branch, branches: [{ when: { var: answers.x, op: exists }, goto: b }], default: nowhere }', '  - { id: b, kind: say }'], 'a'],
    ['a goto target', ['  - { id: a, kind: goto, target: nowhere }', '  - { id: b, kind: say }'], 'a'],
    ['an action onError', ['  - { id: a, kind: action, action: svc.do, next: b, onError: nowhere }', '  - { id: b, kind: say }'], 'a'],
    ['a say next', ['  - { id: a, kind: say, next: b }', '  - { id: b, kind: say, next: nowhere }'], 'b'],
  ])('an unknown target in %s is an error naming the known steps', (_where, steps, step) => {
    const findings = lint([flowYaml('demo', 1, steps)]);
    expect(errors(findings)).toContainEqual({ severity: 'error', file: 'f1.yaml', step, message: 'target `nowhere` does not exist; known steps: a, b' });
  });

  it('an unreachable step is a warning, not an error', () => {
    const findings = lint([flowYaml('demo', 1, ['  - { id: a, kind: ask, input: { type: text } }', '  - { id: orphan, kind: say, next: a }'])]);
    expect(findings).toEqual([{ severity: 'warning', file: 'f1.yaml', step: 'orphan', message: 'step is unreachable from the start step' }]);
  });

  it.each([
    ['demo:a.prompt', 'a'],
    ['demo:a.label', 'a'],
    ['demo:b.text', 'b'],
  ])('a template key missing in every locale (%s) is an error saying where to add it', (key, step) => {
    const findings = lint([clean], { missingEverywhere: [key] });
    expect(findings).toEqual([
      { severity: 'error', file: 'f1.yaml', step, message: `template \`${key}\` does not exist in any locale; add it to templates/zh-CN/demo.yaml` },
    ]);
  });

  it('a missing choice option label is an error', () => {
    const choice = flowYaml('demo', 1, ['  - { id: a, kind: ask, input: { type: choice, options: [{ value: x }, { value: y }] } }']);
    expect(errors(lint([choice], { missingEverywhere: ['demo:a.options.y'] }))).toEqual([
      { severity: 'error', file: 'f1.yaml', step: 'a', message: 'template `demo:a.options.y` does not exist in any locale; add it to templates/zh-CN/demo.yaml' },
    ]);
  });

  it('a template key missing only in en is a warning (it falls back to zh-CN)', () => {
    const findings = lint([clean], { missingInEn: ['demo:a.prompt'] });
    expect(errors(findings)).toEqual([]);
    expect(warnings(findings)).toEqual([{ severity: 'warning', file: 'f1.yaml', step: 'a', message: 'template `demo:a.prompt` is missing in en (falls back to zh-CN)' }]);
  });

  it('a missing optional help text is no finding, but a help key the flow names must exist', () => {
    expect(lint([clean])).toEqual([]);
    const named = flowYaml('demo', 1, ["  - { id: a, kind: ask, help: 'demo:a.help', input: { type: text } }"]);
    expect(errors(lint([named]))).toEqual([
      { severity: 'error', file: 'f1.yaml', step: 'a', message: 'template `demo:a.help` does not exist in any locale; add it to templates/zh-CN/demo.yaml' },
    ]);
  });

  it('a missing flow title is an error', () => {
    expect(errors(lint([clean], { missingEverywhere: ['demo:title'] }))).toEqual([
      { severity: 'error', file: 'f1.yaml', message: 'title template `demo:title` does not exist' },
    ]);
  });

  it('a summary field that no step asks is an error', () => {
    const summary = flowYaml('demo', 1, ['  - { id: a, kind: ask, input: { type: text }, next: s }', '  - { id: s, kind: summary, fields: [a, ghost], next: b }', '  - { id: b, kind: say }']);
    expect(errors(lint([summary]))).toEqual([
      { severity: 'error', file: 'f1.yaml', step: 's', message: 'summary field `ghost` is not asked by any step of this flow' },
    ]);
  });

  it('a summary field asked under another step id (field:) is fine', () => {
    const summary = flowYaml('demo', 1, ['  - { id: a, kind: ask, field: fullName, input: { type: text }, next: s }', '  - { id: s, kind: summary, fields: [fullName], next: b }', '  - { id: b, kind: say }']);
    expect(errors(lint([summary]))).toEqual([]);
  });

  it.each([
    ['a subflow', '  - { id: a, kind: subflow, flow: nope }'],
    ['an end step startFlow', '  - { id: a, kind: end, startFlow: nope }'],
  ])('%s to an unknown flow is an error naming the known flows', (_what, step) => {
    const findings = lint([flowYaml('demo', 1, [step]), flowYaml('other', 1, ['  - { id: x, kind: say }'])]);
    expect(errors(findings)).toEqual([{ severity: 'error', file: 'f1.yaml', step: 'a', message: 'flow `nope` is not loaded; known flows: demo, other' }]);
  });

  it('a subflow to a loaded flow is fine', () => {
    const findings = lint([flowYaml('demo', 1, ['  - { id: a, kind: subflow, flow: other }']), flowYaml('other', 1, ['  - { id: x, kind: say }'])]);
    expect(findings).toEqual([]);
  });

  it('an invalid text pattern is an error', () => {
    const bad = flowYaml('demo', 1, ["  - { id: a, kind: ask, input: { type: text, pattern: '([a-z' } }"]);
    const found = errors(lint([bad]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ step: 'a', message: expect.stringMatching(/^input\.pattern is not a valid regular expression: /) });
  });

  it('findings of several flows each name their own file', () => {
    const a = flowYaml('demo', 1, ['  - { id: a, kind: goto, target: nowhere }']);
    const b = flowYaml('other', 1, ['  - { id: x, kind: say }', '  - { id: y, kind: say }']);
    const findings = lint([a, b]);
    expect(findings.map((f) => [f.file, f.severity])).toEqual([
      ['f1.yaml', 'error'],
      ['f2.yaml', 'warning'],
    ]);
  });
});

describe('the shipped flows', () => {
  it('lint with zero errors', () => {
    const c = content();
    const findings = lintFlows(c.flows, c.translator, 'zh-CN');
    expect(errors(findings)).toEqual([]);
    expect(errors(c.findings)).toEqual([]);
  });

  it('are all loaded, with the archived versions 1 and 2 of registration beside version 3', () => {
    expect(content().flows.ids().sort()).toEqual(['certificates', 'checkin', 'declaration', 'evidence', 'levels', 'menu', 'mute', 'myTraining', 'profile', 'registration', 'resubmit', 'status', 'training', 'trainingCancel', 'unmute', 'withdraw']);
    expect(content().flows.version('registration', 1)?.file).toBe('flows/archive/registration.v1.yaml');
    expect(content().flows.version('resubmit', 1)?.file).toBe('flows/archive/resubmit.v1.yaml');
    expect(content().flows.version('registration', 2)?.file).toBe('flows/archive/registration.v2.yaml');
    expect(content().flows.current('registration').version).toBe(3);
  });
});
