/**
 * The application pipeline as a pure state machine (docs/domain.md "The application pipeline").
 *
 * The stages are the policy's own, in order (`policy.pipeline.stages`); only their `kind` is known here and guarded:
 * leaving a trainingTest stage needs a passing score, leaving a satisfactionSurvey stage the level's satisfaction,
 * leaving a publicNotice stage an elapsed period without an undecided or upheld objection. Every successful command
 * returns a NEW application with exactly one more history event and the version incremented; the input is never
 * modified. Effects (tell the worker, schedule the end of the notice, issue the certificate) are returned as data
 * for the app layer to carry out. Time is passed in; nothing here reads a clock.
 *
 * Who may do what:
 *  - the worker (only on their own application): resubmit, withdraw, addEvidence;
 *  - an admin: advance, return, reject, recordScore, recordSatisfaction, recordObjection, decideObjection
 *    (which admin — region and level — is the app layer's check);
 *  - the system: noticeEnded (the scheduled job); recordSatisfaction and advance out of a satisfactionSurvey stage
 *    (a closed poll); recordScore (the exam result of a training session).
 * A closed application (rejected, withdrawn, certified) accepts nothing.
 */
import type { Level, Policy, Stage } from '../policy/schema.ts';
import type { Actor, Application, ApplicationAction, ApplicationEvent, ApplicationStatus, LevelId, Objection, StageId, WayIn } from './types.ts';

// ---- commands, effects, errors ----------------------------------------------------------------------------------

export type PipelineCommand =
  /** To the next stage; from the last stage the application is certified. */
  | { type: 'advance'; note?: string }
  /** Back to the worker for correction (status 'returned', same stage); the note tells the worker what to fix. */
  | { type: 'return'; note: string }
  /** The worker's corrected application: returned → open, same stage. */
  | { type: 'resubmit'; note?: string }
  /** Refused for good; the note is the reason the worker sees. */
  | { type: 'reject'; note: string }
  /** The worker gives up (open or returned). */
  | { type: 'withdraw'; note?: string }
  /** Training test score 0..100, at a trainingTest stage; a later score (a resit) replaces the earlier one. */
  | { type: 'recordScore'; score: number; note?: string }
  /** Satisfaction rate 0..1, at the satisfactionSurvey stage or any stage before it; a later rate replaces it. */
  | { type: 'recordSatisfaction'; rate: number; note?: string }
  /** An objection raised during the public notice; `id` is chosen by the caller and unique per application. */
  | { type: 'recordObjection'; id: string; text: string }
  /**
   * An objection decided: upheld rejects the application (the note, or else the objection's text, is the reason
   * the worker sees); dismissed lets the notice run on.
   */
  | { type: 'decideObjection'; id: string; upheld: boolean; note?: string }
  /** The scheduled end of the public notice: advances (or certifies) when the period is over and nothing blocks. */
  | { type: 'noticeEnded' }
  /** A photo the worker adds after submitting (open or returned; same stage and status): a channel media reference. */
  | { type: 'addEvidence'; ref: string };

export type PipelineCommandType = PipelineCommand['type'];

export type PipelineEffect =
  /**
   * Tell the worker about the event on their channel (every successful command emits exactly one, last; except
   * addEvidence, which the worker did themselves and the chat already confirms).
   */
  | { kind: 'notifyWorker'; applicationId: string; event: ApplicationEvent }
  /** Run `noticeEnded` for this application at `at` (ISO time). */
  | { kind: 'scheduleNoticeEnd'; applicationId: string; at: string }
  /** The application passed every stage: issue its certificate (certificateFor + the certificate repository). */
  | { kind: 'issueCertificate'; applicationId: string; workerId: string; policyId: string; level: LevelId };

