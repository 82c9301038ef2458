import { maskIdNumber, parseIdNumber } from '../../domain/identity/idNumber.ts';
import { parseMobile } from '../../domain/identity/mobile.ts';
import { parseUscc } from '../../domain/identity/uscc.ts';
import type { AnswerValue } from '../types.ts';
import type { InputHandler } from './types.ts';
import { reject, textOf } from './types.ts';

export const usccInput: InputHandler<{ type: 'uscc' }> = {
  parse(_spec, input, ctx) {
    const raw = textOf(input);
    if (raw === null) return reject(ctx, 'uscc', 'format');
    const r = parseUscc(raw);
    return r.ok ? { kind: 'accept', value: r.value } : reject(ctx, 'uscc', r.reason);
  },
  format: (_spec, value) => String(value),
};

export const mobileInput: InputHandler<{ type: 'mobile' }> = {
  parse(_spec, input, ctx) {
    const raw = textOf(input);
    if (raw === null) return reject(ctx, 'mobile', 'format');
    const r = parseMobile(raw);
    return r.ok ? { kind: 'accept', value: r.value } : reject(ctx, 'mobile', r.reason);
  },
  // The user's own number, shown back to them so they can check it; logs and exports mask it elsewhere.
  format: (_spec, value) => String(value),
};

/** The answer keeps the derived facts so later steps can confirm them ("性别：男，出生日期：…"). */
export interface IdNumberAnswer {
  [key: string]: AnswerValue;
  number: string;
  masked: string;
  birthDate: string;
  gender: 'male' | 'female';
  regionCode: string;
}

export const idNumberInput: InputHandler<{ type: 'idNumber' }> = {
  parse(_spec, input, ctx) {
    const raw = textOf(input);
    if (raw === null) return reject(ctx, 'idNumber', 'format');
    const r = parseIdNumber(raw, new Date(`${ctx.today}T00:00:00Z`));
    if (!r.ok) return reject(ctx, 'idNumber', r.reason);
    const answer: IdNumberAnswer = {
      number: r.value,
      masked: maskIdNumber(r.value),
      birthDate: r.birthDate,
      gender: r.gender,
      regionCode: r.regionCode,
    };
    return { kind: 'accept', value: answer };
  },
  format: (_spec, value) => (value && typeof value === 'object' && !Array.isArray(value) ? String(value.masked) : '***'),
};
