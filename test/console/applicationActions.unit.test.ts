import { describe, expect, it } from 'vitest';
import { createAdminApi } from '../../console/src/api/admin.ts';
import { availableActions, draftProblem, sendDraft } from '../../console/src/logic/applicationActions.ts';
import type { ActionDraft } from '../../console/src/logic/conflict.ts';
import { fakeFetch } from './fakeFetch.ts';

const base: ActionDraft = { action: 'advance', note: '', values: {}, expectedVersion: 7, stage: 'qualificationReview' };

describe('application actions in the console', () => {
  it("offers only what the API's allowedActions lists, in the API's names too", () => {
    expect(availableActions({ status: 'open', allowedActions: ['advance', 'recordScore'] })).toEqual(['advance', 'score']);
    expect(availableActions({ status: 'open', allowedActions: [] })).toEqual([]);
  });

  it('without allowedActions, offers the acts of an open application and none on a closed one', () => {
    expect(availableActions({ status: 'open' })).toEqual(['advance', 'return', 'reject', 'score', 'satisfaction', 'objection']);
    expect(availableActions({ status: 'certified' })).toEqual([]);
  });

  it('refuses a return or rejection without a reason before sending', () => {
    expect(draftProblem({ ...base, action: 'return', note: '  ' })).toBe('detail.noteRequired');
    expect(draftProblem({ ...base, action: 'reject', note: '' })).toBe('detail.noteRequired');
    expect(draftProblem({ ...base, action: 'return', note: '缺材料' })).toBeNull();
    expect(draftProblem({ ...base, action: 'advance' })).toBeNull();
  });

  it('checks typed numbers against the API ranges', () => {
    expect(draftProblem({ ...base, action: 'score', values: { score: '101' } })).toBe('wording.scoreRange');
    expect(draftProblem({ ...base, action: 'score', values: { score: '' } })).toBe('wording.scoreRange');
    expect(draftProblem({ ...base, action: 'score', values: { score: '88.5' } })).toBeNull();
    expect(draftProblem({ ...base, action: 'satisfaction', values: { rate: 'abc' } })).toBe('wording.rateRange');
  });

  it('regression: satisfaction entered ×100 wrong (0.9 typed in the percent field saved 0.009 and pushed 满意率 0.9%)', () => {
    expect(draftProblem({ ...base, action: 'satisfaction', values: { rate: '0.9' } })).toBe('wording.rateFraction');
    expect(draftProblem({ ...base, action: 'satisfaction', values: { rate: '101' } })).toBe('wording.rateRange');
    expect(draftProblem({ ...base, action: 'satisfaction', values: { rate: '-1' } })).toBe('wording.rateRange');
    expect(draftProblem({ ...base, action: 'satisfaction', values: { rate: '90' } })).toBeNull();
    expect(draftProblem({ ...base, action: 'satisfaction', values: { rate: '0' } })).toBeNull();
  });

  it('sends each act to its route with the version the admin read; satisfaction typed as % goes as a fraction', async () => {
    const { fetch, sent } = fakeFetch(() => ({ status: 200, body: {} }));
    const api = createAdminApi({ fetch });
    await sendDraft(api, 'app1', { ...base, action: 'satisfaction', values: { rate: '85' } });
    await sendDraft(api, 'app1', { ...base, action: 'reject', note: ' 不符合条件 ' });
    await sendDraft(api, 'app1', { ...base, action: 'uphold', note: '' }, 'obj9');
    expect(sent.map((s) => [s.url, s.body])).toEqual([
      ['/admin/api/applications/app1/satisfaction', { rate: 0.85, expectedVersion: 7 }],
      ['/admin/api/applications/app1/transitions', { action: 'reject', expectedVersion: 7, note: '不符合条件' }],
      ['/admin/api/applications/app1/objections/obj9/decision', { upheld: true, expectedVersion: 7 }],
    ]);
  });
});
