import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's root (flows/, templates/, policies/, console/dist). In a module of its own so that the tools
 * (admin:create, console:recount, lint:flows) can find it without importing main.ts and, with it, the whole app:
 * that import alone took seconds before a tool could even refuse a bad argument.
 */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
