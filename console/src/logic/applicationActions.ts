/**
 * What an admin can do on an application, and how each becomes one API call. The API decides who may: when
 * its detail lists `allowedActions` the page offers only those; otherwise it offers what fits the status and
 * shows the API's 403 message for an act another tier owns.
 */
import type { AdminApi } from '../api/admin.ts';
import type { ApplicationDetail } from '../api/types.ts';
import type { ActionDraft } from './conflict.ts';

export type ActionId = 'advance' | 'return' | 'reject' | 'score' | 'satisfaction' | 'objection' | 'uphold' | 'dismiss';

export const ACTIONS: Record<ActionId, { primary?: boolean; danger?: boolean; noteRequired?: boolean; hasNote: boolean }> = {
  advance: { primary: true, hasNote: true },
  return: { noteRequired: true, hasNote: true },
  reject: { danger: true, noteRequired: true, hasNote: true },
  score: { hasNote: false },
  satisfaction: { hasNote: false },
  objection: { hasNote: false },
  uphold: { hasNote: true },
  dismiss: { hasNote: true },
};

const PER_APPLICATION: ActionId[] = ['advance', 'return', 'reject', 'score', 'satisfaction', 'objection'];

/** The API's names for the same acts (its allowedActions and its audit use the pipeline's command names). */
const API_NAMES: Record<string, ActionId> = { recordScore: 'score', recordSatisfaction: 'satisfaction', recordObjection: 'objection' };

export function availableActions(app: Pick<ApplicationDetail, 'status' | 'allowedActions'>): ActionId[] {
  if (Array.isArray(app.allowedActions)) {
    const allowed = new Set(app.allowedActions.map((a) => API_NAMES[a] ?? a));
    return PER_APPLICATION.filter((a) => allowed.has(a));
  }
  return app.status === 'open' ? PER_APPLICATION : [];
}

/** A test score the API would refuse (it is 0-100), as an i18n key; null when it can be sent. */
export function scoreProblem(score: number): string | null {
  return Number.isFinite(score) && score >= 0 && score <= 100 ? null : 'wording.scoreRange';
}

/** A problem with the draft the API would refuse anyway, as an i18n key; null when it can be sent. */
export function draftProblem(draft: ActionDraft): string | null {
  const spec = ACTIONS[draft.action as ActionId];
  if (!spec) return 'common.failed';
  if (spec.noteRequired && !draft.note.trim()) return 'detail.noteRequired';
  if (draft.action === 'score') {
    if (draft.values.score === undefined || draft.values.score === '' || scoreProblem(Number(draft.values.score))) return 'wording.scoreRange';
  }
  if (draft.action === 'satisfaction') {
    const n = Number(draft.values.rate);
    if (draft.values.rate === undefined || draft.values.rate === '' || !Number.isFinite(n) || n < 0 || n > 100) return 'wording.rateRange';
    // A fraction typed into the percent field (0.9 for 90 %) would be stored as 0.9 %: refuse it rather than guess.
    if (n > 0 && n < 1) return 'wording.rateFraction';
  }
  if (draft.action === 'objection' && !(draft.values.text ?? '').trim()) return 'detail.objectionLabel';
  return null;
}

export function sendDraft(api: AdminApi, applicationId: string, draft: ActionDraft, objectionId?: string): Promise<unknown> {
  const v = draft.expectedVersion;
  const note = draft.note.trim();
  switch (draft.action as ActionId) {
    case 'advance':
    case 'return':
    case 'reject':
      return api.transition(applicationId, draft.action as 'advance' | 'return' | 'reject', note, v);
    case 'score':
      return api.score(applicationId, Number(draft.values.score), v);
    case 'satisfaction':
      // Typed as a percentage; the API stores a fraction.
      return api.satisfaction(applicationId, Number(draft.values.rate) / 100, v);
    case 'objection':
      return api.objection(applicationId, (draft.values.text ?? '').trim(), v);
    case 'uphold':
    case 'dismiss':
      if (!objectionId) throw new Error('an objection decision needs the objection');
      return api.decideObjection(applicationId, objectionId, draft.action === 'uphold', note, v);
  }
  throw new Error(`unknown action ${draft.action}`);
}
