import { z } from 'zod';

/**
 * The flow file format, version 1. A flow file is data: it is parsed with `yaml`, then checked here; anything the
 * schema does not know is refused (strict objects), so a typo in a key is an error, not a silently ignored field.
 * A future format gets `schema: 2` and a migration in load.ts; old files keep loading.
 */

const id = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'ids start with a letter and use letters, digits, _ or -');
const templateKey = z.string().min(1);

// ---- conditions (structured; never evaluated as code) -------------------------------------------------------------
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { var: string; op: 'eq' | 'ne' | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists' | 'missing'; value?: unknown };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    z.strictObject({
      var: z.string().regex(/^(answers|vars|context)(\.[A-Za-z0-9_-]+)+$/, 'var paths start with answers., vars. or context.'),
      op: z.enum(['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte', 'exists', 'missing']).default('eq'),
      value: z.unknown().optional(),
    }),
  ]),
) as z.ZodType<Condition>;

/** `next` is a step id, or a list of guarded targets tried in order (the last may omit `when`). */
const guardedTarget = z.strictObject({ when: conditionSchema.optional(), goto: id });
export const nextSchema = z.union([id, z.array(guardedTarget).min(1)]);

// ---- inputs ------------------------------------------------------------------------------------------------------
const option = z.strictObject({
  value: id,
  /** Template key of the label; defaults to `<flow>:<step>.options.<value>`. */
  label: templateKey.optional(),
  /** Extra words that select this option, in any language ("正式党员", "full"). */
  synonyms: z.array(z.string().min(1)).default([]),
});

export const inputSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('text'),
    minLength: z.number().int().min(0).default(1),
    maxLength: z.number().int().min(1).max(2000).default(200),
    pattern: z.string().optional(),
    /** Template key of the message shown when `pattern` does not match. */
    patternMessage: templateKey.optional(),
  }),
  z.strictObject({ type: z.literal('integer'), min: z.number().int().optional(), max: z.number().int().optional() }),
  z.strictObject({
    type: z.literal('decimal'),
    min: z.number().optional(),
    max: z.number().optional(),
    maxDecimals: z.number().int().min(0).max(6).default(2),
  }),
  z.strictObject({
    type: z.literal('choice'),
    /** Fixed options; with `optionsFrom` these are ignored and may be left empty. */
    options: z.array(option).default([]),
    /**
     * Options computed by an earlier action, e.g. `vars.levels.value.options`: a list of `{ value, label }` with
     * labels already in the user's language (the levels a worker may declare, with their reasons).
     */
    optionsFrom: z.string().regex(/^vars(\.[A-Za-z0-9_-]+)+$/, 'optionsFrom reads an action result: vars.<result>.value.<field>').optional(),
    multi: z.boolean().default(false),
  }).refine((c) => c.options.length > 0 || c.optionsFrom, { message: 'a choice needs options or optionsFrom' }),
  z.strictObject({ type: z.literal('yesno') }),
  z.strictObject({
    type: z.literal('date'),
    min: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    max: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    notFuture: z.boolean().default(false),
    /**
     * The date must fall on or after the day the person was `years` old, their birth date read from an earlier
     * answer or an action result (joining the Party needs the age of 18). No birth date there: no check.
     */
    minAge: z
      .strictObject({
        birthDate: z.string().regex(/^(answers|vars)(\.[A-Za-z0-9_-]+)+$/, 'minAge.birthDate reads answers.<step>... or vars.<result>...'),
        years: z.number().int().min(1).max(100),
      })
      .optional(),
  }),
  z.strictObject({
    type: z.literal('yearMonth'),
    min: z.string().regex(/^\d{4}-\d{2}$/).optional(),
    max: z.string().regex(/^\d{4}-\d{2}$/).optional(),
    notFuture: z.boolean().default(false),
  }),
  z.strictObject({ type: z.literal('mobile') }),
  z.strictObject({ type: z.literal('idNumber') }),
  /** An organisation's unified social credit code (GB 32100). */
  z.strictObject({ type: z.literal('uscc') }),
  z.strictObject({ type: z.literal('image'), optional: z.boolean().default(false) }),
  z.strictObject({
    type: z.literal('region'),
    /** Region code to start below (e.g. only Jiangsu); default: the whole tree. */
    root: z.string().optional(),
    /** Accept an answer only at a leaf (county or street); false lets the user stop at any level. */
    leafOnly: z.boolean().default(true),
  }),
]);
export type InputSpec = z.infer<typeof inputSchema>;

