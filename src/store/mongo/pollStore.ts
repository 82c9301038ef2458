import { randomInt } from 'node:crypto';
import { MongoBulkWriteError, type AnyBulkWriteOperation, type WriteError } from 'mongodb';
import { Schema, type Connection } from 'mongoose';
import type { ApplyOutcome, PollCodeRecord, PollRecord, PollSession, PollStore } from '../../app/ports/polls.ts';
import type { GroupTally, PollGroup } from '../../domain/polls/types.ts';
import { isDuplicateKey } from './connection.ts';
import { groupCommit } from './groupCommit.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Polls in four collections. `polls`: the poll's definition and, once closed, its result. `poll_tallies`: the
 * counts, split over TALLY_SHARDS documents per poll (counts only: no code, identity or time per answer), each with
 * the submission ids it counted while the poll is open: an answer rewrites one small document, not one that grows
 * with every answer (a 3,000-answer poll's single document cost the database 4 ms a write). `poll_codes`: one per
 * respondent code, `_id` = HMAC of the code, the code itself sealed; a code bound to a chat identity carries `claim`
 * (poll id and identity HMAC) under a unique sparse index, so that the update binding a code is also the check that
 * the identity holds no other code of the poll (earlier versions kept that claim apart, in `poll_respondents`,
 * which nothing reads now; `markCodeClaims` puts it on the bound codes). `poll_sessions`: a chat respondent's answers in
 * progress, sealed, deleted on submit. No transactions: each step is one single-document atomic update, and the
 * submission id makes counting idempotent (app/polls/submitAnswer.ts).
 */
interface PollDoc extends Omit<PollRecord, 'id'> {
  _id: string;
  commentCount?: number;
  /** 1 once extended: shards opened for an earlier round are opened again (a crash between the two writes). */
  round?: number;
}
/** One part of a poll's counts; `round` is the poll's (0, 1 after the one extension) that opened it. */
interface TallyDoc {
  _id: string;
  pollId: string;
  status: 'open' | 'closed';
  round: number;
  answered: number;
  tallies: PollRecord['tallies'];
  comments: PollRecord['comments'];
  applied: string[];
}
interface CodeDoc extends Omit<PollCodeRecord, 'hash'> {
  _id: string;
  /** `<pollId>:<boundTo>` once bound; absent before (never null: the sparse index would then hold every code). */
  claim?: string;
}
interface SessionDoc extends Omit<PollSession, 'key'> {
  _id: string;
}

const mixed = { type: Schema.Types.Mixed };
const pollSchema = new Schema<PollDoc>(
  {
    _id: String,
    subject: mixed,
    workerId: String,
    policyId: String,
    level: String,
    regionCode: String,
    roster: mixed,
    closesAt: String,
    minGroupSize: Number,
    quorum: mixed,
    questionnaire: mixed,
    status: String,
    extended: Boolean,
    createdBy: String,
    createdAt: String,
    closedAt: { type: String, default: null },
    answered: Number,
    tallies: mixed,
    comments: mixed,
    commentCount: Number,
    flags: mixed,
    applied: mixed,
    result: mixed,
  },
  { collection: 'polls', versionKey: false, _id: false, minimize: false },
);
pollSchema.index({ regionCode: 1, createdAt: -1 });
/**
 * Every guarded write names the _id and a condition (`{_id, status}`); the embedded server's _id index answers only
 * a query on _id alone, so without this one each such write scanned the whole collection (30 ms an answer with a
 * few thousand codes). With it the condition is a range of one entry.
 */
pollSchema.index({ _id: 1, status: 1 });
const tallySchema = new Schema<TallyDoc>(
  { _id: String, pollId: String, status: String, round: Number, answered: Number, tallies: mixed, comments: mixed, applied: mixed },
  { collection: 'poll_tallies', versionKey: false, _id: false, minimize: false },
);
tallySchema.index({ pollId: 1 });
tallySchema.index({ _id: 1, status: 1 });
const codeSchema = new Schema<CodeDoc>(
  { _id: String, pollId: String, group: String, sealed: String, status: String, boundTo: mixed, pending: mixed, usedOn: mixed },
  { collection: 'poll_codes', versionKey: false, _id: false, minimize: false },
);
codeSchema.index({ pollId: 1, status: 1 });
codeSchema.index({ _id: 1, status: 1 });
/** One code per chat identity and poll: binding a second code of the poll fails on this index (`otherCode`). */
codeSchema.index({ claim: 1 }, { unique: true, sparse: true });
const sessionSchema = new Schema<SessionDoc>(
  { _id: String, pollId: String, codeHash: String, locale: String, step: Number, answers: String, editing: Boolean, day: String },
  { collection: 'poll_sessions', versionKey: false, _id: false },
);

/** The driver gives one write error or a list of them. */
function writeErrorsOf(err: MongoBulkWriteError): readonly WriteError[] {
  const w = err.writeErrors;
  return Array.isArray(w) ? w : [w as WriteError];
}

/** Steps (1) and (3) of a submit on its code (createMongoPollStore's `codeWrites`). */
type CodeWrite = { kind: 'begin'; hash: string; sid: string; sealed: string; bind?: { pollId: string; identity: string } } | { kind: 'finish'; hash: string; sid: string; day: string };
type BeginOutcome = 'begun' | 'taken' | 'otherCode';

const toPoll = ({ _id, commentCount: _n, ...rest }: PollDoc): PollRecord => ({ id: _id, ...rest });
const toCode = ({ _id, claim: _claim, ...rest }: CodeDoc): PollCodeRecord => ({ hash: _id, ...rest });
const claimOf = (pollId: string, identity: string) => `${pollId}:${identity}`;

/**
 * Codes bound by an earlier version, which kept "this identity answers this poll with this code" in
 * `poll_respondents` and bound the code after it: the claim goes onto the bound code, where the unique index
 * enforces it. Idempotent; a startup
 * migration (store/mongo/startupMigrations.ts). Returns how many codes it marked.
 */
export async function markCodeClaims(connection: Connection): Promise<number> {
  const codes = typedCollection<CodeDoc>(connection, 'PollCode', codeSchema);
  let marked = 0;
  for await (const code of codes.find({ boundTo: { $type: 'string' }, claim: { $exists: false } }, { projection: { pollId: 1, boundTo: 1 } })) {
    const r = await codes.updateOne({ _id: code._id, claim: { $exists: false } }, { $set: { claim: claimOf(code.pollId, code.boundTo!) } }).catch((err: unknown) => {
      // Two codes of one poll bound to one identity (possible only after a crash between the old claim and bind):
      // the first keeps the claim, and the other, bound already, stays usable by its identity as before.
      if (isDuplicateKey(err)) return { modifiedCount: 0 };
      throw err;
    });
    marked += r.modifiedCount;
  }
  return marked;
}

/** Field paths are built from question ids and options the questionnaire checked (camelCase words only). */
const SAFE_PATH = /^[A-Za-z][A-Za-z0-9]{0,40}$/;
function path(...parts: string[]): string {
  for (const p of parts) if (!SAFE_PATH.test(p)) throw new TypeError(`not a safe field name: ${p}`);
  return parts.join('.');
}

/** Enough parts that each stays small (a 10,000-answer poll: ~600 ids a part), few enough to read in one query. */
export const TALLY_SHARDS = 16;
const shardId = (pollId: string, n: number) => `${pollId}:${n}`;
/** FNV-1a of the submission id: which part counts it (ids are random, so the parts fill evenly). */
function shardOf(sid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < sid.length; i++) h = Math.imul(h ^ sid.charCodeAt(i), 0x01000193);
  return (h >>> 0) % TALLY_SHARDS;
}
const newShards = (pollId: string, status: TallyDoc['status'], round: number, applied: string[] = []): TallyDoc[] =>
  Array.from({ length: TALLY_SHARDS }, (_, n) => ({ _id: shardId(pollId, n), pollId, status, round, answered: 0, tallies: {}, comments: [], applied }));

