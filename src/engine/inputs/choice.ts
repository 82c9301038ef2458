import { readPath } from '../conditions.ts';
import { normalizeCommandText } from '../commands.ts';
import type { Choice } from '../types.ts';
import type { InputContext, InputHandler } from './types.ts';
import { reject } from './types.ts';

type Option = { value: string; label?: string; synonyms: string[] };
type Spec = { type: 'choice'; options: Option[]; optionsFrom?: string; multi: boolean };

/** An option ready to show and match: its label in the user's language, and every text that selects it. */
interface Resolved {
  value: string;
  label: string;
  /** The label without its status decoration ("中级" of "中级（可申报）"): what a summary shows. */
  plain: string;
  /** Labels in every locale (fixed options) or the one computed label (optionsFrom), with and without decoration. */
  matches: string[];
  synonyms: string[];
  /** The id, normalised: matched whole only. */
  id: string;
  /** Synonyms and matches, normalised: what a typed token is compared with. */
  words: string[];
}

function resolved(value: string, label: string, plain: string, matches: string[], synonyms: string[]): Resolved {
  return { value, label, plain, matches, synonyms, id: normalizeCommandText(value), words: [...synonyms, ...matches].map(normalizeCommandText) };
}

export function optionLabelKey(ctx: Pick<InputContext, 'flow' | 'step'>, option: Option): string {
  return option.label ?? `${ctx.flow.id}:${ctx.step.id}.options.${option.value}`;
}

/**
 * A label without the bracketed notes after it: "中级（可申报）" → "中级", "Junior (eligible)" → "Junior". People
 * type the name, not the note; only trailing brackets go, so "县（区）级" keeps its middle.
 */
export function undecorated(label: string): string {
  let out = label.trim();
  for (;;) {
    const next = out.replace(/\s*(?:（[^（）]*）|\([^()]*\)|【[^【】]*】|\[[^[\]]*\])$/u, '').trim();
    if (next === out || next.length === 0) return out;
    out = next;
  }
}

/**
 * Resolved options are asked for several times a turn (prompt, parse, summary, template scope) and each one
 * renders every label in every locale and strips its note with a regex. They depend only on the option list,
 * the translator and the locale (fixed options) or on the computed list itself (optionsFrom, whose array in
 * `vars` is never mutated), so they are resolved once per such key.
 */
const fixedCache = new WeakMap<Spec, WeakMap<InputContext['translator'], Map<string, Resolved[]>>>();
const computedCache = new WeakMap<object, Resolved[]>();

function resolve(spec: Spec, ctx: InputContext): Resolved[] {
  if (spec.optionsFrom) {
    const computed = readPath({ vars: ctx.vars }, spec.optionsFrom);
    if (!Array.isArray(computed)) return [];
    let hit = computedCache.get(computed);
    if (!hit) {
      hit = resolveComputed(computed);
      computedCache.set(computed, hit);
    }
    return hit;
  }
  let byTranslator = fixedCache.get(spec);
  if (!byTranslator) fixedCache.set(spec, (byTranslator = new WeakMap()));
  let byKey = byTranslator.get(ctx.translator);
  if (!byKey) byTranslator.set(ctx.translator, (byKey = new Map()));
  // The flow and step ids are part of the label keys (optionLabelKey).
  const key = `${ctx.locale}\u0000${ctx.flow.id}\u0000${ctx.step.id}`;
  let hit = byKey.get(key);
  if (!hit) {
    hit = resolveFixed(spec, ctx);
    byKey.set(key, hit);
  }
  return hit;
}

function resolveComputed(computed: unknown[]): Resolved[] {
  return computed
    .filter((o): o is { value: string; label: string; name?: unknown } => !!o && typeof o === 'object' && typeof (o as { value?: unknown }).value === 'string' && typeof (o as { label?: unknown }).label === 'string')
    .map((o) => {
      const plain = typeof o.name === 'string' && o.name ? o.name : undecorated(o.label);
      return resolved(o.value, o.label, plain, [o.label, plain], []);
    });
}

function resolveFixed(spec: Spec, ctx: InputContext): Resolved[] {
  return spec.options.map((o) => {
    const key = optionLabelKey(ctx, o);
    const labels = ctx.translator.locales().map((loc) => ctx.translator.t(loc, key));
    const label = ctx.translator.t(ctx.locale, key);
    return resolved(o.value, label, undecorated(label), [...labels, ...labels.map(undecorated)], o.synonyms);
  });
}

const choicesOf = (options: Resolved[]): Choice[] => options.map((o) => ({ id: o.value, label: o.label }));

/** A prefix this short selects nothing: "中" or "s" says too little to pick an option by. */
const MIN_PREFIX = 2;

/**
 * One token → one option: its number (1-based), its id, its label in any language (with or without the status
 * note), a synonym, or else the start of exactly one option's label or synonym ("手机" → 手机号, "below" → Below
 * designated size). Texts are compared after normalisation so "１" and "正式党员 " match.
 */
function matchOne(token: string, options: Resolved[]): Resolved | undefined {
  const t = normalizeCommandText(token);
  if (/^\d+$/.test(t)) return options[Number(t) - 1];
  // Ids are matched whole only: a computed option's id is a record id, and "ab" must not pick one by its start.
  const exact = options.find((o) => o.id === t || o.words.includes(t));
  if (exact || [...t].length < MIN_PREFIX) return exact;
  const byPrefix = options.filter((o) => o.words.some((w) => w.startsWith(t)));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

export const choiceInput: InputHandler<Spec> = {
  parse(spec, input, ctx) {
    const options = resolve(spec, ctx);
    const choices = choicesOf(options);
    if (input.type === 'image') return { ...reject(ctx, 'choice', 'notAnOption', { count: options.length }), choices };
    const raw = input.type === 'choice' ? input.choiceId : input.text;
    if (!spec.multi) {
      const opt = matchOne(raw, options);
      if (!opt) {
        // A number past the list ("7" of four) is a slip, not a word we do not know: say which numbers exist.
        const n = normalizeCommandText(raw);
        const reason = /^\d+$/.test(n) ? 'numberOutOfRange' : 'notAnOption';
        return { ...reject(ctx, 'choice', reason, { count: options.length, number: n }), choices };
      }
      return { kind: 'accept', value: opt.value };
    }
    // Commas and 、 always separate; spaces separate only where the words are not one label ("Full member").
    const picked: string[] = [];
    for (const part of raw.split(/[,，、;；]+/u).map((p) => p.trim()).filter(Boolean)) {
      const whole = matchOne(part, options);
      const found = whole ? [whole] : part.split(/\s+/u).map((token) => ({ token, opt: matchOne(token, options) }));
      for (const f of found) {
        const opt = 'token' in f ? f.opt : f;
        if (!opt) return { ...reject(ctx, 'choice', 'notAnOptionMulti', { token: (f as { token: string }).token, count: options.length }), choices };
        if (!picked.includes(opt.value)) picked.push(opt.value);
      }
    }
    if (picked.length === 0) return { ...reject(ctx, 'choice', 'notAnOptionMulti', { token: raw, count: options.length }), choices };
    return { kind: 'accept', value: picked };
  },
  choices: (spec, ctx) => choicesOf(resolve(spec, ctx)),
  format(spec, value, ctx) {
    const options = resolve(spec, ctx);
    const values = Array.isArray(value) ? value : [value];
    return values.map((v) => options.find((o) => o.value === v)?.plain ?? String(v)).join(ctx.locale.startsWith('zh') ? '、' : ', ');
  },
};