export type PipelineErrorCode =
  /** The command does not fit the application's status (advance while returned, resubmit while open, …). */
  | 'notAllowed'
  /** The command belongs to another stage (a score outside a trainingTest stage, an objection outside the notice). */
  | 'wrongStage'
  /** The application is rejected, withdrawn or certified. */
  | 'closed'
  /** A condition for leaving the stage is not met (score, satisfaction, notice period, objections). */
  | 'guard'
  /** The command or the data is malformed (missing note, score out of range, unknown objection, policy mismatch). */
  | 'invalid'
  /** This kind of actor may not give this command, or a worker acts on someone else's application. */
  | 'forbiddenActor';

export interface PipelineError {
  code: PipelineErrorCode;
  /** English, specific: what was refused and why. */
  message: string;
  details?: Record<string, string | number | boolean | null>;
}

export type PipelineResult = { ok: true; app: Application; effects: PipelineEffect[] } | { ok: false; error: PipelineError };

/** Who may give each command. */
export const COMMAND_ACTORS: Readonly<Record<PipelineCommandType, readonly Actor['kind'][]>> = {
  // The system advances an application when a satisfaction poll closes (app/polls/closePoll.ts); the guard decides.
  advance: ['admin', 'system'],
  return: ['admin'],
  resubmit: ['worker'],
  reject: ['admin'],
  withdraw: ['worker'],
  // The system records the exam result of a training session (entered, audited, by an admin of its region).
  recordScore: ['admin', 'system'],
  recordSatisfaction: ['admin', 'system'],
  recordObjection: ['admin'],
  decideObjection: ['admin'],
  noticeEnded: ['system'],
  addEvidence: ['worker'],
};

/** Most photos one application keeps (the admin API serves photo 0..99). */
export const MAX_EVIDENCE = 100;

const MEDIA_REF = /^[a-z][a-z0-9-]*:[\x21-\x7e]{1,500}$/;

const CLOSED_STATUSES: ReadonlySet<ApplicationStatus> = new Set<ApplicationStatus>(['rejected', 'withdrawn', 'certified']);

/** Rejected, withdrawn and certified applications accept no further command. */
export function isClosed(status: ApplicationStatus): boolean {
  return CLOSED_STATUSES.has(status);
}

const DAY_MS = 86_400_000;

// ---- stages -----------------------------------------------------------------------------------------------------

export interface StageInfo {
  stage: Stage;
  /** Position in the pipeline, 0-based. */
  index: number;
  isFirst: boolean;
  isLast: boolean;
  /** The stage after this one; null for the last. */
  next: Stage | null;
}

/** Where a stage sits in the policy's pipeline; null when the policy has no such stage. */
export function stageInfo(policy: Policy, stageId: StageId): StageInfo | null {
  const stages = policy.pipeline.stages;
  const index = stages.findIndex((s) => s.id === stageId);
  const stage = stages[index];
  if (!stage) return null;
  return { stage, index, isFirst: index === 0, isLast: index === stages.length - 1, next: stages[index + 1] ?? null };
}

/** The stage after `stageId`; null after the last one. Throws RangeError for a stage the policy does not have. */
export function nextStage(policy: Policy, stageId: StageId): Stage | null {
  const info = stageInfo(policy, stageId);
  if (!info) throw new RangeError(`policy ${policy.id} has no stage ${JSON.stringify(stageId)}`);
  return info.next;
}

// ---- a new application ------------------------------------------------------------------------------------------

export interface NewApplicationInput {
  id: string;
  workerId: string;
  channel: string;
  userId: string;
  policy: Policy;
  regionCode: string;
  level: LevelId;
  wayIn: WayIn;
  recommendingOrg?: string;
  declared: Application['declared'];
  evidence: string[];
  /** The worker themself, or an admin entering an organisation's recommendation on the worker's behalf. */
  actor: Actor;
  now: Date;
}

/**
 * A submitted application at the policy's first stage, open, with the 'submit' event, version 1. Throws on a
 * programming error (unknown level, a system actor, a worker submitting for someone else, an invalid `now`).
 */
