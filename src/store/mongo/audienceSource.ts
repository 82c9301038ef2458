import type { Connection } from 'mongoose';
import type { Document, Filter } from 'mongodb';
import type { AudienceSource, Recipient } from '../../app/ports/broadcasts.ts';
import type { WorkerQuery } from '../../domain/broadcasts/segment.ts';

const OPEN = ['open', 'returned'];
const SEATED = ['enrolled', 'offered', 'waiting'];

/**
 * A segment's workers, read straight from the collections that hold each fact: the workers by region prefix
 * (an anchored regex on the indexed regionCode), role and channel; certificates, applications and enrolments as
 * sets of worker ids read once each (a projection of one field), intersected in memory while the workers stream
 * by. Every value in these filters comes from a segment zod has parsed (segment.ts).
 */
export function createMongoAudienceSource(connection: Connection): AudienceSource {
  const db = connection.db!;
  const idsOf = async (collection: string, filter: Filter<Document>): Promise<Set<string>> => {
    const out = new Set<string>();
    for await (const d of db.collection(collection).find(filter, { projection: { _id: 0, workerId: 1 } })) out.add(String(d.workerId));
    return out;
  };

  return {
    async *recipients(q: WorkerQuery, year: number): AsyncIterable<Recipient> {
      const keep: Set<string>[] = [];
      let drop: Set<string> | null = null;
      if (q.certificates) {
        keep.push(
          await idsOf('certificates', {
            ...(q.certificates.levels ? { level: { $in: q.certificates.levels } } : {}),
            // "Holding" a level is a valid certificate of it, unless statuses are asked for.
            status: { $in: q.certificates.statuses ?? ['valid'] },
          }),
        );
      }
      if (q.applications) {
        keep.push(
          await idsOf('applications', {
            status: { $in: OPEN },
            ...(q.applications.levels ? { level: { $in: q.applications.levels } } : {}),
            ...(q.applications.stages ? { stage: { $in: q.applications.stages } } : {}),
          }),
        );
      }
      if (q.session) {
        const seated = await idsOf('training_enrolments', { sessionId: q.session.id, state: { $in: SEATED } });
        if (q.session.enrolled) keep.push(seated);
        else drop = seated;
      }
      let hours: Map<string, number> | null = null;
      let held: Map<string, string[]> | null = null;
      if (q.hoursShort) {
        hours = new Map();
        for await (const d of db.collection('training_hours').find({ year }, { projection: { _id: 0, workerId: 1, hours: 1 } })) {
          hours.set(String(d.workerId), (hours.get(String(d.workerId)) ?? 0) + Number(d.hours));
        }
        held = new Map();
        for await (const d of db.collection('certificates').find({ status: 'valid' }, { projection: { _id: 0, workerId: 1, level: 1 } })) {
          const list = held.get(String(d.workerId)) ?? [];
          list.push(String(d.level));
          held.set(String(d.workerId), list);
        }
      }

      const w = q.workers;
      const filter: Filter<Document> = {
        regionCode: { $regex: `^${w.regionPrefix}` },
        ...(w.roles ? { role: { $in: w.roles } } : {}),
        ...(w.channels ? { channel: { $in: w.channels } } : {}),
        ...(w.registeredBy ? { registeredAt: { $lte: w.registeredBy } } : {}),
      };
      const cursor = db
        .collection('workers')
        .find(filter, { projection: { _id: 1, channel: 1, userId: 1, name: 1, locale: 1, regionCode: 1, role: 1 } })
        .sort({ _id: 1 })
        .batchSize(2000);
      for await (const d of cursor) {
        const id = String(d._id);
        if (keep.some((s) => !s.has(id)) || drop?.has(id)) continue;
        yield {
          workerId: id,
          channel: String(d.channel),
          userId: String(d.userId),
          name: String(d.name),
          ...(d.locale ? { locale: String(d.locale) } : {}),
          regionCode: String(d.regionCode),
          role: String(d.role),
          ...(hours ? { hours: hours.get(id) ?? 0, heldLevels: held!.get(id) ?? [] } : {}),
        };
      }
    },
  };
}

/** Test sends go to the chat identity an admin bound (`broadcast_test_targets`, keyed by admin id). */
export function createMongoTestTargets(connection: Connection) {
  const c = connection.db!.collection<{ _id: string; channel: string; userId: string }>('broadcast_test_targets');
  return {
    async get(adminId: string) {
      const d = await c.findOne({ _id: adminId });
      return d ? { channel: d.channel, userId: d.userId } : null;
    },
    async set(adminId: string, target: { channel: string; userId: string }) {
      await c.updateOne({ _id: adminId }, { $set: target }, { upsert: true });
    },
  };
}
