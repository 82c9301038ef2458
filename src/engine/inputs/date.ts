import { parseDate, parseYearMonth } from '../../domain/dates/parseDate.ts';
import { normalizeInput } from '../../domain/text/normalize.ts';
import type { InputHandler } from './types.ts';
import { reject, textOf } from './types.ts';

/** "1", "1日", "1号": the day of the month asked after a month-only answer. */
const DAY_ONLY = /^(\d{1,2})[日号]?$/u;

type DateSpec = { type: 'date'; min?: string; max?: string; notFuture: boolean };
export const dateInput: InputHandler<DateSpec> = {
  parse(spec, input, ctx) {
    const raw = textOf(input);
    if (raw === null) return reject(ctx, 'date', 'format');
    const opts = { today: ctx.today, min: spec.min, max: spec.max, notFuture: spec.notFuture };
    const month = ctx.pending?.kind === 'day' ? ctx.pending.month : null;
    const day = month ? DAY_ONLY.exec(normalizeInput(raw).replace(/ /g, '')) : null;
    const r = parseDate(day ? `${month}-${day[1]}` : raw, opts);
    if (!r.ok && r.reason === 'format') {
      // "2015年7月": people often know the month, not the day. Ask for the day rather than refuse the answer.
      const ym = parseYearMonth(raw, opts);
      if (ym.ok) {
        return { kind: 'continue', pending: { kind: 'day', month: ym.value }, text: ctx.translator.t(ctx.locale, 'inputs:date.whichDay', { month: ym.value }), choices: [] };
      }
    }
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
