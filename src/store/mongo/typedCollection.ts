import type { Collection, Document } from 'mongodb';
import type { Connection, Schema } from 'mongoose';
import { modelOf } from './connection.ts';

/**
 * The driver collection behind a mongoose model, typed by its documents, so that filters and updates are checked
 * by the compiler instead of being cast with `as never`. The model is registered for its schema's indexes.
 *
 * What protects these queries: they go straight to the driver, so mongoose's `sanitizeFilter` (see connection.ts)
 * does NOT apply to them. They are safe because every value put in a filter is either built by our own code
 * (dates, counters, field paths from checked template ids) or a string that has passed a shape check first (the
 * regexes in channels/ports.ts, zod schemas at the HTTP boundary); the document types here keep filter values
 * to strings, numbers and dates, so an object from a request cannot be passed in without a cast.
 */
export function typedCollection<TDoc extends Document>(connection: Connection, modelName: string, schema: Schema<TDoc>): Collection<TDoc> {
  // The one cast: mongoose types `Model.collection` without its document type; the driver object is the same.
  return modelOf<TDoc>(connection, modelName, schema).collection as unknown as Collection<TDoc>;
}
