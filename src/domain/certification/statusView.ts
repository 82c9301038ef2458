/**
 * What the worker sees when they ask "进度" / "status": pure data for the status template (the worker may ask at
 * any time: docs/domain.md "The application pipeline"). Names come from the policy in the worker's locale; dates
 * are China dates ('YYYY-MM-DD').
 *
 * Decisions where the brief is silent:
 *  - The timeline is the last 6 events, oldest first.
 *  - A note is shown only where the worker is its audience (ApplicationEvent.note: "shown to the worker for returns
 *    and rejections"): return, reject, an upheld objection (which rejects), and the worker's own resubmit and
 *    withdraw notes. Notes of advances and recordings may be internal and are left out. Objection texts never
 *    appear (only that one was recorded or decided); the worker's own test score and satisfaction rate do.
 *  - `next` is given only while the application is open: the following stage (stageId null = the certificate
 *    comes next), expected by the day the current stage was entered plus its expectedDays, or at a public notice
 *    the day the notice ends. When returned, `next` is null and `returnNote` says what to correct.
 *  - `todo` is the current stage's template key while open, else null.
 *  - A stage the policy no longer has is shown by its id rather than failing.
 */
import type { Policy } from '../policy/schema.ts';
import { chinaDate, splitYmd } from '../dates/parseDate.ts';
import { isClosed, stageInfo } from './pipeline.ts';
import type { Application, ApplicationAction, ApplicationEvent, ApplicationStatus, LevelId, StageId } from './types.ts';

export type Locale = 'zh-CN' | 'en';

export const TIMELINE_LENGTH = 6;

const DAY_MS = 86_400_000;

export interface TimelineEntry {
  date: string;
  action: ApplicationAction;
  /** The stage the event left the application at (its name in the locale). */
  stageId: StageId | null;
  stageName: string | null;
  status: ApplicationStatus;
  note?: string;
  /** The worker's own score or satisfaction rate, for recordScore / recordSatisfaction. */
  score?: number;
  rate?: number;
  /** For decideObjection. */
  upheld?: boolean;
  /** For certificateIssued: the certificate's number. */
  number?: string;
}

export interface StatusView {
  applicationId: string;
  level: { id: LevelId; name: string };
  currentStage: { id: StageId; name: string; position: number; of: number };
  status: ApplicationStatus;
  timeline: TimelineEntry[];
  /** What happens next; null unless the application is open. stageId null: the certificate comes next. */
  next: { stageId: StageId | null; stageName: string | null; expectedBy?: string; overdue?: boolean } | null;
  /** Template key of what the worker must do at the current stage (e.g. certification:todo.attendTest), or null. */
  todo: string | null;
  /** The note of the latest return, while the application is returned. */
  returnNote?: string;
  /** While in (or after) a public notice: when it ends, as an ISO time and as a China date. */
  noticeEndsAt?: string;
  noticeEndsOn?: string;
  certificateNumber?: string;
}

/** The status of an application as of `today` ('YYYY-MM-DD', China date), names in `locale`. */
export function statusView(app: Application, policy: Policy, today: string, locale: Locale = 'zh-CN'): StatusView {
  if (!splitYmd(today)) throw new RangeError(`today must be a real date written YYYY-MM-DD, got ${JSON.stringify(today)}`);
  const stageName = (id: StageId | null): string | null => {
    if (id === null) return null;
    return stageInfo(policy, id)?.stage.name[locale] ?? id;
  };
  const level = policy.levels.find((l) => l.id === app.level);
  const info = stageInfo(policy, app.stage);

  const view: StatusView = {
    applicationId: app.id,
    level: { id: app.level, name: level?.name[locale] ?? app.level },
    currentStage: { id: app.stage, name: stageName(app.stage) ?? app.stage, position: (info?.index ?? -1) + 1, of: policy.pipeline.stages.length },
    status: app.status,
    timeline: app.history.slice(-TIMELINE_LENGTH).map((e) => timelineEntry(e, stageName)),
    next: null,
    todo: app.status === 'open' ? (info?.stage.todo ?? null) : null,
  };

  if (app.status === 'open' && info) {
    const next: NonNullable<StatusView['next']> = { stageId: info.next?.id ?? null, stageName: info.next?.name[locale] ?? null };
    let expectedBy: string | undefined;
    if (info.stage.kind === 'publicNotice' && app.noticeEndsAt) {
      expectedBy = chinaDate(new Date(app.noticeEndsAt));
    } else if (info.stage.expectedDays !== undefined) {
      const entered = enteredAt(app);
      if (entered) expectedBy = chinaDate(new Date(Date.parse(entered) + info.stage.expectedDays * DAY_MS));
    }
    if (expectedBy !== undefined) {
      next.expectedBy = expectedBy;
      next.overdue = today > expectedBy;
    }
    view.next = next;
  }
  if (app.status === 'returned') {
    const note = [...app.history].reverse().find((e) => e.action === 'return')?.note;
    if (note !== undefined) view.returnNote = note;
  }
  if (app.noticeEndsAt && (info?.stage.kind === 'publicNotice' || isClosed(app.status))) {
    view.noticeEndsAt = app.noticeEndsAt;
    view.noticeEndsOn = chinaDate(new Date(app.noticeEndsAt));
  }
  if (app.certificateNumber) view.certificateNumber = app.certificateNumber;
  return view;
}

/** When the application entered its current stage: the latest event that moved it there (or the submission). */
function enteredAt(app: Application): string | undefined {
  for (let i = app.history.length - 1; i >= 0; i--) {
    const e = app.history[i];
    if (e && e.toStage === app.stage && e.fromStage !== app.stage) return e.at;
  }
  return undefined;
}

const WORKER_NOTE_ACTIONS: ReadonlySet<ApplicationAction> = new Set<ApplicationAction>(['return', 'reject', 'resubmit', 'withdraw']);

function timelineEntry(e: ApplicationEvent, stageName: (id: StageId | null) => string | null): TimelineEntry {
  const entry: TimelineEntry = {
    date: chinaDate(new Date(e.at)),
    action: e.action,
    stageId: e.toStage,
    stageName: stageName(e.toStage),
    status: e.toStatus,
  };
  const rejectedByObjection = e.action === 'decideObjection' && e.toStatus === 'rejected';
  if (e.note !== undefined && (WORKER_NOTE_ACTIONS.has(e.action) || rejectedByObjection)) entry.note = e.note;
  if (e.action === 'recordScore' && typeof e.data?.score === 'number') entry.score = e.data.score;
  if (e.action === 'recordSatisfaction' && typeof e.data?.rate === 'number') entry.rate = e.data.rate;
  if (e.action === 'decideObjection' && typeof e.data?.upheld === 'boolean') entry.upheld = e.data.upheld;
  if (e.action === 'certificateIssued' && typeof e.data?.number === 'string') entry.number = e.data.number;
  return entry;
}