/** Sums counts into `into` (a poll's parts, and the counts a poll created before the parts kept on itself). */
function addTallies(into: PollRecord['tallies'], from: PollRecord['tallies'] | undefined): void {
  for (const [group, t] of Object.entries(from ?? {}) as [PollGroup, GroupTally][]) {
    const target = (into[group] ??= { answers: 0, counts: {} });
    target.answers += t.answers;
    for (const [q, options] of Object.entries(t.counts)) {
      const tq = (target.counts[q] ??= {});
      for (const [o, n] of Object.entries(options)) tq[o] = (tq[o] ?? 0) + n;
    }
  }
}

export function createMongoPollStore(connection: Connection): PollStore {
  const polls = typedCollection<PollDoc>(connection, 'Poll', pollSchema);
  const codes = typedCollection<CodeDoc>(connection, 'PollCode', codeSchema);
  const sessions = typedCollection<SessionDoc>(connection, 'PollSession', sessionSchema);
  const shards = typedCollection<TallyDoc>(connection, 'PollTally', tallySchema);
  /**
   * Many messages' code reads go to the database as one read of the codes by `_id $in` (groupCommit). One batch at
   * a time (`parallel: 1`, for every group of this store): under load a batch then takes all that gathered during
   * the previous round trip, which halved the commands per answer against two in flight (each command costs the
   * app about as much as the rest of an answer); at low load an item is still sent at once.
   */
  const gc = <T, R>(f: (items: T[]) => Promise<R[]>) => groupCommit(f, { parallel: 1 });
  const readCode = gc(async (hashes: string[]) => {
    const found = new Map((await codes.find({ _id: { $in: [...new Set(hashes)] } }).toArray()).map((d) => [d._id, d]));
    return hashes.map((h) => found.get(h) ?? null);
  });
  /**
   * Steps (1) and (3) of many submits at once, as one `update` command of many statements (ordered: false, so each
   * stands alone): each begin an `updateOne` (unused → pending), and the finishes one `updateMany` per day
   * (pending → used), whose filter `_id $in, status pending, pending.sid $in` changes only those codes: a
   * submission id is random and lives on the one code that took it, so no code matches another's id. A begin and
   * a finish of one code never meet in a batch (a finish follows its own begin's counting; another begin of a
   * pending code fails either way). The answer gives totals, not one result per statement: when fewer codes
   * changed than begins and finishes were sent, the begun codes are read back — a code holding this submission's
   * own id was taken by it, any other by another submit. A begin refused by the claim index is that account's
   * second code of the poll.
   */
  const codeWrites = gc(async (items: CodeWrite[]) => {
    const ops: AnyBulkWriteOperation<CodeDoc>[] = [];
    const opItem: (CodeWrite | undefined)[] = [];
    for (const item of items) {
      if (item.kind !== 'begin') continue;
      const { hash, sid, sealed, bind } = item;
      ops.push({
        updateOne: {
          filter: bind ? { _id: hash, status: 'unused', boundTo: { $in: [null, bind.identity] } } : { _id: hash, status: 'unused' },
          update: { $set: { status: 'pending', pending: { sid, answer: sealed }, ...(bind ? { boundTo: bind.identity, claim: claimOf(bind.pollId, bind.identity) } : {}) } },
        },
      });
      opItem.push(item);
    }
    const finishes = items.filter((i): i is Extract<CodeWrite, { kind: 'finish' }> => i.kind === 'finish');
    for (const day of new Set(finishes.map((i) => i.day))) {
      const these = finishes.filter((i) => i.day === day);
      ops.push({ updateMany: { filter: { _id: { $in: these.map((i) => i.hash) }, status: 'pending', 'pending.sid': { $in: these.map((i) => i.sid) } }, update: { $set: { status: 'used', usedOn: day, pending: null } } } });
      opItem.push(undefined);
    }
    const refused = new Set<CodeWrite>();
    let modified: number;
    try {
      modified = (await codes.bulkWrite(ops, { ordered: false })).modifiedCount;
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const errors = writeErrorsOf(err);
      const claimed = errors.map((w) => opItem[w.index]);
      if (!errors.every((w, i) => w.code === 11000 && claimed[i]?.kind === 'begin' && claimed[i].bind)) throw err;
      for (const item of claimed) refused.add(item!);
      modified = err.result.modifiedCount;
    }
    const begins = items.filter((i): i is Extract<CodeWrite, { kind: 'begin' }> => i.kind === 'begin');
    const outcome = (item: CodeWrite, begun: (b: Extract<CodeWrite, { kind: 'begin' }>) => boolean): BeginOutcome | undefined =>
      item.kind === 'finish' ? undefined : refused.has(item) ? 'otherCode' : begun(item) ? 'begun' : 'taken';
    if (modified === begins.length - refused.size + finishes.length) return items.map((item) => outcome(item, () => true));
    const held = begins.length
      ? new Map((await codes.find({ _id: { $in: [...new Set(begins.map((i) => i.hash))] } }, { projection: { pending: 1 } }).toArray()).map((d) => [d._id, d.pending?.sid]))
      : new Map<string, string | undefined>();
    return items.map((item) => outcome(item, (b) => held.get(b.hash) === b.sid));
  });
  /**
   * Step (2) of many submits at once, likewise one command. When every statement counted, each answer was counted
   * by it; otherwise (a part closed, a missing part, an id counted already by a completer) each goes its own way
   * again, where the id guard keeps an answer this batch did count from counting twice (it is then told
   * `alreadyApplied`, which a submit treats as counted).
   */
  const applyAnswers = gc(async (items: { _id: string; pollId: string; sid: string; inc: Record<string, number>; push: Record<string, unknown> }[]) => {
    const ops = items.map(({ _id, sid, inc, push }) => ({ updateOne: { filter: { _id, status: 'open' as const, applied: { $ne: sid } }, update: { $inc: inc, $push: push } } }));
    const r = await shards.bulkWrite(ops, { ordered: false });
    if (r.modifiedCount === items.length) return items.map((): ApplyOutcome => 'applied');
    const out: ApplyOutcome[] = [];
    for (const item of items) out.push(await applyOne(item));
    return out;
  });
  async function applyOne({ _id, pollId, sid, inc, push }: { _id: string; pollId: string; sid: string; inc: Record<string, number>; push: Record<string, unknown> }): Promise<ApplyOutcome> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await shards.updateOne({ _id, status: 'open', applied: { $ne: sid } }, { $inc: inc, $push: push });
      if (r.modifiedCount === 1) return 'applied';
      if (await shards.countDocuments({ _id, applied: sid })) return 'alreadyApplied';
      if (attempt === 0) await repairShards(pollId);
    }
    return 'pollClosed';
  }
  /** Comments per part this process added: a lower bound of the part's count, for a random place without a read. */
  const commentsAdded = new Map<string, number>();

  /** The poll as stored, with the counts (and, unless `light`, the comments) of its parts added. */
  async function withShards(docs: PollDoc[], light: boolean): Promise<PollRecord[]> {
    if (!docs.length) return [];
    const parts = await shards.find({ pollId: { $in: docs.map((d) => d._id) } }, { projection: light ? { applied: 0, comments: 0 } : { applied: 0 } }).toArray();
    return docs.map((doc) => {
      const tallies: PollRecord['tallies'] = {};
      addTallies(tallies, doc.tallies);
      const comments = light ? [] : [...(doc.comments ?? [])];
      let answered = doc.answered ?? 0;
      for (const part of parts) {
        if (part.pollId !== doc._id) continue;
        addTallies(tallies, part.tallies);
        answered += part.answered;
        if (!light) comments.push(...(part.comments ?? []));
      }
      return toPoll({ ...doc, tallies, answered, comments, applied: [] });
    });
  }

  /**
   * Parts missing (a poll created before they existed) or closed while the poll is open again (a crash between an
   * extension's two writes) are made right; the submission ids a poll created before the parts kept go into
   * every part, so that none of those is counted again.
   */
  async function repairShards(pollId: string): Promise<void> {
    const poll = await polls.findOne({ _id: pollId }, { projection: { status: 1, round: 1, applied: 1 } });
    if (!poll) return;
    const round = poll.round ?? 0;
    await shards.insertMany(newShards(pollId, poll.status === 'open' ? 'open' : 'closed', round, poll.applied ?? []), { ordered: false }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
    if (poll.status === 'open') await shards.updateMany({ pollId, round: { $lt: round } }, { $set: { status: 'open', round } });
  }

  return {
    async create(poll, newCodes) {
      const { id, ...rest } = poll;
      // Codes first: a crash in between leaves codes of no poll (never found: lookups start from the poll's status).
      if (newCodes.length) {
        await codes.insertMany(newCodes.map((c) => ({ _id: c.hash, pollId: c.pollId, group: c.group, sealed: c.sealed, status: 'unused' as const, boundTo: null, pending: null, usedOn: null })));
      }
      // Then the parts of the counts: without them the first answer makes them (repairShards).
      await shards.insertMany(newShards(id, 'open', 0));
      await polls.insertOne({ _id: id, ...rest, round: 0 });
    },
    async get(id, opts = {}) {
      const doc = await polls.findOne({ _id: id }, { projection: opts.light ? { comments: 0, applied: 0 } : { applied: 0 } });
      return doc ? ((await withShards([doc], opts.light === true))[0] ?? null) : null;
    },
    async list(q) {
      const filter: Record<string, unknown> = { regionCode: { $regex: `^${q.regionPrefix.replace(/\D/g, '')}` } };
      if (q.levels) filter.level = { $in: q.levels };
      if (q.status) filter.status = q.status === 'closed' ? 'closed' : { $in: ['open', 'closing'] };
      if (q.applicationId) filter['subject.applicationId'] = q.applicationId;
      if (q.after) filter.$or = [{ createdAt: { $lt: q.after.createdAt } }, { createdAt: q.after.createdAt, _id: { $lt: q.after.id } }];
      const docs = await polls.find(filter, { projection: { comments: 0, applied: 0 } }).sort({ createdAt: -1, _id: -1 }).limit(q.limit).toArray();
      return withShards(docs, true);
    },
    async codes(pollId) {
      return (await codes.find({ pollId }).toArray()).map(toCode);
    },
    async code(hash) {
      const doc = await readCode(hash);
      return doc ? toCode(doc) : null;
    },
    async bindCode(hash, pollId, identity) {
      // One field, no $or: the embedded server plans a query with $or by a full scan.
      try {
        const r = await codes.updateOne({ _id: hash, boundTo: { $in: [null, identity] } }, { $set: { boundTo: identity, claim: claimOf(pollId, identity) } });
        return r.matchedCount === 1 ? 'bound' : 'boundToOther';
      } catch (err) {
        if (isDuplicateKey(err)) return 'otherCode';
        throw err;
      }
    },
    async beginSubmit(hash, sid, sealedAnswer, bind) {
      return (await codeWrites({ kind: 'begin', hash, sid, sealed: sealedAnswer, ...(bind ? { bind } : {}) }))!;
    },
    async applyAnswer(pollId, sid, group: PollGroup, scale, comment): Promise<ApplyOutcome> {
      const inc: Record<string, number> = { answered: 1, [path('tallies', group, 'answers')]: 1 };
      for (const [q, option] of Object.entries(scale)) inc[path('tallies', group, 'counts', q, option)] = 1;
      const _id = shardId(pollId, shardOf(sid));
      const push: Record<string, unknown> = { applied: sid };
      // At a random place, not at the end: the order of comments must not tell the order of submissions (which a
      // conversation's last-message time would tie to a respondent). Past the end is the end.
      if (comment) {
        const n = commentsAdded.get(_id) ?? 0;
        commentsAdded.set(_id, n + 1);
        push.comments = { $each: [{ group, text: comment }], $position: randomInt(0, n + 1) };
      }
      return applyAnswers({ _id, pollId, sid, inc, push });
    },
    async finishSubmit(hash, sid, day) {
      await codeWrites({ kind: 'finish', hash, sid, day });
    },
    async abandonSubmit(hash, sid) {
      await codes.updateOne({ _id: hash, status: 'pending', 'pending.sid': sid }, { $set: { status: 'unused', pending: null } });
    },
    async pendingCodes(pollId) {
      return (await codes.find({ pollId, status: 'pending' }).toArray()).map(toCode);
    },
    async addFlag(pollId, flag) {
      await polls.updateOne({ _id: pollId }, { $push: { flags: flag } });
    },
    async beginClose(id) {
      const r = await polls.updateOne({ _id: id, status: { $in: ['open', 'closing'] } }, { $set: { status: 'closing' } });
      return r.matchedCount === 1;
    },
    async closeTallies(id) {
      await shards.updateMany({ pollId: id }, { $set: { status: 'closed' } });
    },
    async finishClose(id, result, at) {
      const r = await polls.updateOne({ _id: id, status: 'closing' }, { $set: { status: 'closed', result, closedAt: at.toISOString(), applied: [] } });
      // Nothing is counted in a closed part, so the ids have nothing left to stop.
      if (r.modifiedCount === 1) await shards.updateMany({ pollId: id }, { $set: { applied: [] } });
      return r.modifiedCount === 1;
    },
    async sweepCandidates(now) {
      const docs = await polls
        .find({ $or: [{ status: { $in: ['open', 'closing'] }, closesAt: { $lte: now.toISOString() } }, { status: 'closed', 'result.quorumMet': true, 'result.recordNote': { $exists: false } }] }, { projection: { comments: 0 } })
        .limit(100)
        .toArray();
      return docs.map((d) => toPoll({ ...d, comments: [] }));
    },
    async setRecordNote(id, note, notes) {
      await polls.updateOne({ _id: id, status: 'closed' }, { $set: { 'result.recordNote': note, 'result.recordNotes': notes } });
    },
    async extend(id, closesAt) {
      const r = await polls.updateOne({ _id: id, status: 'closed', extended: false, 'result.quorumMet': false }, { $set: { status: 'open', extended: true, closesAt, result: null, closedAt: null, round: 1 } });
      // A crash before the parts open again is made right by the next answer (repairShards).
      if (r.modifiedCount === 1) await shards.updateMany({ pollId: id, round: { $lt: 1 } }, { $set: { status: 'open', round: 1 } });
      return r.modifiedCount === 1;
    },
    async session(key) {
      const doc = await sessions.findOne({ _id: key });
      if (!doc) return null;
      const { _id, ...rest } = doc;
      return { key: _id, ...rest };
    },
    async saveSession({ key, ...rest }) {
      await sessions.replaceOne({ _id: key }, rest, { upsert: true });
    },
    async deleteSession(key) {
      await sessions.deleteOne({ _id: key });
    },
    async claimedCodeStatus(pollId, identity) {
      const doc = await codes.findOne({ claim: claimOf(pollId, identity) }, { projection: { status: 1 } });
      return doc?.status ?? null;
    },
  };
}
