/**
 * A 409 from the API: someone changed the application after this admin opened it. The page says who changed
 * what, offers to reload, and keeps everything the admin typed: the draft survives the reload, re-aimed at the
 * version just read, and flags when the stage moved (the chosen action may no longer be the right one).
 */
import { ApiError, type ConflictCurrent } from '../api/http.ts';

export interface ActionDraft {
  action: string;
  note: string;
  /** Extra typed values (a score, a rate, an objection's text), kept the same way as the note. */
  values: Record<string, string>;
  /** The version the admin was looking at when they typed this. */
  expectedVersion: number;
  /** The stage the admin was looking at. */
  stage: string;
}

export interface ConflictInfo {
  /** Who changed it, as the API named them; undefined when it did not say. */
  by: string | undefined;
  at: string | undefined;
  /** What they did (advance, return, recordScore, ...). */
  action: string | undefined;
  stage: string | undefined;
  version: number | undefined;
}

export function isConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409;
}

export function conflictInfo(error: ApiError): ConflictInfo {
  const c: ConflictCurrent | undefined = error.current;
  return { by: c?.by, at: c?.at, action: c?.action, stage: c?.stage, version: c?.version };
}

export interface ReloadedDraft {
  draft: ActionDraft;
  /** The stage is not the one the admin typed the note for: show it, and let them confirm again. */
  stageChanged: boolean;
}

/** After reloading the application: the same typed draft, now sent against the fresh version. */
export function reaimDraft(draft: ActionDraft, fresh: { version: number; stage: string }): ReloadedDraft {
  return {
    draft: { ...draft, values: { ...draft.values }, expectedVersion: fresh.version, stage: fresh.stage },
    stageChanged: fresh.stage !== draft.stage,
  };
}
