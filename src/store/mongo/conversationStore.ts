import { randomUUID } from 'node:crypto';
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Filter, type UpdateFilter } from 'mongodb';
import { Schema, type Connection } from 'mongoose';
import type { ConversationState, OutboundMessage } from '../../engine/types.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import { ConversationBusyError, LeaseLostError, type ConversationStore, type ExpiredConversation, type LastReply } from '../../app/ports/conversationStore.ts';
import { isDuplicateKey } from './connection.ts';
import { groupCommit } from './groupCommit.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * One document per (channel, user). Fields an operator may query (flow, step, times) are plain; everything the
 * user typed (answers, history, parked flows) and the last replies are sealed with AES-256-GCM, since they hold
 * ID and phone numbers.
 */
interface ConversationDoc {
  _id: string;
  channel: string;
  userId: string;
  flowId: string | null;
  flowVersion: number | null;
  stepId: string | null;
  locale: string;
  updatedAt: Date;
  version: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  sealed: string | null;
  lastMessageId: string | null;
  lastReplies: string | null;
  /** Ids of the last RECENT_MESSAGES messages handled, oldest first: the dedupe record (absent on old documents). */
  seen?: string[];
  /** When a notice with numbered choices last reached the chat (ConversationStore.noticeSent). */
  noticeAt?: Date;
  /**
   * A random id written by every commit. A commit on a remembered state is guarded by it: an equal version alone
   * would also match a conversation deleted when idle and started again since (versions restart at 0).
   */
  turn?: string;
}

/**
 * How many conversations this instance remembers as it last wrote them (least recently used go first). One entry
 * is the sealed part as JSON (a few KB at most), so this bounds the memory to some tens of MB.
 */
export const REMEMBERED_CONVERSATIONS = 10_000;

/** A conversation as this instance's last commit wrote it. */
interface Remembered {
  turn: string;
  plain: Pick<ConversationState, 'channel' | 'userId' | 'flowId' | 'flowVersion' | 'stepId' | 'locale' | 'updatedAt' | 'version'>;
  /** The sealed part as JSON: parsed anew for each turn, so no turn can change what is remembered. */
  json: string;
}

/**
 * How many handled message ids a conversation remembers. Platforms redeliver within seconds to minutes, and a
 * chat's updates arrive in order, so a redelivery older than this many later messages of the same chat does not
 * happen; conversations themselves are kept CONVERSATION_RETENTION_DAYS, longer than any redelivery window.
 */
export const RECENT_MESSAGES = 32;

const schema = new Schema<ConversationDoc>(
  {
    _id: String,
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    flowId: { type: String, default: null },
    flowVersion: { type: Number, default: null },
    stepId: { type: String, default: null },
    locale: { type: String, default: 'zh-CN' },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true, default: 0 },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    sealed: { type: String, default: null },
    lastMessageId: { type: String, default: null },
    lastReplies: { type: String, default: null },
    seen: { type: [String], default: undefined },
    turn: { type: String, default: undefined },
    noticeAt: { type: Date, default: undefined },
  },
  { collection: 'conversations', versionKey: false, _id: false },
);
schema.index({ updatedAt: 1 });

/**
 * A lease to take: the update, and the owner and time it writes (how a group's outcome is read back). `known`: the
 * conversation as this instance last wrote it, when it remembers it; the take is then guarded by that commit's `turn`
 * id, so that when it matches, the state is the remembered one and nothing needs to be read back.
 */
interface Take {
  id: string;
  owner: string;
  until: Date;
  filter: Filter<ConversationDoc>;
  update: UpdateFilter<ConversationDoc>;
  known?: Remembered;
}

/**
 * A take's outcome: the lease is ours, on this state (null: a conversation not started yet); `missed`: the lease is
 * held or the message was handled; `retry`: a take guarded by a remembered `turn` that did not match (the
 * conversation moved on elsewhere, or was deleted when idle), to be taken again without that guard.
 */
type Taken = { state: ConversationState | null } | 'missed' | 'retry' | Error;

