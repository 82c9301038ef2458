/**
 * How long an application has waited in its stage, for the reviewer's list: from the last event that moved it into
 * the stage it is in (its submission, an advance), not from its last change — a score recorded or a return answered
 * does not restart the clock.
 */
import type { Application } from './types.ts';

const DAY = 86_400_000;

/** When the application entered its current stage (ISO time). */
export function stageEnteredAt(app: Pick<Application, 'history' | 'stage' | 'createdAt'>): string {
  for (let i = app.history.length - 1; i >= 0; i--) {
    const e = app.history[i]!;
    if (e.toStage === app.stage && e.fromStage !== e.toStage) return e.at;
  }
  return app.createdAt;
}

/** Whole days since it entered its stage (0 on the first day); never negative. */
export function daysInStage(app: Pick<Application, 'history' | 'stage' | 'createdAt'>, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(stageEnteredAt(app))) / DAY));
}
