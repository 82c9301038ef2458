import type { z } from 'zod';
import { HttpError } from '../errors.ts';

/**
 * One zod issue as the console reads it: the field, zod's code and the bounds or format behind it, so the console
 * can say it in the admin's language; `received` is what was sent at that path ('missing', 'empty', 'NaN' or a
 * JSON type), since zod v4 keeps it only inside its English message.
 */
export interface FieldIssue {
  path: string;
  code: string;
  message: string;
  received: string;
  expected?: string;
  minimum?: number;
  maximum?: number;
  origin?: string;
  format?: string;
  values?: unknown[];
  keys?: string[];
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === '') return 'empty';
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

const PARAMS = ['expected', 'minimum', 'maximum', 'origin', 'format', 'values', 'keys'] as const;

export function fieldIssues(error: z.ZodError, input: unknown): FieldIssue[] {
  return error.issues.map((issue) => {
    const out: FieldIssue = { path: issue.path.join('.'), code: issue.code, message: issue.message, received: kindOf(at(input, issue.path)) };
    const source = issue as unknown as Record<string, unknown>;
    for (const key of PARAMS) {
      const v = source[key];
      if (v === undefined) continue;
      // Bigint bounds do not survive JSON; the admin API's bounds are all plain numbers.
      (out as unknown as Record<string, unknown>)[key] = typeof v === 'bigint' ? Number(v) : v;
    }
    return out;
  });
}

/**
 * A body, query or path parameter checked by its zod schema; 400 naming each field that is wrong otherwise. The
 * English `error` is for scripts; `code: 'invalid'` and `issues` let the console word it (console/src/logic/refusal.ts).
 */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const input = value ?? {};
  const r = schema.safeParse(input);
  if (!r.success) {
    const message = r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new HttpError(400, message, { code: 'invalid', issues: fieldIssues(r.error, input) });
  }
  return r.data;
}