export function newApplication(input: NewApplicationInput): Application {
  const { policy, actor } = input;
  const at = isoOf(input.now, 'now');
  if (!policy.levels.some((l) => l.id === input.level)) {
    throw new RangeError(`policy ${policy.id} has no level ${JSON.stringify(input.level)}`);
  }
  if (actor.kind === 'system') throw new TypeError('an application is submitted by the worker or an admin, not by the system');
  if (actor.kind === 'worker' && actor.id !== input.workerId) {
    throw new TypeError(`worker ${actor.id} cannot submit an application for worker ${input.workerId}`);
  }
  const first = policy.pipeline.stages[0];
  if (!first) throw new RangeError(`policy ${policy.id} has no stages`);

  const data: Record<string, string | number | boolean | null> = { level: input.level, wayIn: input.wayIn };
  if (input.recommendingOrg !== undefined) data.recommendingOrg = input.recommendingOrg;
  const event: ApplicationEvent = { at, actor, action: 'submit', fromStage: null, toStage: first.id, fromStatus: null, toStatus: 'open', data };

  const app: Application = {
    id: input.id,
    workerId: input.workerId,
    channel: input.channel,
    userId: input.userId,
    policyId: policy.id,
    regionCode: input.regionCode,
    level: input.level,
    wayIn: input.wayIn,
    declared: { ...input.declared },
    evidence: [...input.evidence],
    stage: first.id,
    status: 'open',
    testScore: null,
    satisfaction: null,
    objections: [],
    noticeStartedAt: null,
    noticeEndsAt: null,
    certificateNumber: null,
    history: [event],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  if (input.recommendingOrg !== undefined) app.recommendingOrg = input.recommendingOrg;
  return app;
}

// ---- commands ---------------------------------------------------------------------------------------------------

interface Ctx {
  app: Application;
  policy: Policy;
  info: StageInfo;
  level: Level;
  actor: Actor;
  now: Date;
  at: string;
}

/** What a command changes; everything else is copied. */
interface Change {
  action: ApplicationAction;
  toStage?: StageId;
  toStatus?: ApplicationStatus;
  note?: string | undefined;
  data?: Record<string, string | number | boolean | null>;
  patch?: Partial<Pick<Application, 'testScore' | 'satisfaction' | 'objections' | 'noticeStartedAt' | 'noticeEndsAt' | 'evidence'>>;
  effects?: PipelineEffect[];
  /** No notifyWorker effect (see PipelineEffect). */
  silent?: boolean;
}

function fail(code: PipelineErrorCode, message: string, details?: PipelineError['details']): { ok: false; error: PipelineError } {
  return { ok: false, error: details ? { code, message, details } : { code, message } };
}

/**
 * Apply one command. Checks run in this order, so a refusal names the first problem: closed → actor →
 * application/policy consistency → the command's own data → status → stage → guards.
 */
export function applyAction(app: Application, policy: Policy, command: PipelineCommand, actor: Actor, now: Date): PipelineResult {
  const at = isoOf(now, 'now');
  const type = (command as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(COMMAND_ACTORS, type)) {
    return fail('invalid', `unknown pipeline command ${JSON.stringify(type)}`);
  }
  if (isClosed(app.status)) {
    return fail('closed', `application ${app.id} is ${app.status}; it accepts no further commands (${type} refused)`, { status: app.status });
  }
  const allowed = COMMAND_ACTORS[command.type];
  if (!allowed.includes(actor.kind)) {
    return fail('forbiddenActor', `${article(actor.kind)} ${actor.kind} cannot ${command.type}; only ${allowed.map((k) => `${article(k)} ${k}`).join(' or ')} can`, {
      actor: actor.kind,
    });
  }
  if (actor.kind === 'worker' && actor.id !== app.workerId) {
    return fail('forbiddenActor', `worker ${actor.id} cannot ${command.type} the application of worker ${app.workerId}`);
  }
  if (app.policyId !== policy.id) {
    return fail('invalid', `application ${app.id} follows policy ${app.policyId}, not ${policy.id}`);
  }
  const info = stageInfo(policy, app.stage);
  if (!info) return fail('invalid', `application ${app.id} is at stage ${app.stage}, which policy ${policy.id} does not have`);
  const level = policy.levels.find((l) => l.id === app.level);
  if (!level) return fail('invalid', `application ${app.id} is for level ${app.level}, which policy ${policy.id} does not have`);

  // A closed satisfaction poll advances its application (app/polls/closePoll.ts); no other stage is the system's.
  if (command.type === 'advance' && actor.kind === 'system' && info.stage.kind !== 'satisfactionSurvey') {
    return fail('forbiddenActor', `a system cannot advance out of a ${info.stage.kind} stage; only an admin can (the system advances only out of a satisfaction survey, when its poll closes)`, { actor: actor.kind });
  }
  const ctx: Ctx = { app, policy, info, level, actor, now, at };
  switch (command.type) {
    case 'advance':
      return advance(ctx, command.note);
    case 'return':
      return returnToWorker(ctx, command.note);
    case 'resubmit':
      if (app.status !== 'returned') return fail('notAllowed', `cannot resubmit application ${app.id}: it is ${app.status}, not returned`);
      return commit(ctx, { action: 'resubmit', toStatus: 'open', note: cleanNote(command.note) });
    case 'reject': {
      const note = cleanNote(command.note);
      if (!note) return fail('invalid', 'a rejection needs a note: the worker is told why');
      return commit(ctx, { action: 'reject', toStatus: 'rejected', note });
    }
    case 'withdraw':
      // Any status that is not closed (open or returned) may be withdrawn.
      return commit(ctx, { action: 'withdraw', toStatus: 'withdrawn', note: cleanNote(command.note) });
    case 'recordScore':
      return recordScore(ctx, command.score, command.note);
    case 'recordSatisfaction':
      return recordSatisfaction(ctx, command.rate, command.note);
    case 'recordObjection':
      return recordObjection(ctx, command.id, command.text);
    case 'decideObjection':
      return decideObjection(ctx, command.id, command.upheld, command.note);
    case 'noticeEnded':
      return noticeEnded(ctx);
    case 'addEvidence':
      return addEvidence(ctx, command.ref);
  }
}

function addEvidence(ctx: Ctx, ref: unknown): PipelineResult {
  const { app } = ctx;
  if (typeof ref !== 'string' || !MEDIA_REF.test(ref)) return fail('invalid', `evidence must be a channel media reference such as wechat-media:<id>, got ${show(ref)}`);
  if (app.evidence.includes(ref)) return fail('invalid', `application ${app.id} already has this photo`);
  if (app.evidence.length >= MAX_EVIDENCE) return fail('invalid', `application ${app.id} already has ${MAX_EVIDENCE} photos, the most it keeps`);
  // The index is how the admin API names the photo; the event's time is when it came.
  return commit(ctx, { action: 'addEvidence', data: { index: app.evidence.length }, patch: { evidence: [...app.evidence, ref] }, silent: true });
}

function advance(ctx: Ctx, rawNote: string | undefined): PipelineResult {
  const { app, info } = ctx;
  if (app.status !== 'open') {
    return fail('notAllowed', `cannot advance application ${app.id}: it was returned to the worker and must be resubmitted first`, { status: app.status });
  }
  const refused = leaveGuard(ctx, `advance from ${info.stage.id}`);
  if (refused) return refused;
  return moveOn(ctx, { note: cleanNote(rawNote) });
}

/** Why the application may not leave its current stage yet; null when it may. */
function leaveGuard(ctx: Ctx, what: string): { ok: false; error: PipelineError } | null {
  const { app, policy, info, level } = ctx;
  switch (info.stage.kind) {
    case 'trainingTest': {
      const passMark = policy.pipeline.testPassMark;
      if (app.testScore === null) return fail('guard', `cannot ${what}: no test score is recorded (pass mark ${passMark})`, { reason: 'noTestScore', passMark });
      if (app.testScore < passMark) {
        return fail('guard', `cannot ${what}: test score ${app.testScore} is below the pass mark ${passMark}`, { reason: 'scoreBelowPassMark', score: app.testScore, passMark });
      }
      return null;
    }
    case 'satisfactionSurvey': {
      const min = level.conditions.minSatisfaction;
      if (app.satisfaction === null) return fail('guard', `cannot ${what}: no satisfaction rate is recorded`, { reason: 'noSatisfaction', minSatisfaction: min ?? null });
      if (min !== undefined && app.satisfaction < min) {
        return fail('guard', `cannot ${what}: satisfaction ${percent(app.satisfaction)} is below the ${percent(min)} the ${level.id} level requires`, {
          reason: 'satisfactionBelowMinimum',
          satisfaction: app.satisfaction,
          minSatisfaction: min,
        });
      }
      return null;
    }
    case 'publicNotice':
      return noticeGuard(ctx, what);
    default:
      return null;
  }
}

/** The public notice may end only when its period is over and no objection is undecided or upheld. */
function noticeGuard(ctx: Ctx, what: string): { ok: false; error: PipelineError } | null {
  const { app, now } = ctx;
  if (app.noticeEndsAt === null) return fail('guard', `cannot ${what}: the notice period of application ${app.id} has no recorded end`);
  if (now.getTime() < Date.parse(app.noticeEndsAt)) {
    return fail('guard', `cannot ${what}: the notice period runs until ${app.noticeEndsAt}`, { reason: 'noticeRunning', noticeEndsAt: app.noticeEndsAt });
  }
  const undecided = app.objections.filter((o) => o.upheld === null).map((o) => o.id);
  if (undecided.length > 0) {
    return fail('guard', `cannot ${what}: ${plural(undecided.length, 'objection')} undecided (${undecided.join(', ')})`, { undecided: undecided.join(',') });
  }
  const upheld = app.objections.filter((o) => o.upheld === true).map((o) => o.id);
  if (upheld.length > 0) {
    return fail('guard', `cannot ${what}: ${plural(upheld.length, 'objection')} upheld (${upheld.join(', ')})`, { upheld: upheld.join(',') });
  }
  return null;
}

/** To the next stage (entering a public notice starts its period), or certified after the last stage. */
function moveOn(ctx: Ctx, change: { note?: string | undefined; data?: Record<string, string | number | boolean | null> }): PipelineResult {
  const { app, policy, info, now } = ctx;
  if (info.next === null) {
    return commit(ctx, {
      action: 'certify',
      toStatus: 'certified',
      ...change,
      effects: [{ kind: 'issueCertificate', applicationId: app.id, workerId: app.workerId, policyId: app.policyId, level: app.level }],
    });
  }
  const next = info.next;
  if (next.kind !== 'publicNotice') return commit(ctx, { action: 'advance', toStage: next.id, ...change });

  const days = policy.pipeline.noticeDays;
  if (days === undefined) return fail('invalid', `policy ${policy.id} has a publicNotice stage but no noticeDays`);
  const endsAt = new Date(now.getTime() + days * DAY_MS).toISOString();
  return commit(ctx, {
    action: 'advance',
    toStage: next.id,
    ...change,
    data: { ...change.data, noticeEndsAt: endsAt },
    patch: { noticeStartedAt: ctx.at, noticeEndsAt: endsAt },
    effects: [{ kind: 'scheduleNoticeEnd', applicationId: app.id, at: endsAt }],
  });
}

function returnToWorker(ctx: Ctx, rawNote: string): PipelineResult {
  const { app, info } = ctx;
  const note = cleanNote(rawNote);
  if (!note) return fail('invalid', 'returning an application needs a note: the worker is told what to correct');
  if (app.status !== 'open') return fail('notAllowed', `cannot return application ${app.id}: it is already returned`);
  if (info.stage.kind === 'publicNotice') {
    // The notice is public and timed; a worker's correction cannot be folded into it. Reject, or decide objections.
    return fail('wrongStage', `cannot return application ${app.id} during the public notice (${info.stage.id}): reject it or decide its objections instead`);
  }
  return commit(ctx, { action: 'return', toStatus: 'returned', note });
}

function recordScore(ctx: Ctx, score: unknown, rawNote: string | undefined): PipelineResult {
  const { app, info } = ctx;
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 100) {
    return fail('invalid', `a test score is a number from 0 to 100, got ${show(score)}`);
  }
  if (info.stage.kind !== 'trainingTest') {
    return fail('wrongStage', `cannot record a test score at stage ${info.stage.id} (${info.stage.kind}): scores are recorded at a trainingTest stage`, {
      reason: 'scoreNotAtTest',
      stage: info.stage.id,
    });
  }
  return commit(ctx, {
    action: 'recordScore',
    note: cleanNote(rawNote),
    data: { score, previous: app.testScore, passMark: ctx.policy.pipeline.testPassMark },
    patch: { testScore: score },
  });
}

