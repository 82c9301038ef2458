import { parseDate, parseYearMonth } from '../../domain/dates/parseDate.ts';
import { normalizeInput } from '../../domain/text/normalize.ts';
import { readPath } from '../conditions.ts';
import type { InputContext, InputHandler } from './types.ts';
import { reject, textOf } from './types.ts';

/** "1", "1日", "1号": the day of the month asked after a month-only answer. */
const DAY_ONLY = /^(\d{1,2})[日号]?$/u;

type DateSpec = { type: 'date'; min?: string; max?: string; notFuture: boolean; minAge?: { birthDate: string; years: number } };

/** The day the person turns `years` (a 29 February birthday turns on 1 March in common years), or null without a birth date. */
function ageDay(spec: DateSpec, ctx: InputContext): string | null {
  if (!spec.minAge) return null;
  const birth = readPath({ answers: ctx.answers, vars: ctx.vars }, spec.minAge.birthDate);
  const m = typeof birth === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth) : null;
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]) + spec.minAge.years, Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10);
}

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
    const adult = ageDay(spec, ctx);
    if (adult !== null && r.value < adult) return reject(ctx, 'date', 'beforeAge', { years: spec.minAge!.years, date: adult });
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
