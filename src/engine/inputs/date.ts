import { parseDate, parseYearMonth } from '../../domain/dates/parseDate.ts';
import type { InputHandler } from './types.ts';
import { reject, textOf } from './types.ts';

type DateSpec = { type: 'date'; min?: string; max?: string; notFuture: boolean };
export const dateInput: InputHandler<DateSpec> = {
  parse(spec, input, ctx) {
    const raw = textOf(input);
    if (raw === null) return reject(ctx, 'date', 'format');
    const r = parseDate(raw, { today: ctx.today, min: spec.min, max: spec.max, notFuture: spec.notFuture });
    if (!r.ok) return reject(ctx, 'date', r.reason, { min: spec.min, max: spec.max, today: ctx.today });
    return { kind: 'accept', value: r.value };
  },
  format: (_spec, value) => String(value),
};

type YmSpec = { type: 'yearMonth'; min?: string; max?: string; notFuture: boolean };
export const yearMonthInput: InputHandler<YmSpec> = {
  parse(spec, input, ctx) {
    const raw = textOf(input);
    if (raw === null) return reject(ctx, 'yearMonth', 'format');
    const r = parseYearMonth(raw, { today: ctx.today, min: spec.min, max: spec.max, notFuture: spec.notFuture });
    if (!r.ok) return reject(ctx, 'yearMonth', r.reason, { min: spec.min, max: spec.max });
    return { kind: 'accept', value: r.value };
  },
  format: (_spec, value) => String(value),
};