/**
 * Satisfaction may be recorded at the satisfactionSurvey stage or at any stage before it (a poll can run while
 * the worker is still in training); not once the survey stage is behind. In a pipeline without a survey stage
 * (Jiangsu's) the 满意度测评 feeds the comprehensive review, so it may be recorded up to that stage.
 */
function recordSatisfaction(ctx: Ctx, rate: unknown, rawNote: string | undefined): PipelineResult {
  const { app, policy, info } = ctx;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    return fail('invalid', `a satisfaction rate is a number from 0 to 1, got ${show(rate)}`);
  }
  const stages = policy.pipeline.stages;
  const hasSurvey = stages.some((s) => s.kind === 'satisfactionSurvey');
  const reviewAt = stages.findIndex((s) => s.kind === 'comprehensiveReview');
  if (!hasSurvey && reviewAt !== -1 && info.index > reviewAt) {
    return fail('wrongStage', `cannot record satisfaction at stage ${info.stage.id}: policy ${policy.id} uses it in the comprehensive review, which is already behind`);
  }
  if (hasSurvey && !stages.some((s, i) => s.kind === 'satisfactionSurvey' && i >= info.index)) {
    return fail('wrongStage', `cannot record satisfaction at stage ${info.stage.id}: the satisfaction survey is already behind`);
  }
  return commit(ctx, {
    action: 'recordSatisfaction',
    note: cleanNote(rawNote),
    data: { rate, previous: app.satisfaction, minSatisfaction: ctx.level.conditions.minSatisfaction ?? null },
    patch: { satisfaction: rate },
  });
}

