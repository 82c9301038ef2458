import type { Answer, Broadcast, BroadcastStatus } from '../../domain/broadcasts/broadcast.ts';
import type { DeliveryStatus } from '../../domain/broadcasts/delivery.ts';
import type { WorkerQuery } from '../../domain/broadcasts/segment.ts';

export type NewBroadcast = Omit<Broadcast, 'version'>;
export type BroadcastChanges = Partial<Pick<Broadcast, 'text' | 'segment' | 'sessionId' | 'sessionTitle' | 'sendAt' | 'expiresAt' | 'urgent' | 'inFlight'>>;

/** Counters and reason tallies, as `$inc`s on the broadcast: keys like `counts.sent`, `skipped.muted`, `answers.enrol`. */
export type CounterIncs = Record<string, number>;

/**
 * Broadcasts. Every change is one conditional write on one document: status moves only from the statuses
 * given, edits only at the version read, counters by `$inc`. One sending run per broadcast at a time holds its
 * lease (`runId` until `leaseUntil`, system time), which is what lets a run tell a crashed run's deliveries
 * from its own.
 */
export interface BroadcastStore {
  create(b: NewBroadcast): Promise<Broadcast>;
  get(id: string): Promise<Broadcast | null>;
  /** Newest first, in the region prefix; cursor = the last id of the previous page. */
  list(regionPrefix: string, filter: { status?: BroadcastStatus }, cursor: string | undefined, limit: number): Promise<{ items: Broadcast[]; nextCursor: string | null }>;
  /** Applies the changes if the broadcast is a draft at `version`; null: changed meanwhile (or not a draft). */
  edit(id: string, version: number, changes: BroadcastChanges, unset: string[]): Promise<Broadcast | null>;
  /** Moves the status if it is one of `from`; null when it is not (someone else moved it first). */
  move(id: string, from: readonly BroadcastStatus[], to: BroadcastStatus, set?: Partial<Broadcast>): Promise<Broadcast | null>;
  inc(id: string, incs: CounterIncs): Promise<void>;
  /** Records that every recipient has a delivery (the audience is fixed), whatever the status is now. */
  markFannedOut(id: string, total: number): Promise<void>;
  /** Replaces the counters with ones counted from the deliveries (after a crash the `$inc`s may be behind). */
  setCounters(id: string, counters: Pick<Broadcast, 'counts' | 'skipped' | 'failed' | 'answers'>): Promise<void>;
  /** The run lease: true when `runId` now holds it (free, lapsed, or already its own). */
  takeLease(id: string, runId: string, leaseMs: number): Promise<{ taken: boolean; previousRun: string | null }>;
  releaseLease(id: string, runId: string): Promise<void>;
  /** No run holds the broadcast (never taken, released, or lapsed with its process). */
  leaseFree(id: string): Promise<boolean>;
  /** The ids of the broadcasts that offered this training session's choices (any status; few per session). */
  offeringSession(sessionId: string): Promise<string[]>;
  /** Scheduled broadcasts whose time has come, and those sending (to make sure each has its job). */
  due(now: Date, limit: number): Promise<Broadcast[]>;
}

export interface DeliveryRecord {
  id: string;
  broadcastId: string;
  workerId: string;
  seq: number;
  channel: string;
  userId: string;
  name: string;
  locale?: string;
  regionCode: string;
  status: DeliveryStatus;
  reason: string | null;
  attempts: number;
  nextAt: Date;
  runId: string | null;
  answer: Answer | null;
  /** When it was sent (or its last status change). */
  at: Date | null;
  /** What lies behind the reason, where the reason alone is too coarse (unreachable: windowClosed, unknownUser...). */
  detail?: string;
  /** Whether the message offered the session's choices (a reply can act on it). */
  offersChoices: boolean;
}

export type NewDelivery = Omit<DeliveryRecord, 'status' | 'reason' | 'attempts' | 'runId' | 'answer' | 'at'>;

