import mongoose, { type Connection } from 'mongoose';

/**
 * One mongoose connection for the app (models, repositories and the scheduler share it). Filters built from
 * input are zod-checked before they get here; for model queries (Model.find, updateOne, ...) sanitizeFilter and
 * strictQuery are the second line of defence, and operators the code writes itself are wrapped in
 * `mongoose.trusted`. Queries on the driver collection (`Model.collection`, `typedCollection`) bypass both: for
 * those the shape checks before the query are the only defence (see typedCollection.ts).
 */
export async function connectMongo(uri: string, opts: { dbName?: string; monitorCommands?: boolean } = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    ...(opts.dbName ? { dbName: opts.dbName } : {}),
    // The driver's command events, for diagnostics (bench:channels times the app's round trips with them).
    ...(opts.monitorCommands ? { monitorCommands: true } : {}),
    autoIndex: true,
    serverSelectionTimeoutMS: 10_000,
    maxPoolSize: 50,
  });
  connection.set('sanitizeFilter', true);
  connection.set('strictQuery', true);
  await connection.asPromise();
  return connection;
}

export const trusted = <T>(obj: T): T => mongoose.trusted(obj) as T;

export function isDuplicateKey(err: unknown): err is { code: 11000; keyPattern?: Record<string, unknown>; message: string } {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** A model registered once per connection (factories may run more than once in tests). */
export function modelOf<T>(connection: Connection, name: string, schema: import('mongoose').Schema<T>): import('mongoose').Model<T> {
  return (connection.models[name] as import('mongoose').Model<T> | undefined) ?? connection.model<T>(name, schema);
}