function recordObjection(ctx: Ctx, rawId: unknown, rawText: unknown): PipelineResult {
  const { app, info } = ctx;
  const id = typeof rawId === 'string' ? rawId.trim() : '';
  const text = typeof rawText === 'string' ? rawText.trim() : '';
  if (!id) return fail('invalid', 'an objection needs an id');
  if (!text) return fail('invalid', 'an objection needs its text');
  if (info.stage.kind !== 'publicNotice') {
    return fail('wrongStage', `cannot record an objection at stage ${info.stage.id}: objections are raised during the public notice`);
  }
  if (app.status !== 'open') return fail('notAllowed', `cannot record an objection on application ${app.id}: it is ${app.status}`);
  if (app.objections.some((o) => o.id === id)) return fail('invalid', `objection ${id} is already recorded on application ${app.id}`);
  const objection: Objection = { id, at: ctx.at, text, upheld: null };
  return commit(ctx, { action: 'recordObjection', data: { objectionId: id }, patch: { objections: [...app.objections, objection] } });
}

function decideObjection(ctx: Ctx, rawId: unknown, upheld: unknown, rawNote: string | undefined): PipelineResult {
  const { app, info } = ctx;
  if (typeof upheld !== 'boolean') return fail('invalid', `an objection is upheld or not (true or false), got ${show(upheld)}`);
  if (info.stage.kind !== 'publicNotice') {
    return fail('wrongStage', `cannot decide an objection at stage ${info.stage.id}: objections are decided during the public notice`);
  }
  if (app.status !== 'open') return fail('notAllowed', `cannot decide an objection on application ${app.id}: it is ${app.status}`);
  const id = typeof rawId === 'string' ? rawId.trim() : '';
  const objection = app.objections.find((o) => o.id === id);
  if (!objection) return fail('invalid', `application ${app.id} has no objection ${JSON.stringify(id)}`);
  if (objection.upheld !== null) {
    return fail('notAllowed', `objection ${id} was already decided (${objection.upheld ? 'upheld' : 'dismissed'})`);
  }
  const objections = app.objections.map((o) => (o.id === id ? { ...o, upheld, decidedAt: ctx.at } : o));
  const data = { objectionId: id, upheld };
  if (upheld) {
    return commit(ctx, { action: 'decideObjection', toStatus: 'rejected', note: cleanNote(rawNote) ?? objection.text, data, patch: { objections } });
  }
  return commit(ctx, { action: 'decideObjection', note: cleanNote(rawNote), data, patch: { objections } });
}

