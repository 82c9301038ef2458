import { normalizeCommandText } from '../commands.ts';
import type { Choice } from '../types.ts';
import type { InputContext, InputHandler } from './types.ts';
import { reject } from './types.ts';

type Option = { value: string; label?: string; synonyms: string[] };
type Spec = { type: 'choice'; options: Option[]; multi: boolean };

export function optionLabelKey(ctx: Pick<InputContext, 'flow' | 'step'>, option: Option): string {
  return option.label ?? `${ctx.flow.id}:${ctx.step.id}.options.${option.value}`;
}

function labels(spec: Spec, ctx: InputContext): Choice[] {
  return spec.options.map((o) => ({ id: o.value, label: ctx.translator.t(ctx.locale, optionLabelKey(ctx, o)) }));
}

/**
 * One token → one option: its number (1-based), its id, its label in the user's language or any language,
 * or a synonym. Labels are compared after normalisation so "１" and "正式党员 " match.
 */
function matchOne(token: string, spec: Spec, ctx: InputContext): Option | undefined {
  const t = normalizeCommandText(token);
  if (/^\d+$/.test(t)) return spec.options[Number(t) - 1];
  return spec.options.find((o) => {
    if (normalizeCommandText(o.value) === t) return true;
    if (o.synonyms.some((s) => normalizeCommandText(s) === t)) return true;
    const key = optionLabelKey(ctx, o);
    return ctx.translator.locales().some((loc) => normalizeCommandText(ctx.translator.t(loc, key)) === t);
  });
}

export const choiceInput: InputHandler<Spec> = {
  parse(spec, input, ctx) {
    const choices = labels(spec, ctx);
    if (input.type === 'image') return { ...reject(ctx, 'choice', 'notAnOption', { count: spec.options.length }), choices };
    const raw = input.type === 'choice' ? input.choiceId : input.text;
    if (!spec.multi) {
      const opt = matchOne(raw, spec, ctx);
      if (!opt) return { ...reject(ctx, 'choice', 'notAnOption', { count: spec.options.length }), choices };
      return { kind: 'accept', value: opt.value };
    }
    // Commas and 、 always separate; spaces separate only where the words are not one label ("Full member").
    const picked: string[] = [];
    for (const part of raw.split(/[,，、;；]+/u).map((p) => p.trim()).filter(Boolean)) {
      const whole = matchOne(part, spec, ctx);
      const opts = whole ? [whole] : part.split(/\s+/u).map((token) => ({ token, opt: matchOne(token, spec, ctx) }));
      for (const o of opts) {
        if ('token' in o && !o.opt) return { ...reject(ctx, 'choice', 'notAnOptionMulti', { token: o.token, count: spec.options.length }), choices };
        const value = 'token' in o ? o.opt!.value : o.value;
        if (!picked.includes(value)) picked.push(value);
      }
    }
    if (picked.length === 0) return { ...reject(ctx, 'choice', 'notAnOptionMulti', { token: raw, count: spec.options.length }), choices };
    return { kind: 'accept', value: picked };
  },
  choices: labels,
  format(spec, value, ctx) {
    const values = Array.isArray(value) ? value : [value];
    return values
      .map((v) => {
        const opt = spec.options.find((o) => o.value === v);
        return opt ? ctx.translator.t(ctx.locale, optionLabelKey(ctx, opt)) : String(v);
      })
      .join(ctx.locale.startsWith('zh') ? '、' : ', ');
  },
};
