import type { ServiceError } from '../../app/certification/runCommand.ts';
import { HttpError } from '../errors.ts';

/** The value checked by `schema`, or a 400 naming each problem: one helper for every admin route (parse.ts). */
export { parse } from './parse.ts';

/**
 * The JSON fields of a refusal next to its English `error`: its stable `code` and `params`, which the console
 * turns into a sentence in the admin's language, and any extra fields (a conflict's `current`).
 */
export function refusalFields(e: ServiceError): Record<string, unknown> {
  return { ...e.body, code: e.code, ...(e.params ? { params: e.params } : {}) };
}

/** A service refusal as the HTTP answer: its status, message, code, params and any extra fields. */
export function fail(e: ServiceError): never {
  throw new HttpError(e.status, e.message, refusalFields(e));
}
