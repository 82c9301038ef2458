import { describe, expect, it } from 'vitest';
import { ApiError } from '../../console/src/api/http.ts';
import { conflictInfo, isConflict, reaimDraft, type ActionDraft } from '../../console/src/logic/conflict.ts';

const draft: ActionDraft = { action: 'return', note: '请补充第三季度的培训证明', values: { score: '88' }, expectedVersion: 4, stage: 'qualificationReview' };

describe('409 handling in the console', () => {
  it('says who changed what, from the API body', () => {
    const error = new ApiError(409, 'conflict', 'conflict', { current: { version: 5, stage: 'publicNotice', by: '李科长', at: '2026-03-01T02:00:00Z', action: 'advance' } });
    expect(isConflict(error)).toBe(true);
    expect(conflictInfo(error)).toEqual({ by: '李科长', at: '2026-03-01T02:00:00Z', action: 'advance', stage: 'publicNotice', version: 5 });
  });

  it('only a 409 is a conflict', () => {
    expect(isConflict(new ApiError(403, 'no', 'outOfScope', {}))).toBe(false);
    expect(isConflict(new Error('409'))).toBe(false);
  });

  it('keeps the typed note and values after the reload and aims them at the fresh version', () => {
    const { draft: again, stageChanged } = reaimDraft(draft, { version: 5, stage: 'qualificationReview' });
    expect(again.note).toBe(draft.note);
    expect(again.values).toEqual({ score: '88' });
    expect(again.action).toBe('return');
    expect(again.expectedVersion).toBe(5);
    expect(stageChanged).toBe(false);
  });

  it('flags a stage that moved, so the admin confirms the action again', () => {
    const r = reaimDraft(draft, { version: 6, stage: 'publicNotice' });
    expect(r.stageChanged).toBe(true);
    expect(r.draft.stage).toBe('publicNotice');
    expect(r.draft.note).toBe(draft.note);
  });

  it('does not change the draft it was given (the dialog still shows it until the reload answers)', () => {
    const before = structuredClone(draft);
    const r = reaimDraft(draft, { version: 9, stage: 'x' });
    r.draft.values.score = '1';
    expect(draft).toEqual(before);
  });
});
