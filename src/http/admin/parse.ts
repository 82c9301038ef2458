import type { z } from 'zod';
import { HttpError } from '../errors.ts';

/** A body, query or path parameter checked by its zod schema; 400 naming each field that is wrong otherwise. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  return r.data;
}