// ---- steps -------------------------------------------------------------------------------------------------------
const base = { id };

const askStep = z.strictObject({
  ...base,
  kind: z.literal('ask'),
  /** Answer field id; defaults to the step id. Versions migrate answers by this id. */
  field: id.optional(),
  prompt: templateKey.optional(),
  label: templateKey.optional(),
  help: templateKey.optional(),
  input: inputSchema,
  /** Optional questions accept 跳过/skip. */
  optional: z.boolean().default(false),
  next: nextSchema.optional(),
});

const sayStep = z.strictObject({ ...base, kind: z.literal('say'), text: templateKey.optional(), next: nextSchema.optional() });

const branchStep = z.strictObject({
  ...base,
  kind: z.literal('branch'),
  branches: z.array(z.strictObject({ when: conditionSchema, goto: id })).min(1),
  default: id,
});

const actionStep = z.strictObject({
  ...base,
  kind: z.literal('action'),
  action: z.string().regex(/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/, 'action names look like worker.register'),
  /** Arguments: a literal, or a path like `answers.name` / `vars.lookup.id` (strings starting with `$`). */
  args: z.record(z.string(), z.unknown()).default({}),
  /** Where the result is kept (`vars.<result>`); conditions and templates can read it. */
  result: id.optional(),
  next: nextSchema.optional(),
  /** Where to go when the action fails; default: say `common:actionFailed` and end the flow. */
  onError: id.optional(),
});

const gotoStep = z.strictObject({ ...base, kind: z.literal('goto'), target: id });

const subflowStep = z.strictObject({
  ...base,
  kind: z.literal('subflow'),
  flow: id,
  /** Where to continue in this flow after the sub-flow ends. */
  next: nextSchema.optional(),
});

const summaryStep = z.strictObject({
  ...base,
  kind: z.literal('summary'),
  title: templateKey.optional(),
  /** Answer fields shown, numbered, in this order. */
  fields: z.array(id).min(1),
  /** On confirm. */
  next: nextSchema,
  /** On cancel; default: cancel the flow. */
  cancel: id.optional(),
});

const endStep = z.strictObject({
  ...base,
  kind: z.literal('end'),
  text: templateKey.optional(),
  /**
   * Say the idle help, one line per flow built from the loaded flows (src/engine/helpList.ts), instead of a text:
   * the help template needs that list as a parameter, which a plain `text` key cannot give it.
   */
  help: z.literal(true).optional(),
  /** Start another flow right away (the menu routes this way). */
  startFlow: id.optional(),
});

export const stepSchema = z.discriminatedUnion('kind', [
  askStep,
  sayStep,
  branchStep,
  actionStep,
  gotoStep,
  subflowStep,
  summaryStep,
  endStep,
]);
export type Step = z.infer<typeof stepSchema>;
export type StepKind = Step['kind'];
export type AskStep = z.infer<typeof askStep>;
export type SummaryStep = z.infer<typeof summaryStep>;

export const flowFileSchemaV1 = z.strictObject({
  schema: z.literal(1),
  id,
  version: z.number().int().min(1),
  /** Template key naming the flow for users ("注册"). */
  title: templateKey.optional(),
  /** Words that start this flow when the user is not in a flow (and from the menu). */
  triggers: z.array(z.string().min(1)).default([]),
  /**
   * Words that start this flow with what follows them as `vars.argument` ("签到 123456", "mute training"). The
   * whole text is matched against `triggers` first.
   */
  argumentTriggers: z.array(z.string().min(1)).default([]),
  /** Failed answers in a row before the bot offers help or cancel instead of asking again. */
  maxRetries: z.number().int().min(1).max(10).default(3),
  start: id.optional(),
  steps: z.array(stepSchema).min(1),
});
export type FlowFile = z.infer<typeof flowFileSchemaV1>;

/** A loaded flow: the file plus an index of its steps. */
export interface Flow extends FlowFile {
  file: string;
  startStep: string;
  stepsById: Map<string, Step>;
}
