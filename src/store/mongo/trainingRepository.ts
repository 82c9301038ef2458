import { randomBytes } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import type { EnrolOutcome, TrainingRepository } from '../../app/ports/training.ts';
import type { Enrolment, HoursCredit, Role, TrainingSession } from '../../domain/training/types.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Collections `training_sessions`, `training_enrolments`, `training_attendance`, `training_hours`.
 *
 * Seats: the session keeps `seatsLeft`; taking one is `updateOne({seatsLeft: {$gt: 0}}, {$inc: {seatsLeft: -1}})`,
 * one atomic write, so 500 workers racing for 100 seats get exactly 100. Everyone then takes an arrival number
 * from the session's `seq` counter, unique per session by index; the waiting list is served in that order. A freed seat is handed to the first in line by one findOneAndUpdate
 * (two seats freed at once go to two different workers), or given back to `seatsLeft` when nobody waits.
 */
interface SessionDoc extends Omit<TrainingSession, 'id'> {
  _id: string;
  seatsLeft: number;
  seq: number;
}
interface EnrolmentDoc extends Enrolment {
  _id: string;
}
interface AttendanceDoc {
  _id: string;
  sessionId: string;
  workerId: string;
  day: string;
  by: string;
  at: Date;
}
interface CreditDoc extends HoursCredit {
  _id: string;
}

const sessionSchema = new Schema<SessionDoc>({ _id: String }, { collection: 'training_sessions', versionKey: false, _id: false, strict: false });
sessionSchema.index({ startsAt: 1 });
// The console's list: a region prefix, then time order with the id breaking ties (its keyset).
sessionSchema.index({ regionCode: 1, startsAt: 1, _id: 1 });
const enrolmentSchema = new Schema<EnrolmentDoc>({ _id: String }, { collection: 'training_enrolments', versionKey: false, _id: false, strict: false });
enrolmentSchema.index({ sessionId: 1, state: 1, seq: 1 });
// Arrival numbers never repeat within a session (the embedded server may hand one out twice under load: see enrol).
enrolmentSchema.index({ sessionId: 1, seq: 1 }, { unique: true });
enrolmentSchema.index({ workerId: 1 });
enrolmentSchema.index({ state: 1, offeredUntil: 1 });
const attendanceSchema = new Schema<AttendanceDoc>({ _id: String }, { collection: 'training_attendance', versionKey: false, _id: false, strict: false });
attendanceSchema.index({ sessionId: 1 });
const creditSchema = new Schema<CreditDoc>({ _id: String }, { collection: 'training_hours', versionKey: false, _id: false, strict: false });
creditSchema.index({ workerId: 1, year: 1 });

const enrolmentId = (sessionId: string, workerId: string) => `${sessionId}:${workerId}`;

function toSession(d: SessionDoc): TrainingSession {
  const { _id, seatsLeft: _s, seq: _q, ...rest } = d;
  // Sessions stored before `stages` existed are open at every stage.
  return { id: _id, ...rest, roles: rest.roles as Role[], stages: rest.stages ?? [] };
}
function toEnrolment(d: EnrolmentDoc): Enrolment {
  const { _id: _i, ...rest } = d;
  return rest;
}

