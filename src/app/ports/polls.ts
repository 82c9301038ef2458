import type { GroupTally, Localized, PollGroup, Questionnaire, Quorum } from '../../domain/polls/types.ts';
import type { PollResults } from '../../domain/polls/results.ts';

/** What a poll rates: an application at its 满意度调查 stage, or a holder's year for the 年度考核. */
export type PollSubject = { kind: 'application'; applicationId: string } | { kind: 'annual'; certificateNumber: string; year: number };

export type PollStatus = 'open' | 'closing' | 'closed';

/** A suspicious burst: many answers of one group within seconds, flagged for the admin (never dropped). */
export interface PollFlag {
  group: PollGroup;
  /** China date of the burst; nothing finer is kept. */
  day: string;
  answers: number;
  withinSeconds: number;
}

export interface PollRecord {
  id: string;
  subject: PollSubject;
  /** The rated worker, and where their application or certificate sits (scope and tier rules). */
  workerId: string;
  policyId: string;
  level: string;
  regionCode: string;
  roster: Record<PollGroup, number>;
  closesAt: string;
  minGroupSize: number;
  quorum: Quorum;
  questionnaire: Questionnaire;
  status: PollStatus;
  /** A poll that missed its quorum may be extended once. */
  extended: boolean;
  createdBy: string;
  createdAt: string;
  closedAt: string | null;
  /** Answers counted so far (all groups): closing checks it did not move while the result was computed. */
  answered: number;
  tallies: Partial<Record<PollGroup, GroupTally>>;
  comments: { group: PollGroup; text: string }[];
  flags: PollFlag[];
  /** Always empty as read: the ids of the counted submissions stay with the counts, in the store. */
  applied: string[];
  result: (Omit<PollResults, 'comments'> & { recordedOn: 'application' | 'annual' | null; recordNote?: string; recordNotes?: Localized }) | null;
}

export interface PollCodeRecord {
  /** HMAC of the code: the only way a code is found. */
  hash: string;
  pollId: string;
  group: PollGroup;
  /** The code sealed with the PII key, for the printed sheet. */
  sealed: string;
  status: 'unused' | 'pending' | 'used';
  /** HMAC of the first chat identity that used it; null for the web page or not yet used. */
  boundTo: string | null;
  /** While pending only: the submission id and the sealed answer, so a crash can be completed. */
  pending: { sid: string; answer: string } | null;
  /** China date it was used on; nothing finer. */
  usedOn: string | null;
}

/** A respondent's poll in progress in a chat: cleared on submit or cancel. */
export interface PollSession {
  /** HMAC of channel and user id. */
  key: string;
  pollId: string;
  codeHash: string;
  locale: string;
  /** Index of the current question; questions.length = the summary. */
  step: number;
  /** Answers so far, sealed (JSON). */
  answers: string;
  /** Set while editing one answer from the summary: go back to it afterwards. */
  editing: boolean;
  day: string;
}

export interface PollListQuery {
  regionPrefix: string;
  /** null: every level. */
  levels: string[] | null;
  /** open: open or closing. */
  status?: 'open' | 'closed';
  applicationId?: string;
  after?: { createdAt: string; id: string };
  limit: number;
}

export type ApplyOutcome = 'applied' | 'alreadyApplied' | 'pollClosed';
export type BindOutcome = 'bound' | 'boundToOther' | 'otherCode';

/** Polls, their codes and respondent bindings; every write is one single-document atomic update. */
export interface PollStore {
  create(poll: PollRecord, codes: Omit<PollCodeRecord, 'status' | 'boundTo' | 'pending' | 'usedOn'>[]): Promise<void>;
  /** `light`: without comments and submission ids (the respondent's path reads it on every message). */
  get(id: string, opts?: { light?: boolean }): Promise<PollRecord | null>;
  /**
   * Polls for the admin's list, newest first (createdAt, then id, descending), without comments and submission
   * ids; `after` is the last one of the previous page.
   */
  list(q: PollListQuery): Promise<PollRecord[]>;
  codes(pollId: string): Promise<PollCodeRecord[]>;
  code(hash: string): Promise<PollCodeRecord | null>;
  /**
   * Binds the code to `identity` unless another identity has it (`boundToOther`) or `identity` holds another code
   * of the poll (`otherCode`: one unique index decides, in the same update).
   */
  bindCode(hash: string, pollId: string, identity: string): Promise<BindOutcome>;
  /**
   * unused → pending with the sealed answer; `taken` when the code is not unused (used, or a submit under way). With
   * `bind`, the code is also bound to that identity in the same update, as `bindCode` does: `taken` when another
   * identity holds it, `otherCode` when the identity holds another code of the poll.
   */
  beginSubmit(hash: string, sid: string, sealedAnswer: string, bind?: { pollId: string; identity: string }): Promise<'begun' | 'taken' | 'otherCode'>;
  /** Adds one answer to the tallies once per `sid`, until closing closes them (`closeTallies`). */
  applyAnswer(pollId: string, sid: string, group: PollGroup, scale: Record<string, string>, comment: string | undefined): Promise<ApplyOutcome>;
  /** pending → used, dropping the answer; harmless when done already. */
  finishSubmit(hash: string, sid: string, day: string): Promise<void>;
  /** pending → unused (the poll closed before the answer was counted). */
  abandonSubmit(hash: string, sid: string): Promise<void>;
  pendingCodes(pollId: string): Promise<PollCodeRecord[]>;
  addFlag(pollId: string, flag: PollFlag): Promise<void>;
  /** open → closing, or closing stays; false when closed already. */
  beginClose(id: string): Promise<boolean>;
  /** No answer is counted any more, not even a half-done one (closing runs it once those are finished). */
  closeTallies(id: string): Promise<void>;
  /** closing → closed with the result, and the submission ids dropped. */
  finishClose(id: string, result: NonNullable<PollRecord['result']>, at: Date): Promise<boolean>;
  /** Polls past their closing time not closed yet, and closed ones whose rate is not recorded yet (a crash). */
  sweepCandidates(now: Date): Promise<PollRecord[]>;
  /** What recording the result did (or why it could not), once: in English, and in each console language. */
  setRecordNote(id: string, note: string, notes: Localized): Promise<void>;
  /** Once: a new closing time, and open again. */
  extend(id: string, closesAt: string): Promise<boolean>;
  session(key: string): Promise<PollSession | null>;
  saveSession(session: PollSession): Promise<void>;
  deleteSession(key: string): Promise<void>;
  /**
   * The status of the code `identity` holds in the poll (its claim; one indexed read), or null when it holds none:
   * what a stale poll button is answered with (already recorded, or start again).
   */
  claimedCodeStatus(pollId: string, identity: string): Promise<PollCodeRecord['status'] | null>;
}
