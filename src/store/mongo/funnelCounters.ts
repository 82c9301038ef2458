import { Schema, type Connection } from 'mongoose';
import type { AnyBulkWriteOperation } from 'mongodb';
import type { FunnelCounterStore, FunnelCounts, FunnelKey } from '../../app/ports/funnel.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Funnel counters, collection `funnel_counters`: one document per (flow, version, China day, step), `_id` made of
 * the four, counts as numbers and the duration histogram in `d` (bucket → count). Only ever `$inc`-upserted, so
 * any number of instances add to the same document without reading it.
 */
interface CounterDoc extends FunnelKey, Omit<FunnelCounts, 'durations'> {
  _id: string;
  d: Record<string, number>;
}

const schema = new Schema<CounterDoc>(
  {
    _id: String,
    flowId: { type: String, required: true },
    flowVersion: { type: Number, required: true },
    day: { type: String, required: true },
    stepId: { type: String, required: true },
    reached: Number,
    answered: Number,
    retries: Number,
    gaveUp: Number,
    timedOut: Number,
    d: { type: Schema.Types.Mixed },
  },
  { collection: 'funnel_counters', versionKey: false, _id: false },
);
// read(): equality on flow and version, a range of days.
schema.index({ flowId: 1, flowVersion: 1, day: 1 });

export const funnelCounterId = (k: FunnelKey) => `${k.flowId}|${k.flowVersion}|${k.day}|${k.stepId}`;

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

/** How long the flow picker's (flow, version) list is kept before it is read again (other instances add to it). */
const VERSIONS_TTL_MS = 60_000;

export function createMongoFunnelCounterStore(connection: Connection, now: () => number = () => performance.now()): FunnelCounterStore {
  const collection = typedCollection<CounterDoc>(connection, 'FunnelCounter', schema);
  // Grouping every counter document (a million turns leave thousands) on each funnel page cost more than the
  // page's own read; the list changes only when a flow version is first counted, which this instance sees in add().
  let versions: { at: number; list: Promise<Map<string, { flowId: string; flowVersion: number }>> } | null = null;
  const readVersions = async () => {
    const docs = await collection.aggregate<{ _id: { flowId: string; flowVersion: number } }>([{ $group: { _id: { flowId: '$flowId', flowVersion: '$flowVersion' } } }]).toArray();
    return new Map(docs.map((d) => [`${d._id.flowId}|${d._id.flowVersion}`, d._id]));
  };

  return {
    async add(deltas) {
      if (deltas.length === 0) return;
      const ops: AnyBulkWriteOperation<CounterDoc>[] = deltas.map((k) => {
        const inc: Record<string, number> = {};
        for (const f of ['reached', 'answered', 'retries', 'gaveUp', 'timedOut'] as const) if (k[f]) inc[f] = k[f];
        for (const [b, n] of Object.entries(k.durations)) if (/^\d{1,2}$/.test(b) && n) inc[`d.${b}`] = n;
        return {
          updateOne: {
            filter: { _id: funnelCounterId(k) },
            update: { $setOnInsert: { flowId: k.flowId, flowVersion: k.flowVersion, day: k.day, stepId: k.stepId }, $inc: inc },
            upsert: true,
          },
        };
      });
      await collection.bulkWrite(ops, { ordered: false });
      if (versions) {
        const known = await versions.list.catch(() => null);
        if (known) for (const k of deltas) known.set(`${k.flowId}|${k.flowVersion}`, { flowId: k.flowId, flowVersion: k.flowVersion });
      }
    },

    async read(flowId, flowVersion, from, to) {
      const docs = await collection.find({ flowId: str(flowId, 'flowId'), flowVersion: Number(flowVersion), day: { $gte: str(from, 'from'), $lte: str(to, 'to') } }).toArray();
      return docs.map((doc) => ({
        flowId: doc.flowId,
        flowVersion: doc.flowVersion,
        day: doc.day,
        stepId: doc.stepId,
        reached: doc.reached ?? 0,
        answered: doc.answered ?? 0,
        retries: doc.retries ?? 0,
        gaveUp: doc.gaveUp ?? 0,
        timedOut: doc.timedOut ?? 0,
        durations: doc.d ?? {},
      }));
    },

    async versions() {
      if (!versions || now() - versions.at >= VERSIONS_TTL_MS) {
        const list = readVersions();
        versions = { at: now(), list };
        // A failed read is not kept: the next call reads again.
        list.catch(() => {
          if (versions?.list === list) versions = null;
        });
      }
      const known = await versions.list;
      return [...known.values()].sort((a, b) => a.flowId.localeCompare(b.flowId) || a.flowVersion - b.flowVersion);
    },
  };
}