export interface DeliveryTally {
  counts: Record<DeliveryStatus, number>;
  skipped: Record<string, number>;
  failed: Record<string, number>;
  answers: Record<Answer, number>;
}

/** Deliveries: one per broadcast and worker (the id), indexed for the batch reads of a run. */
export interface DeliveryStore {
  /** Inserts those not there yet (a resumed fan-out inserts the rest); returns how many were new. */
  insertMany(items: NewDelivery[]): Promise<number>;
  count(broadcastId: string): Promise<number>;
  /** Pending deliveries due by `now`, in fan-out order. */
  duePending(broadcastId: string, now: Date, limit: number): Promise<DeliveryRecord[]>;
  /** The earliest retry time of a pending delivery, or null when none is pending. */
  nextPendingAt(broadcastId: string): Promise<Date | null>;
  /** pending → sending for this run, right before the platform call; false when it was not pending. */
  markSending(id: string, runId: string, now: Date): Promise<boolean>;
  /** pending → sending for a wave of deliveries in one write; returns the ids this run marked. */
  markSendingMany(ids: string[], runId: string, now: Date): Promise<string[]>;
  /** Moves one delivery if it is in `from`. */
  finish(id: string, from: DeliveryStatus, to: DeliveryStatus, reason: string | null, now: Date, extra?: { nextAt?: Date; attemptsInc?: number; detail?: string }): Promise<boolean>;
  /** Many deliveries from `from` to `to` with one reason (skipped before sending: muted, unreachable…). */
  finishMany(ids: string[], from: DeliveryStatus, to: DeliveryStatus, reason: string | null, now: Date, detail?: string): Promise<number>;
  /** Every delivery of the broadcast in `from` (and, for `sending`, not of `exceptRun`) moved to `to`. */
  moveAll(broadcastId: string, from: DeliveryStatus, to: DeliveryStatus, reason: string | null, now: Date, exceptRun?: string): Promise<number>;
  tally(broadcastId: string): Promise<DeliveryTally>;
  list(broadcastId: string, filter: { status?: DeliveryStatus }, cursor: number | undefined, limit: number): Promise<{ items: DeliveryRecord[]; nextCursor: number | null }>;
  /** The latest sent delivery to this chat that offered choices and has no answer yet, sent after `since`. */
  awaitingAnswer(channel: string, userId: string, since: Date, broadcastId?: string): Promise<DeliveryRecord | null>;
  /** The latest sent delivery to this chat that offered choices and was answered, sent after `since`. */
  answered(channel: string, userId: string, since: Date, broadcastId?: string): Promise<DeliveryRecord | null>;
  /** The latest sent deliveries to this chat that offered choices and have no answer yet, newest first. */
  listAwaiting(channel: string, userId: string, since: Date, limit: number): Promise<DeliveryRecord[]>;
  /** Of these deliveries (by id), the ones that were answered. */
  answeredOf(ids: string[]): Promise<DeliveryRecord[]>;
  /** Records the answer once; false when the delivery already had one. */
  answer(id: string, answer: Answer, now: Date): Promise<boolean>;
  /** Replaces the answer if it is still `from` (a 不参加 turned into 报名); false otherwise. */
  changeAnswer(id: string, from: Answer, to: Answer, now: Date): Promise<boolean>;
}

export interface Recipient {
  workerId: string;
  channel: string;
  userId: string;
  name: string;
  locale?: string;
  regionCode: string;
  role: string;
  /** Only when the query asks for hoursShort: this calendar year's credited 学时 and the levels held. */
  hours?: number;
  heldLevels?: string[];
}

/** The workers a segment's query matches, streamed in a stable order (worker id). */
export interface AudienceSource {
  recipients(query: WorkerQuery, year: number): AsyncIterable<Recipient>;
}

/** The chat identity an admin's test sends go to. */
export interface TestTargets {
  get(adminId: string): Promise<{ channel: string; userId: string } | null>;
  set(adminId: string, target: { channel: string; userId: string }): Promise<void>;
}