export function createMongoTrainingRepository(connection: Connection): TrainingRepository {
  const sessions = typedCollection<SessionDoc>(connection, 'TrainingSession', sessionSchema);
  const enrolments = typedCollection<EnrolmentDoc>(connection, 'TrainingEnrolment', enrolmentSchema);
  const attendance = typedCollection<AttendanceDoc>(connection, 'TrainingAttendance', attendanceSchema);
  const credits = typedCollection<CreditDoc>(connection, 'TrainingHours', creditSchema);

  const repo: TrainingRepository = {
    async create(input) {
      const doc: SessionDoc = { _id: randomBytes(8).toString('hex'), ...input, status: 'open', version: 1, seatsLeft: input.capacity, seq: 0 };
      await sessions.insertOne(doc);
      return toSession(doc);
    },

    async get(id) {
      const d = await sessions.findOne({ _id: id });
      return d ? toSession(d) : null;
    },

    async listUpcoming(after) {
      return (await sessions.find({ status: 'open', startsAt: { $gt: after } }).sort({ startsAt: 1 }).limit(200).toArray()).map(toSession);
    },

    async listInRegion(q) {
      const region = { $regex: `^${q.regionPrefix.replace(/\D/g, '')}` };
      const sort = { startsAt: 1, _id: 1 } as const;
      // Two plain range queries rather than one $or (the embedded server plans an $or by a full scan): first the
      // rest of the sessions that start at the same time as the cursor's, then the later ones.
      const ties = q.after ? await sessions.find({ regionCode: region, startsAt: q.after.startsAt, _id: { $gt: q.after.id } }).sort(sort).limit(q.limit).toArray() : [];
      const from = q.after ? { $gt: q.after.startsAt } : { $gt: q.from };
      const later = ties.length < q.limit ? await sessions.find({ regionCode: region, startsAt: from }).sort(sort).limit(q.limit - ties.length).toArray() : [];
      return [...ties, ...later].map(toSession);
    },

    async attendanceOf(sessionId) {
      return (await attendance.find({ sessionId }).toArray()).map((a) => ({ workerId: a.workerId, day: a.day, by: a.by }));
    },

    async update(id, version, changes) {
      const before = await sessions.findOne({ _id: id, version });
      if (!before) return null;
      const delta = changes.capacity !== undefined ? changes.capacity - before.capacity : 0;
      const r = await sessions.findOneAndUpdate(
        { _id: id, version },
        { $set: changes, $inc: { version: 1, seatsLeft: delta } },
        { returnDocument: 'after' },
      );
      return r ? toSession(r) : null;
    },

    async cancel(id) {
      const r = await sessions.findOneAndUpdate({ _id: id, status: 'open' }, { $set: { status: 'cancelled' }, $inc: { version: 1 } }, { returnDocument: 'after' });
      return r ? toSession(r) : null;
    },

    async counts(sessionId) {
      const [enrolled, offered, waiting] = await Promise.all(
        (['enrolled', 'offered', 'waiting'] as const).map((state) => enrolments.countDocuments({ sessionId, state })),
      );
      return { enrolled: enrolled!, offered: offered!, waiting: waiting! };
    },

    async enrol(session, who, now): Promise<EnrolOutcome> {
      const id = enrolmentId(session.id, who.workerId);
      const existing = await enrolments.findOne({ _id: id });
      if (existing?.state === 'offered' && existing.offeredUntil && existing.offeredUntil > now) {
        const taken = await enrolments.findOneAndUpdate({ _id: id, state: 'offered', offeredUntil: { $gt: now } }, { $set: { state: 'enrolled', offeredUntil: null } }, { returnDocument: 'after' });
        if (taken) return { status: 'accepted', enrolment: toEnrolment(taken) };
      }
      if (existing && (existing.state === 'enrolled' || existing.state === 'waiting' || existing.state === 'offered')) return { status: 'already', enrolment: toEnrolment(existing) };

      const seat = (await sessions.updateOne({ _id: session.id, status: 'open', seatsLeft: { $gt: 0 } }, { $inc: { seatsLeft: -1 } })).modifiedCount === 1;
      if (!seat && !(await sessions.findOne({ _id: session.id, status: 'open' }, { projection: { _id: 1 } }))) return { status: 'closed' };
      let doc: EnrolmentDoc | null = null;
      let stored = false;
      // The arrival number comes from the session's counter; the unique (session, seq) index turns a number handed
      // out twice into a retry with a fresh one, so the waiting list has one strict order.
      for (let attempt = 0; attempt < 50 && !stored; attempt++) {
        const numbered = await sessions.findOneAndUpdate({ _id: session.id }, { $inc: { seq: 1 } }, { returnDocument: 'after' });
        doc = { _id: id, sessionId: session.id, ...who, seq: numbered!.seq, state: seat ? 'enrolled' : 'waiting', offeredUntil: null, at: now, score: null };
        try {
          // A cancelled or expired enrolment of the same worker is replaced: they join again at the back.
          stored = existing ? (await enrolments.findOneAndReplace({ _id: id, state: existing.state }, doc, { returnDocument: 'after' })) !== null : (await enrolments.insertOne(doc), true);
          if (!stored) break;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          // The same worker enrolled twice at once (the _id collided): the other attempt won.
          if (await enrolments.findOne({ _id: id, seq: { $ne: doc.seq } })) break;
        }
      }
      if (!stored || !doc) {
        if (seat) await sessions.updateOne({ _id: session.id }, { $inc: { seatsLeft: 1 } });
        const winner = await enrolments.findOne({ _id: id });
        return winner ? { status: 'already', enrolment: toEnrolment(winner) } : { status: 'closed' };
      }
      return { status: seat ? 'enrolled' : 'waiting', enrolment: toEnrolment(doc) };
    },

    async withdraw(sessionId, workerId) {
      const before = await enrolments.findOneAndUpdate(
        { _id: enrolmentId(sessionId, workerId), state: { $in: ['enrolled', 'waiting', 'offered'] } },
        { $set: { state: 'cancelled', offeredUntil: null } },
        { returnDocument: 'before' },
      );
      return before ? toEnrolment(before) : null;
    },

    async freeSeat(sessionId, _now, offerUntil) {
      const offered = await enrolments.findOneAndUpdate(
        { sessionId, state: 'waiting' },
        { $set: { state: 'offered', offeredUntil: offerUntil } },
        { sort: { seq: 1 }, returnDocument: 'after' },
      );
      if (offered) return toEnrolment(offered);
      await sessions.updateOne({ _id: sessionId }, { $inc: { seatsLeft: 1 } });
      return null;
    },

    async expireOffers(now, limit) {
      const due = await enrolments.find({ state: 'offered', offeredUntil: { $lte: now } }).limit(limit).toArray();
      const expired: Enrolment[] = [];
      for (const d of due) {
        const r = await enrolments.findOneAndUpdate({ _id: d._id, state: 'offered', offeredUntil: { $lte: now } }, { $set: { state: 'expired' } }, { returnDocument: 'after' });
        if (r) expired.push(toEnrolment(r));
      }
      return expired;
    },

    async sessionsWithSeatsAndWaiting(limit) {
      const open = await sessions.find({ status: 'open', seatsLeft: { $gt: 0 } }, { projection: { _id: 1 } }).limit(limit * 10).toArray();
      const out: string[] = [];
      for (const s of open) {
        if (out.length >= limit) break;
        if (await enrolments.findOne({ sessionId: s._id, state: 'waiting' }, { projection: { _id: 1 } })) out.push(s._id);
      }
      return out;
    },

    async takeFreeSeat(sessionId) {
      return (await sessions.updateOne({ _id: sessionId, seatsLeft: { $gt: 0 } }, { $inc: { seatsLeft: -1 } })).modifiedCount === 1;
    },

    async enrolment(sessionId, workerId) {
      const d = await enrolments.findOne({ _id: enrolmentId(sessionId, workerId) });
      return d ? toEnrolment(d) : null;
    },

    async enrolmentsOfSession(sessionId) {
      return (await enrolments.find({ sessionId }).sort({ seq: 1 }).toArray()).map(toEnrolment);
    },

    async enrolmentsOfWorker(workerId) {
      return (await enrolments.find({ workerId }).sort({ at: -1 }).limit(200).toArray()).map(toEnrolment);
    },

    async setScore(sessionId, workerId, score) {
      await enrolments.updateOne({ _id: enrolmentId(sessionId, workerId) }, { $set: { score } });
    },

    async recordAttendance(sessionId, workerId, day, by, at) {
      try {
        await attendance.insertOne({ _id: `${sessionId}:${workerId}:${day}`, sessionId, workerId, day, by, at });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    async credit(entry) {
      try {
        await credits.insertOne({ _id: `${entry.workerId}:${entry.sessionId}`, ...entry });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    async credits(workerId) {
      return (await credits.find({ workerId }).toArray()).map(({ _id: _i, ...rest }) => rest);
    },
  };
  return repo;
}
