import type { z } from 'zod';
import type { ServiceError } from '../../app/certification/runCommand.ts';
import { HttpError } from '../errors.ts';

/** The value checked by `schema`, or a 400 naming each problem (`field: message; ...`). */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  return r.data;
}

/** A service refusal as the HTTP answer: its status, message and any extra fields (a conflict's `current`). */
export function fail(e: ServiceError): never {
  throw new HttpError(e.status, e.message, e.body);
}