function noticeEnded(ctx: Ctx): PipelineResult {
  const { app, info } = ctx;
  if (info.stage.kind !== 'publicNotice') {
    return fail('wrongStage', `cannot end the notice of application ${app.id}: it is at stage ${info.stage.id}, not in a public notice`);
  }
  if (app.status !== 'open') return fail('notAllowed', `cannot end the notice of application ${app.id}: it is ${app.status}`);
  const refused = noticeGuard(ctx, `end the notice of application ${app.id}`);
  if (refused) return refused;
  return moveOn(ctx, { data: { trigger: 'noticeEnded' } });
}

/** The one place an application changes: a copy with the event appended, the version bumped and the worker told. */
function commit(ctx: Ctx, change: Change): PipelineResult {
  const { app, actor, at } = ctx;
  const event: ApplicationEvent = {
    at,
    actor,
    action: change.action,
    fromStage: app.stage,
    toStage: change.toStage ?? app.stage,
    fromStatus: app.status,
    toStatus: change.toStatus ?? app.status,
  };
  if (change.note !== undefined) event.note = change.note;
  if (change.data !== undefined) event.data = change.data;
  const next: Application = {
    ...app,
    ...change.patch,
    stage: event.toStage ?? app.stage,
    status: event.toStatus,
    history: [...app.history, event],
    updatedAt: at,
    version: app.version + 1,
  };
  const notify: PipelineEffect[] = change.silent ? [] : [{ kind: 'notifyWorker', applicationId: app.id, event }];
  return { ok: true, app: next, effects: [...(change.effects ?? []), ...notify] };
}

// ---- helpers ----------------------------------------------------------------------------------------------------

function isoOf(d: Date, what: string): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`${what} must be a valid Date`);
  return d.toISOString();
}

/** A trimmed note; undefined when absent or blank. */
function cleanNote(note: unknown): string | undefined {
  if (typeof note !== 'string') return undefined;
  const t = note.trim();
  return t === '' ? undefined : t;
}

/** A value for a message: numbers as written (NaN stays NaN), anything else as JSON. */
function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(2))} %`;
}

function plural(n: number, word: string): string {
  return n === 1 ? `1 ${word} is` : `${n} ${word}s are`;
}

function article(kind: Actor['kind']): string {
  return kind === 'admin' ? 'an' : 'a';
}
