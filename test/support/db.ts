/**
 * Database URIs for integration tests. The test run shares one server
 * (test/support/globalSetup.ts); every test file gets its own database so
 * files running in parallel never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

// MongoDB database names are limited to 63 bytes.
const MAX_DB_NAME_LENGTH = 63;

/** A URI for this run's server with a fresh database, e.g. `.../redcollar_test_users_3f9a1c`. */
export function testDbUri(fileTag: string): string {
  return withDatabase(inject('mongoUri'), testDbName(fileTag));
}

/** `redcollar_test_<tag>_<random>`, with the tag reduced to characters valid in any database name. */
export function testDbName(fileTag: string): string {
  const suffix = randomBytes(4).toString('hex');
  const prefix = 'redcollar_test_';
  const room = MAX_DB_NAME_LENGTH - prefix.length - suffix.length - 1;
  const tag = fileTag.replace(/[^A-Za-z0-9_]/g, '_').slice(0, room) || 'file';
  return `${prefix}${tag}_${suffix}`;
}

/**
 * Puts `dbName` into a MongoDB connection string in place of any database
 * already there, keeping hosts, credentials and options. Done by hand because
 * multi-host URIs (`mongodb://a:1,b:2/`) are not valid WHATWG URLs.
 */
export function withDatabase(uri: string, dbName: string): string {
  const schemeEnd = uri.indexOf('://');
  if (schemeEnd === -1) {
    throw new Error(`MongoDB URI must start with mongodb:// or mongodb+srv://, got '${uri}'.`);
  }
  const queryStart = uri.indexOf('?', schemeEnd);
  const beforeQuery = queryStart === -1 ? uri : uri.slice(0, queryStart);
  let query = queryStart === -1 ? '' : uri.slice(queryStart + 1);
  const pathStart = beforeQuery.indexOf('/', schemeEnd + 3);
  const authority = pathStart === -1 ? beforeQuery : beforeQuery.slice(0, pathStart);
  const originalDb = pathStart === -1 ? '' : beforeQuery.slice(pathStart + 1);

  // Credentials authenticate against the URI's database unless authSource says
  // otherwise; keep authenticating where the original URI did.
  const hasCredentials = authority.slice(schemeEnd + 3).includes('@');
  if (hasCredentials && !/(^|&)authSource=/i.test(query)) {
    const authSource = `authSource=${originalDb || 'admin'}`;
    query = query ? `${query}&${authSource}` : authSource;
  }
  return `${authority}/${dbName}${query ? `?${query}` : ''}`;
}
