import { describe, expect, it } from 'vitest';
import { content } from '../support/engineHarness.ts';

/** The funnel names each step a conversation waits at (questions and summaries) with the step's label. */
describe('step labels', () => {
  it('regression: the funnel step label "summary" appeared untranslated — every waiting step has a label in zh-CN and en', () => {
    const c = content();
    const missing: string[] = [];
    for (const flow of c.flows.all()) {
      for (const step of flow.steps) {
        if (step.kind !== 'ask' && step.kind !== 'summary') continue;
        const key = 'label' in step && step.label ? step.label : `${flow.id}:${step.id}.label`;
        for (const lang of ['zh-CN', 'en'] as const) if (!c.translator.has(lang, key)) missing.push(`${lang} ${flow.id}.${step.id} (${key})`);
      }
    }
    expect(missing).toEqual([]);
    expect(c.translator.t('en', 'registration:summary.label')).toBe('Review and confirm');
  });
});
