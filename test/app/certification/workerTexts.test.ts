/**
 * What the worker reads about eligibility, status and notices, in both languages: punctuation of the language,
 * no brackets inside brackets, the 待核 marker the note speaks of, the real next stage, a failed score said.
 */
import { describe, expect, it } from 'vitest';
import { applicationStatus } from '../../../src/app/certification/applicationStatus.ts';
import type { CertificationDeps } from '../../../src/app/certification/deps.ts';
import { describeEligibility } from '../../../src/app/certification/describeEligibility.ts';
import { notifyWorker } from '../../../src/app/certification/notifyWorker.ts';
import { createMemoryWorkerRepository } from '../../support/memoryWorkerRepository.ts';
import { applyAction, newApplication } from '../../../src/domain/certification/pipeline.ts';
import type { Application } from '../../../src/domain/certification/types.ts';
import type { LevelEligibility } from '../../../src/domain/eligibility/eligibility.ts';
import type { Policy } from '../../../src/domain/policy/schema.ts';
import type { OutboundMessage } from '../../../src/engine/types.ts';
import { content } from '../../support/engineHarness.ts';

const policy = (id: string): Policy => content().policies.get(id)!;
const t = () => content().translator;

const RESULTS: LevelEligibility[] = [
  {
    level: 'junior',
    held: false,
    eligible: true,
    conditions: [
      { condition: 'fullMember', status: 'met', required: true, actual: true },
      { condition: 'examPassed', status: 'pending', required: true, actual: null },
      { condition: 'orgSizeClass', status: 'pending', required: 'aboveDesignatedSize', actual: null },
    ],
  },
  {
    level: 'intermediate',
    held: false,
    eligible: false,
    conditions: [
      { condition: 'minYearsInPartyWork', status: 'unmet', required: 3, actual: 2.5, gap: 0.5 },
      { condition: 'commendationLevel', status: 'unmet', required: 'county', actual: 'none' },
    ],
  },
];

/** Whether a bracket opens inside another one: "（需通过初级培训测试（在…进行））". */
function nested(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '（' || ch === '(') if (++depth > 1) return true;
    if (ch === '）' || ch === ')') depth = Math.max(0, depth - 1);
  }
  return false;
}

describe('eligibility text', () => {
  it('regression: English eligibility text used Chinese punctuation ("Junior（Pass …）", "Intermediate：2.5 years", "to go；")', () => {
    const text = describeEligibility(t(), 'en', policy('jiangsu'), RESULTS);
    expect(text).not.toMatch(/[（）：；、]/u);
    expect(text).toContain('· Intermediate: 2.5 years');
  });

  it('regression: pending conditions were shown in nested brackets ("（需通过初级培训测试（在…进行））")', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const text = describeEligibility(t(), locale, policy('jiangsu'), RESULTS);
      for (const line of text.split('\n')) expect(nested(line), line).toBe(false);
    }
  });

  it('regression: the note spoke of conditions marked "待核" but no condition was marked', () => {
    const text = describeEligibility(t(), 'zh-CN', policy('jiangsu'), RESULTS);
    expect(text).toContain('标有“待核”');
    expect(text).toMatch(/\n {2}待核：需通过初级培训测试/u);
    const en = describeEligibility(t(), 'en', policy('jiangsu'), RESULTS);
    expect(en).toContain('marked "To be checked"');
    expect(en).toContain('  To be checked: Pass the Junior training test');
  });

  it('regression: English read "Commendations at no level"', () => {
    const text = describeEligibility(t(), 'en', policy('jiangsu'), RESULTS);
    expect(text).not.toContain('at no level');
    expect(text).toContain('Highest commendation: none');
  });
});

function submitted(p: Policy): Application {
  const actor = { kind: 'worker' as const, id: 'w1' };
  return newApplication({ id: 'app1', workerId: 'w1', channel: 'sim', userId: 'u1', policy: p, regionCode: p.regionCode, level: 'junior', wayIn: 'self', declared: {}, evidence: [], actor, now: new Date('2026-03-01T02:00:00Z') });
}

function statusDeps(app: Application): CertificationDeps {
  return {
    workers: { findByAccount: async () => ({ id: 'w1', registeredAt: new Date('2026-02-01T02:00:00Z') }) },
    applications: { listByWorker: async () => [app] },
    policies: content().policies,
    translator: t(),
  } as unknown as CertificationDeps;
}

describe('status and notices', () => {
  it("regression: Pinghu's to-do said 等待资格审查 though its next stage is 学习培训", async () => {
    const app = submitted(policy('pinghu'));
    const result = (await applicationStatus(statusDeps(app))({}, { channel: 'sim', userId: 'u1', locale: 'zh-CN', now: new Date('2026-03-02T02:00:00Z') })) as { text: string };
    expect(result.text).toContain('需要您做：');
    expect(result.text).toContain('学习培训');
    expect(result.text).not.toContain('资格审查');
  });

  it('regression: English status lines joined action and detail with a Chinese colon', async () => {
    const app = submitted(policy('pinghu'));
    const result = (await applicationStatus(statusDeps(app))({}, { channel: 'sim', userId: 'u1', locale: 'en', now: new Date('2026-03-02T02:00:00Z') })) as { text: string };
    expect(result.text).not.toMatch(/[（）：；、]/u);
  });

  it('regression: a score below the pass mark was recorded without saying it fails', async () => {
    const p = policy('jiangsu');
    let app = submitted(p);
    const admin = { kind: 'admin' as const, id: 'a1', name: '张' };
    for (const stage of ['qualificationReview', 'trainingTest']) {
      const r = applyAction(app, p, { type: 'advance' }, admin, new Date('2026-03-05T02:00:00Z'));
      if (!r.ok) throw new Error(`${stage}: ${r.error.message}`);
      app = r.app;
    }
    const sent: OutboundMessage[][] = [];
    const deps = { sender: { send: async (_c: string, _u: string, m: OutboundMessage[]) => (sent.push(m), { ok: true as const }) }, translator: t(), logger: { warn: () => {} }, workers: createMemoryWorkerRepository() } as unknown as Parameters<typeof notifyWorker>[0];
    for (const score of [45, 80]) {
      const r = applyAction(app, p, { type: 'recordScore', score }, admin, new Date('2026-03-20T02:00:00Z'));
      if (!r.ok) throw new Error(r.error.message);
      await notifyWorker(deps, r.app, p, r.app.history.at(-1)!);
    }
    expect(sent[0]![0]!.text).toContain(`未达到 ${p.pipeline.testPassMark} 分的及格线`);
    expect(sent[1]![0]!.text).not.toContain('未达到');
  });
});

describe('English phrasing', () => {
  it.each([
    ['registration:role.prompt', 'Your party post?'],
    ['declaration:wayIn.label', 'Way in'],
  ])('regression: %s read oddly (%j)', (key, odd) => {
    expect(t().t('en', key)).not.toBe(odd);
  });
});
