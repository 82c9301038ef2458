import { toHalfWidth } from '../../domain/text/normalize.ts';
import type { InputHandler } from './types.ts';
import { reject, textOf } from './types.ts';

/**
 * "1,200" and "１２" are numbers too: full-width digits and thousands separators are accepted, but only in
 * groups of three, so "1,5" (a decimal comma elsewhere) is refused rather than read as 15.
 */
function clean(raw: string): string {
  const s = toHalfWidth(raw).trim().replace(/，/g, ',').replace(/\s/g, '');
  return /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s) ? s.replace(/,/g, '') : s;
}

type IntSpec = { type: 'integer'; min?: number; max?: number };
export const integerInput: InputHandler<IntSpec> = {
  parse(spec, input, ctx) {
    const raw = textOf(input);
    const s = raw === null ? '' : clean(raw);
    if (!/^[+-]?\d{1,15}$/.test(s)) return reject(ctx, 'integer', 'notInteger');
    const value = Number(s);
    if (spec.min !== undefined && value < spec.min) return reject(ctx, 'integer', 'tooSmall', { min: spec.min });
    if (spec.max !== undefined && value > spec.max) return reject(ctx, 'integer', 'tooLarge', { max: spec.max });
    return { kind: 'accept', value };
  },
  format: (_spec, value) => String(value),
};

type DecSpec = { type: 'decimal'; min?: number; max?: number; maxDecimals: number };
export const decimalInput: InputHandler<DecSpec> = {
  parse(spec, input, ctx) {
    const raw = textOf(input);
    const s = raw === null ? '' : clean(raw).replace(/。/g, '.');
    const m = /^[+-]?\d{1,15}(?:\.(\d+))?$/.exec(s);
    if (!m) return reject(ctx, 'decimal', 'notNumber');
    if ((m[1]?.length ?? 0) > spec.maxDecimals) return reject(ctx, 'decimal', 'tooManyDecimals', { max: spec.maxDecimals });
    const value = Number(s);
    if (spec.min !== undefined && value < spec.min) return reject(ctx, 'decimal', 'tooSmall', { min: spec.min });
    if (spec.max !== undefined && value > spec.max) return reject(ctx, 'decimal', 'tooLarge', { max: spec.max });
    return { kind: 'accept', value };
  },
  format: (_spec, value) => String(value),
};
