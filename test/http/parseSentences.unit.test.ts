import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError } from '../../src/http/errors.ts';
import { parse } from '../../src/http/admin/parse.ts';

/** The English `error` of the 400 that parse() throws for `value`. */
function errorOf(schema: z.ZodType, value: unknown): string {
  try {
    parse(schema, value);
  } catch (e) {
    if (e instanceof HttpError) return e.message;
    throw e;
  }
  throw new Error('the value passed the schema');
}

const body = z.strictObject({
  year: z.number().int().min(2000).max(2100),
  passed: z.boolean(),
  grade: z.enum(['excellent', 'competent']),
  note: z.string().min(1).max(5).optional(),
  tags: z.array(z.string()).min(1).optional(),
  at: z.iso.datetime({ offset: true }).optional(),
});

describe('the admin API words a zod refusal as sentences naming each field', () => {
  it('regression: an API error showed raw zod text ("Invalid input: expected string, received number") instead of a sentence', () => {
    const message = errorOf(body, { year: '2026', passed: 1, grade: 'good' });
    expect(message).not.toMatch(/Invalid input|Invalid option|expected \w+, received/);
    expect(message).toBe('year must be a number, not a string; passed must be a boolean, not a number; grade must be one of: "excellent", "competent"');
  });

  it('says what is missing, empty, too small or too large, with the bound', () => {
    expect(errorOf(body, { passed: true, grade: 'competent' })).toBe('year is required');
    expect(errorOf(body, { year: 1999, passed: true, grade: 'competent', note: '' })).toBe('year must be at least 2000; note must not be empty');
    expect(errorOf(body, { year: 2101, passed: true, grade: 'competent', note: 'too long', tags: [] })).toBe(
      'year must be at most 2100; note must be at most 5 characters long; tags must be at least 1 item',
    );
    expect(errorOf(body, { year: Number('x'), passed: true, grade: 'competent' })).toBe('year must be a number, not NaN');
    expect(errorOf(z.number().gt(0), 0)).toBe('the value must be more than 0');
  });

  it('names a bad time format and an unknown field', () => {
    expect(errorOf(body, { year: 2026, passed: true, grade: 'competent', at: '2026-03-01' })).toBe('at must be an ISO 8601 time with a zone, e.g. 2026-04-01T09:00:00+08:00');
    expect(errorOf(body, { year: 2026, passed: true, grade: 'competent', colour: 'red' })).toBe('Unrecognized key "colour": the request takes no such field');
    expect(errorOf(z.strictObject({ sub: z.strictObject({ a: z.string() }) }), { sub: { a: 'x', b: 1, c: 2 } })).toBe('Unrecognized keys "b", "c" in sub: the request takes no such field');
  });

  it("keeps a schema's own message after the field's name", () => {
    expect(errorOf(z.strictObject({ startsAt: z.string().min(1, 'times are ISO 8601 with a zone') }), { startsAt: '' })).toBe('startsAt: times are ISO 8601 with a zone');
    expect(errorOf(z.string().regex(/^\d+$/, 'the photo index is a number, 0 for the first'), 'x')).toBe('the photo index is a number, 0 for the first');
  });
});
