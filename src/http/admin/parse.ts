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
  inclusive?: boolean;
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

const PARAMS = ['expected', 'minimum', 'maximum', 'inclusive', 'origin', 'format', 'values', 'keys'] as const;

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

/** zod's own wording ("Invalid input: expected number, received string", "Too small: …"), as opposed to a schema's message. */
const ZOD_WORDING = /^(Invalid\b|Too (small|big):|Unrecognized keys?:)/;

const article = (kind: string) => (/^[aeiou]/i.test(kind) ? `an ${kind}` : `a ${kind}`);
const what = (kind: string) => (kind === 'missing' || kind === 'empty' || kind === 'null' || kind === 'NaN' ? kind : article(kind));

function bound(issue: FieldIssue, n: number | undefined, more: boolean): string {
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'string') return `${more ? 'at least' : 'at most'} ${n} character${n === 1 ? '' : 's'} long`;
  if (issue.origin === 'array' || issue.origin === 'set') return `${more ? 'at least' : 'at most'} ${n} item${n === 1 ? '' : 's'}`;
  return inclusive ? `${more ? 'at least' : 'at most'} ${n}` : `${more ? 'more' : 'less'} than ${n}`;
}

/**
 * One issue as an English sentence naming the field ("year must be a number, not a string"), for scripts and
 * logs; a schema's own message is kept after the field's name, since it already says what is wanted.
 */
export function issueSentence(issue: FieldIssue): string {
  const field = issue.path || 'the value';
  if (!ZOD_WORDING.test(issue.message)) return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
  if (issue.received === 'missing') return `${field} is required`;
  switch (issue.code) {
    case 'invalid_type':
      return `${field} must be ${article(issue.expected ?? 'value')}, not ${what(issue.received)}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return `${field} must not be empty`;
      return `${field} must be ${bound(issue, issue.minimum, true)}`;
    case 'too_big':
      return `${field} must be ${bound(issue, issue.maximum, false)}`;
    case 'invalid_value':
      return `${field} must be one of: ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'datetime' ? `${field} must be an ISO 8601 time with a zone, e.g. 2026-04-01T09:00:00+08:00` : `${field} is not in the ${issue.format ?? 'expected'} format`;
    case 'unrecognized_keys': {
      const keys = (issue.keys ?? []).map((k) => `"${k}"`).join(', ');
      return `Unrecognized key${(issue.keys ?? []).length === 1 ? '' : 's'} ${keys}${issue.path ? ` in ${issue.path}` : ''}: the request takes no such field`;
    }
    default:
      return `${field} is not in an accepted form`;
  }
}

/**
 * A body, query or path parameter checked by its zod schema; 400 naming each field that is wrong otherwise. The
 * English `error` is for scripts; `code: 'invalid'` and `issues` let the console word it (console/src/logic/refusal.ts).
 */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const input = value ?? {};
  const r = schema.safeParse(input);
  if (!r.success) {
    const issues = fieldIssues(r.error, input);
    const message = issues.map(issueSentence).join('; ');
    throw new HttpError(400, message, { code: 'invalid', issues });
  }
  return r.data;
}
