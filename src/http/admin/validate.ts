import type { ServiceError } from '../../app/certification/runCommand.ts';
import { HttpError } from '../errors.ts';

/** The value checked by `schema`, or a 400 naming each problem: one helper for every admin route (parse.ts). */
export { parse } from './parse.ts';

/** A service refusal as the HTTP answer: its status, message and any extra fields (a conflict's `current`). */
export function fail(e: ServiceError): never {
  throw new HttpError(e.status, e.message, e.body);
}
