import type { Condition } from './flow/schema.ts';

/** Evaluate a structured condition against a scope of plain data. Never `eval`: only the listed operators exist. */
export function evaluate(cond: Condition, scope: Record<string, unknown>): boolean {
  if ('all' in cond) return cond.all.every((c) => evaluate(c, scope));
  if ('any' in cond) return cond.any.some((c) => evaluate(c, scope));
  if ('not' in cond) return !evaluate(cond.not, scope);
  const actual = readPath(scope, cond.var);
  const expected = cond.value;
  switch (cond.op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'missing':
      return actual === undefined || actual === null;
    case 'eq':
      return equal(actual, expected);
    case 'ne':
      return !equal(actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((e) => equal(actual, e));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compare(actual, expected, cond.op);
  }
}

/** Read `answers.idNumber.gender` from a scope; own properties only, so `__proto__` and friends read as undefined. */
export function readPath(scope: unknown, path: string): unknown {
  let cur: unknown = scope;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function equal(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && !Array.isArray(b)) return a.some((x) => equal(x, b));
  return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
}

function compare(a: unknown, b: unknown, op: 'gt' | 'gte' | 'lt' | 'lte'): boolean {
  const bothNumbers = typeof a === 'number' && typeof b === 'number';
  const bothStrings = typeof a === 'string' && typeof b === 'string'; // ISO dates compare as strings
  if (!bothNumbers && !bothStrings) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === 'gt' ? x > y : op === 'gte' ? x >= y : op === 'lt' ? x < y : x <= y;
}