/** What a turn reads of its document: neither the dedupe list nor the previous answer. */
const TURN_FIELDS = { seen: 0, lastReplies: 0 } as const;

/** One turn's guarded write, and the fresh `turn` id it sets (how a group's outcome is read back). */
interface CommitWrite {
  id: string;
  turn: string;
  filter: Filter<ConversationDoc>;
  update: UpdateFilter<ConversationDoc>;
}

type Sealed = Omit<ConversationState, 'channel' | 'userId' | 'flowId' | 'flowVersion' | 'stepId' | 'locale' | 'updatedAt' | 'version'>;

export function createMongoConversationStore(connection: Connection, cipher: PiiCipher): ConversationStore {
  // Every turn reads and writes this collection twice; the mongoose model defines the schema and indexes, and the
  // hot path talks to its native collection, skipping query casting. Filters here are built from ids the
  // channels validated, never from raw input.
  const collection = typedCollection<ConversationDoc>(connection, 'Conversation', schema);
  const key = (channel: string, userId: string) => `${channel}:${userId}`;

  /** The update that takes the lease unless it is held (or `messageId` was handled already), as `take` sends it. */
  function takeOf(channel: string, userId: string, owner: string, now: Date, leaseMs: number, messageId?: string): Take {
    const id = key(channel, userId);
    const free = { $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] };
    const until = new Date(now.getTime() + leaseMs);
    return {
      id,
      owner,
      until,
      filter: messageId === undefined ? { _id: id, ...free } : { _id: id, seen: { $ne: messageId }, ...free },
      update: { $set: { leaseOwner: owner, leaseUntil: until }, $setOnInsert: { channel, userId, version: 0, updatedAt: now } },
    };
  }

  /** One take, as one findOneAndUpdate (unguarded by `known`: it reads the document back anyway). */
  async function takeAlone(t: Take): Promise<Taken> {
    try {
      // A turn that runs needs neither the dedupe list nor the previous answer back.
      const doc = await collection.findOneAndUpdate(t.filter, t.update, { upsert: true, returnDocument: 'after', projection: TURN_FIELDS });
      return doc && doc.leaseOwner === t.owner ? { state: stateOf(doc) } : 'missed';
    } catch (err) {
      if (isDuplicateKey(err)) return 'missed';
      throw err;
    }
  }

  /**
   * The takes of many chats that gather while earlier ones are under way (groupCommit.ts), as one `update` command
   * instead of a findOneAndUpdate each. Its answer says which statements inserted a document (a conversation not
   * started yet: nothing to read) and how many matched; a take of a remembered conversation is guarded by its last
   * `turn`, so when every statement did what it was sent for, the states are known without a read. Otherwise one
   * read of the group's documents tells which takes hold the lease: a document whose lease carries a take's owner
   * and time is that take's (nothing else can write it while the lease is held).
   */
  const takeGroup = groupCommit(async (items: Take[]): Promise<Taken[]> => {
    if (items.length === 1 || new Set(items.map((i) => i.id)).size !== items.length) {
      const outcomes: Taken[] = [];
      for (const item of items) outcomes.push(await takeAlone(item).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
      return outcomes;
    }
    const failed = new Map<number, Error>();
    const missed = new Set<number>();
    let result: { matchedCount: number; upsertedIds: Record<number, unknown> };
    try {
      result = await collection.bulkWrite(
        items.map((t) => (t.known ? { updateOne: { filter: { ...t.filter, turn: t.known.turn }, update: { $set: t.update.$set! } } } : { updateOne: { filter: t.filter, update: t.update, upsert: true } })),
        { ordered: false },
      );
    } catch (err) {
      // A duplicate _id is a take whose filter missed (the lease is held, or a repeat); any other error is that take's.
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      for (const e of errors) {
        if (e.code === 11000) missed.add(e.index);
        else failed.set(e.index, new Error(e.errmsg ?? err.message));
      }
      result = err.result;
    }
    const inserted = new Set(Object.keys(result.upsertedIds ?? {}).map(Number));
    const settled = (i: number) => failed.has(i) || missed.has(i) || inserted.has(i);
    const rest = items.map((_, i) => i).filter((i) => !settled(i));
    // Every statement left matched a document: the remembered ones are as remembered, the others need reading.
    const allMatched = result.matchedCount === rest.length;
    const toRead = rest.filter((i) => !allMatched || !items[i]!.known);
    const byId = new Map<string, ConversationDoc>();
    if (toRead.length) {
      const docs = await collection.find({ _id: { $in: toRead.map((i) => items[i]!.id) } }, { projection: TURN_FIELDS }).toArray();
      for (const d of docs) byId.set(d._id, d);
    }
    return items.map((t, i): Taken => {
      const error = failed.get(i);
      if (error) return error;
      if (missed.has(i)) return 'missed';
      if (inserted.has(i)) return { state: null };
      if (allMatched && t.known) return { state: stateOfRemembered(t.known) };
      const doc = byId.get(t.id);
      const ours = doc !== undefined && doc.leaseOwner === t.owner && doc.leaseUntil?.getTime() === t.until.getTime();
      if (ours) return { state: stateOf(doc) };
      return t.known ? 'retry' : 'missed';
    });
  });
  async function take(channel: string, userId: string, owner: string, now: Date, leaseMs: number, messageId?: string): Promise<{ state: ConversationState | null } | null> {
    const t = takeOf(channel, userId, owner, now, leaseMs, messageId);
    let outcome = await takeGroup({ ...t, known: remembered.get(t.id) });
    if (outcome === 'retry') {
      remembered.delete(t.id);
      outcome = await takeGroup(t);
    }
    if (outcome instanceof Error) throw outcome;
    return outcome === 'missed' || outcome === 'retry' ? null : outcome;
  }

  function stateOf(doc: ConversationDoc): ConversationState | null {
    if (!doc.sealed) return null;
    const sealed = JSON.parse(cipher.decrypt(doc.sealed)) as Sealed;
    return {
      ...sealed,
      channel: doc.channel,
      userId: doc.userId,
      flowId: doc.flowId,
      flowVersion: doc.flowVersion,
      stepId: doc.stepId,
      locale: doc.locale,
      updatedAt: doc.updatedAt.toISOString(),
      version: doc.version,
    };
  }

  /** The remembered state, parsed anew: no turn can change what is remembered. */
  const stateOfRemembered = (entry: Remembered): ConversationState => ({ ...(JSON.parse(entry.json) as Sealed), ...entry.plain });

  const busy = (channel: string, userId: string) => new ConversationBusyError(`conversation ${channel}:${userId} is busy`);

  // Peeks of many chats at once (one-message poll answers from a roster) are one read (groupCommit.ts).
  const peekRead = groupCommit(async (ids: string[]) => {
    const docs = await collection.find({ _id: { $in: [...new Set(ids)] } }, { projection: TURN_FIELDS }).toArray();
    const found = new Map(docs.map((d) => [d._id, d]));
    return ids.map((id) => found.get(id) ?? null);
  });

  // Map order is insertion order: re-inserting on each write keeps the least recently written first.
  const remembered = new Map<string, Remembered>();
  function remember(id: string, entry: Remembered): void {
    remembered.delete(id);
    remembered.set(id, entry);
    if (remembered.size > REMEMBERED_CONVERSATIONS) remembered.delete(remembered.keys().next().value!);
  }

  /**
   * The $set of a commit, and what to remember once it matched. `onKnown`: the plain fields of the document as
   * this instance wrote it, for a commit guarded to find it exactly so, with no lease on it: the fields that did not
   * change and the lease (already free) are left out, since the database's cost of an update grows with its fields.
   */
  function commitSet(state: ConversationState, turn: string, reply: LastReply, onKnown?: Remembered['plain']) {
    const { channel, userId, flowId, flowVersion, stepId, locale, updatedAt, version, ...rest } = state;
    const json = JSON.stringify(rest);
    const entry: Remembered = { turn, plain: { channel, userId, flowId, flowVersion, stepId, locale, updatedAt: new Date(updatedAt).toISOString(), version: version + 1 }, json };
    const $set: Partial<ConversationDoc> = {
      updatedAt: new Date(updatedAt),
      sealed: cipher.encrypt(json),
      lastMessageId: reply.messageId,
      lastReplies: cipher.encrypt(JSON.stringify(reply.replies)),
      turn,
    };
    if (!onKnown || onKnown.flowId !== flowId) $set.flowId = flowId;
    if (!onKnown || onKnown.flowVersion !== flowVersion) $set.flowVersion = flowVersion;
    if (!onKnown || onKnown.stepId !== stepId) $set.stepId = stepId;
    if (!onKnown || onKnown.locale !== locale) $set.locale = locale;
    if (!onKnown) Object.assign($set, { leaseOwner: null, leaseUntil: null });
    return { $set, entry };
  }
  const commitRest = (messageId: string) => ({ $inc: { version: 1 }, $push: { seen: { $each: [messageId], $slice: -RECENT_MESSAGES } } });

  /**
   * Every turn ends in one guarded update; under load, the commits of many chats that gather while earlier ones
   * are under way go to the database as one `update` command (groupCommit.ts): one command to parse, lock and,
   * on the H2 backend, sync for the group instead of one per turn. The command answers only how many of its
   * statements matched, so when fewer matched than were sent, one read of the group's `turn` fields tells which:
   * each commit writes a fresh random `turn`, so a document carrying ours was written by ours. (If the same chat's
   * next turn, on another instance, wrote in between, ours reads as not written: the turn is then answered as if
   * the acknowledgement had been lost, and its message, recorded, stays a repeat. Nothing is answered twice.)
   */
  const writeCommit = groupCommit(async (items: CommitWrite[]): Promise<(boolean | Error)[]> => {
    if (items.length === 1 || new Set(items.map((i) => i.id)).size !== items.length) {
      // One chat twice in a group (its turns are one at a time in this process, so not expected) would leave only
      // the last `turn` to read back: such a group goes one update at a time.
      const matched: boolean[] = [];
      for (const item of items) matched.push((await collection.updateOne(item.filter, item.update)).matchedCount === 1);
      return matched;
    }
    const ops: AnyBulkWriteOperation<ConversationDoc>[] = items.map((i) => ({ updateOne: { filter: i.filter, update: i.update } }));
    const failed = new Map<number, Error>();
    let matchedCount = -1;
    try {
      matchedCount = (await collection.bulkWrite(ops, { ordered: false })).matchedCount;
    } catch (err) {
      // A statement's own error fails that commit only; the others' outcome is read back below.
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      for (const e of errors) failed.set(e.index, new Error(e.errmsg ?? err.message));
    }
    if (matchedCount === items.length) return items.map(() => true);
    const docs = await collection.find({ _id: { $in: items.map((i) => i.id) } }, { projection: { turn: 1 } }).toArray();
    const turns = new Map(docs.map((d) => [d._id, d.turn]));
    return items.map((item, i) => failed.get(i) ?? turns.get(item.id) === item.turn);
  });
  async function written(item: CommitWrite): Promise<boolean> {
    const outcome = await writeCommit(item);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  return {
    async acquire(channel, userId, owner, now, leaseMs) {
      const taken = await take(channel, userId, owner, now, leaseMs);
      if (!taken) throw busy(channel, userId);
      return taken.state;
    },

    async begin(channel, userId, messageId, owner, now, leaseMs) {
      const taken = await take(channel, userId, owner, now, leaseMs, messageId);
      if (taken) return { kind: 'turn', state: taken.state };
      // Missed: a turn holds the lease, or the message was handled. One more read tells which (rare: a repeat,
      // or the same chat's turn running on another instance).
      const found = await collection.findOne<Pick<ConversationDoc, 'seen' | 'lastMessageId' | 'lastReplies'>>(
        { _id: key(channel, userId), seen: messageId },
        { projection: { lastMessageId: 1, lastReplies: 1 } },
      );
      if (!found) throw busy(channel, userId);
      const replies = found.lastMessageId === messageId && found.lastReplies ? (JSON.parse(cipher.decrypt(found.lastReplies)) as OutboundMessage[]) : [];
      return { kind: 'repeat', replies };
    },

    async commit(state, owner, reply) {
      const id = key(state.channel, state.userId);
      // A fresh id, not the owner: the port does not ask callers for owners never used before.
      const turn = randomUUID();
      const { $set, entry } = commitSet(state, turn, reply);
      const ok = await written({ id, turn, filter: { _id: id, leaseOwner: owner, version: state.version }, update: { $set, ...commitRest(reply.messageId) } });
      if (!ok) {
        remembered.delete(id);
        throw new LeaseLostError(`conversation ${state.channel}:${state.userId}: lease lost or version moved; the turn was not saved`);
      }
      remember(id, entry);
    },

    known(channel, userId) {
      const entry = remembered.get(key(channel, userId));
      return entry ? stateOfRemembered(entry) : null;
    },

    async commitIfCurrent(state, reply, _now) {
      const id = key(state.channel, state.userId);
      const entry = remembered.get(id);
      if (!entry || entry.plain.version !== state.version) return false;
      const turn = randomUUID();
      const { $set, entry: next } = commitSet(state, turn, reply, entry.plain);
      const ok = await written({
        id,
        turn,
        // Still as this instance wrote it, no lease on it, and the message not handled yet. A lease left behind by a
        // turn that never ended, even expired, is taken over the long way (begin), whose commit clears it.
        // And no numbered notice came after the state's last turn: its numbers are the notice's, which only the long
        // way (the broadcast replies) answers.
        filter: { _id: id, turn: entry.turn, version: state.version, seen: { $ne: reply.messageId }, leaseOwner: null, noticeAt: { $not: { $gt: new Date(entry.plain.updatedAt) } } },
        update: { $set, ...commitRest(reply.messageId) },
      });
      if (!ok) {
        remembered.delete(id);
        return false;
      }
      remember(id, next);
      return true;
    },

    async noticeSent(chats, at) {
      if (!chats.length) return;
      await collection.updateMany({ _id: { $in: chats.map((c) => key(c.channel, c.userId)) } }, { $set: { noticeAt: at } });
    },

    async peek(channel, userId, now) {
      const doc = await peekRead(key(channel, userId));
      if (!doc) return { state: null, busy: false };
      return { state: stateOf(doc), busy: doc.leaseOwner !== null && doc.leaseUntil !== null && doc.leaseUntil > now };
    },

    async lastReply(channel, userId, now) {
      const doc = await collection.findOne<Pick<ConversationDoc, 'lastMessageId' | 'lastReplies' | 'leaseOwner' | 'leaseUntil'>>(
        { _id: key(channel, userId) },
        { projection: { lastMessageId: 1, lastReplies: 1, leaseOwner: 1, leaseUntil: 1 } },
      );
      if (!doc) return { last: null, busy: false };
      const busy = doc.leaseOwner !== null && doc.leaseUntil !== null && doc.leaseUntil > now;
      const last =
        doc.lastMessageId && doc.lastReplies
          ? { messageId: doc.lastMessageId, replies: JSON.parse(cipher.decrypt(doc.lastReplies)) as OutboundMessage[] }
          : null;
      return { last, busy };
    },

    async release(channel, userId, owner) {
      await collection.updateOne({ _id: key(channel, userId), leaseOwner: owner }, { $set: { leaseOwner: null, leaseUntil: null } });
    },

    async deleteIdleSince(cutoff) {
      // One at a time, so what is answered is exactly what was deleted: a deleteMany could not say where each
      // conversation stood, and a find before it would count one that woke up in between.
      const expired: ExpiredConversation[] = [];
      for (;;) {
        const doc = await collection.findOneAndDelete({ updatedAt: { $lt: cutoff }, leaseOwner: null }, { projection: { flowId: 1, flowVersion: 1, stepId: 1, updatedAt: 1 } });
        if (!doc) return expired;
        expired.push({ flowId: doc.flowId ?? null, flowVersion: doc.flowVersion ?? null, stepId: doc.stepId ?? null, updatedAt: doc.updatedAt });
      }
    },
  };
}
