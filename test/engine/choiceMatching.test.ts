/**
 * Every choice of every loaded flow, in both languages: each option is selected by its number, its label, its
 * label without a status note, each synonym and its id, and nothing else selects it. A synonym that picks the
 * wrong option, or a label nobody can type, fails here.
 */
import { describe, expect, it } from 'vitest';
import type { AskStep, Flow } from '../../src/engine/flow/schema.ts';
import { inputHandler } from '../../src/engine/inputs/index.ts';
import { optionLabelKey, undecorated } from '../../src/engine/inputs/choice.ts';
import type { InputContext, InputOutcome } from '../../src/engine/inputs/types.ts';
import { content } from '../support/engineHarness.ts';

const LOCALES = ['zh-CN', 'en'];

function ctx(flow: Flow, step: AskStep, locale: string, vars: Record<string, unknown> = {}): InputContext {
  return {
    flow,
    step,
    locale,
    translator: content().translator,
    today: '2026-03-01',
    data: { regions: content().regions },
    capabilities: { images: true },
    pending: null,
    vars,
    answers: {},
  };
}

function parse(c: InputContext, text: string): InputOutcome {
  return inputHandler(c.step.input).parse(c.step.input, { type: 'text', text }, c);
}

const accepted = (o: InputOutcome) => (o.kind === 'accept' ? o.value : `rejected (${o.kind === 'reject' ? o.reason : o.kind})`);

/** [flow, step, locale, option value, what the user types] for every way of naming every fixed option. */
function cases(): [string, string, string, string, string][] {
  const rows: [string, string, string, string, string][] = [];
  const seen = new Set<string>();
  for (const flow of content().flows.all()) {
    for (const step of flow.steps) {
      if (step.kind !== 'ask' || step.input.type !== 'choice' || step.input.optionsFrom || step.input.multi) continue;
      for (const locale of LOCALES) {
        const c = ctx(flow, step, locale);
        step.input.options.forEach((o, i) => {
          const label = c.translator.t(locale, optionLabelKey(c, o));
          for (const typed of new Set([String(i + 1), label, undecorated(label), o.value, ...o.synonyms])) {
            const key = `${flow.id}@${flow.version}/${step.id}/${locale}/${typed}`;
            if (seen.has(key)) continue;
            seen.add(key);
            rows.push([`${flow.id}@${flow.version}`, step.id, locale, o.value, typed]);
          }
        });
      }
    }
  }
  return rows;
}

function stepOf(flowKey: string, stepId: string): { flow: Flow; step: AskStep } {
  const [id, version] = flowKey.split('@');
  const flow = content().flows.version(id!, Number(version))!;
  const step = flow.stepsById.get(stepId);
  if (!step || step.kind !== 'ask') throw new Error(`${flowKey} has no ask step ${stepId}`);
  return { flow, step };
}

describe('choices match what people type', () => {
  const rows = cases();
  it('covers the choices of every flow', () => {
    expect(new Set(rows.map((r) => r[0].split('@')[0])).size).toBeGreaterThanOrEqual(4);
  });

  it.each(rows)('%s %s (%s): %j is selected by %j', (flowKey, stepId, locale, value, typed) => {
    const { flow, step } = stepOf(flowKey, stepId);
    expect(accepted(parse(ctx(flow, step, locale), typed))).toBe(value);
  });

  it('regression: 手机 at 我的信息 was refused (the label is 手机号)', () => {
    const { flow, step } = stepOf(`profile@${content().flows.current('profile').version}`, 'pick');
    expect(accepted(parse(ctx(flow, step, 'zh-CN'), '手机'))).toBe('mobile');
  });

  it('regression: 个人申报 at 申报方式 was refused', () => {
    const { flow, step } = stepOf(`declaration@${content().flows.current('declaration').version}`, 'wayIn');
    expect(accepted(parse(ctx(flow, step, 'zh-CN'), '个人申报'))).toBe('self');
    expect(accepted(parse(ctx(flow, step, 'zh-CN'), '推荐申报'))).toBe('recommended');
  });

  it('regression: "below" at the English size question was refused', () => {
    const { flow, step } = stepOf(`declaration@${content().flows.current('declaration').version}`, 'orgSizeClass');
    expect(accepted(parse(ctx(flow, step, 'en'), 'below'))).toBe('belowDesignatedSize');
    expect(accepted(parse(ctx(flow, step, 'en'), 'above'))).toBe('aboveDesignatedSize');
  });

  it('an ambiguous or one-character prefix selects nothing', () => {
    const { flow, step } = stepOf(`menu@${content().flows.current('menu').version}`, 'pick');
    expect(accepted(parse(ctx(flow, step, 'zh-CN'), '我的'))).toMatch(/^rejected/); // 我的信息 or 我的证书
    const size = stepOf(`declaration@${content().flows.current('declaration').version}`, 'orgSizeClass');
    expect(accepted(parse(ctx(size.flow, size.step, 'en'), 'b'))).toMatch(/^rejected/);
  });
});

describe('computed options (the levels a worker may declare)', () => {
  const levels = {
    levels: {
      ok: true,
      value: {
        options: [
          { value: 'junior', name: '初级', label: '初级（可申报）' },
          { value: 'intermediate', name: '中级', label: '中级（暂不符合）' },
          { value: 'senior', label: '高级（暂不符合）' },
        ],
      },
    },
  };
  const at = (locale = 'zh-CN') => {
    const { flow, step } = stepOf(`declaration@${content().flows.current('declaration').version}`, 'level');
    return ctx(flow, step, locale, levels);
  };

  it('regression: typing 中级 at 请选择要申报的等级 was refused because the label is "中级（暂不符合）"', () => {
    expect(accepted(parse(at(), '中级'))).toBe('intermediate');
    expect(accepted(parse(at(), '高级'))).toBe('senior'); // no name given: the label without its note
    expect(accepted(parse(at(), '中级（暂不符合）'))).toBe('intermediate');
    expect(accepted(parse(at(), '2'))).toBe('intermediate');
  });

  it('regression: the summary showed the decorated label "中级（可申报）" instead of the level', () => {
    const c = at();
    expect(inputHandler(c.step.input).format(c.step.input, 'intermediate', c)).toBe('中级');
    expect(inputHandler(c.step.input).format(c.step.input, 'senior', c)).toBe('高级');
  });

  it('a record id is matched whole, never by its start', () => {
    const c = at();
    const byId = { apps: { ok: true, value: { options: [{ value: 'ab12cd', label: '初级（资格审查）' }] } } };
    const { flow, step } = stepOf(`withdraw@${content().flows.current('withdraw').version}`, 'pick');
    expect(accepted(parse(ctx(flow, step, 'zh-CN', byId), 'ab'))).toMatch(/^rejected/);
    expect(accepted(parse(ctx(flow, step, 'zh-CN', byId), 'ab12cd'))).toBe('ab12cd');
    expect(c.locale).toBe('zh-CN');
  });
});

describe('undecorated', () => {
  it.each([
    ['中级（可申报）', '中级'],
    ['Junior (eligible)', 'Junior'],
    ['县（区）级', '县（区）级'],
    ['（无）', '（无）'],
  ])('%j → %j', (label, plain) => {
    expect(undecorated(label)).toBe(plain);
  });
});
