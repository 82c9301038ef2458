import { joinHanSpaces } from '../../domain/text/normalize.ts';
import type { InputHandler } from './types.ts';
import { reject, textOf } from './types.ts';

// Count what a person sees as one character: a flag or a family emoji is one, not four code points.
const segmenter = new Intl.Segmenter('zh', { granularity: 'grapheme' });
// Text without surrogate pairs, joiners, variation selectors or combining marks has one grapheme per unit.
// The class lists those code units on purpose (it detects them; it does not match grapheme clusters).
// eslint-disable-next-line no-misleading-character-class
const NEEDS_SEGMENTER = /[\uD800-\uDFFF\u200D\uFE00-\uFE0F\u0300-\u036F\u20D0-\u20FF]/;
function graphemes(s: string): number {
  if (!NEEDS_SEGMENTER.test(s)) return s.length;
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
}

type Spec = { type: 'text'; minLength: number; maxLength: number; pattern?: string; patternMessage?: string };

export const textInput: InputHandler<Spec> = {
  parse(spec, input, ctx) {
    const raw = textOf(input);
    if (raw === null) return reject(ctx, 'text', 'notText');
    const value = joinHanSpaces(raw.trim().replace(/\s+/g, ' '));
    const length = graphemes(value);
    if (length < spec.minLength) return reject(ctx, 'text', 'tooShort', { min: spec.minLength });
    if (length > spec.maxLength) return reject(ctx, 'text', 'tooLong', { max: spec.maxLength, length });
    if (spec.pattern && !new RegExp(spec.pattern, 'u').test(value)) {
      if (spec.patternMessage) return { kind: 'reject', reason: 'pattern', message: ctx.translator.t(ctx.locale, spec.patternMessage) };
      return reject(ctx, 'text', 'pattern');
    }
    return { kind: 'accept', value };
  },
  format: (_spec, value) => String(value),
};
