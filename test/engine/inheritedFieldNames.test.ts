/**
 * Regression: answers are a plain object keyed by field ids, which flow files choose; a field named `constructor`
 * that was never asked still "had" an answer (Object's constructor): the summary listed it with the function's
 * source as the value, and a migration to a new flow version skipped the question as answered.
 */
import { describe, expect, it } from 'vitest';
import { FlowRegistry, parseFlow } from '../../src/engine/index.ts';
import { createTranslator } from '../../src/templates/translator.ts';
import { Chat, COMMON as common, flowYaml } from './inline.ts';

const FIELDS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'];

const resources = {
  'zh-CN': {
    common: { ...common, summaryTitle: '请核对：', summarySeparator: '：', summaryHint: '回复“确认”提交', summaryBadNumber: '请回复 1 到 {{count}} 之间的编号', summaryEditHow: '要修改第几项（1 到 {{count}}）？' },
    site: {
      title: '工地登记',
      kind: { prompt: '工程类别？', label: '类别', options: { build: '新建', other: '其他' } },
      ...Object.fromEntries(FIELDS.map((f) => [`ask_${f}`, { prompt: `请填写${f}`, label: `字段${f}` }])),
    },
  },
};

// Asks `kind`; only "build" goes on to the questions whose fields carry the inherited names.
const SITE = parseFlow(
  flowYaml('site', 1, [
    '  - id: kind',
    '    kind: ask',
    '    input: { type: choice, options: [{ value: build }, { value: other }] }',
    '    next: [{ when: { var: answers.kind, op: eq, value: build }, goto: ask_constructor }, { goto: s }]',
    ...FIELDS.map((f, i) => `  - { id: ask_${f}, kind: ask, field: ${f}, input: { type: text }, next: ${FIELDS[i + 1] ? `ask_${FIELDS[i + 1]}` : 's'} }`),
    `  - { id: s, kind: summary, fields: [kind, ${FIELDS.join(', ')}], next: done }`,
    '  - { id: done, kind: end }',
  ], ['工地']),
  'site.yaml',
);

describe('fields named like inherited properties (constructor, toString, ...)', () => {
  it('regression: the summary listed a never-asked field named "constructor" with Object\'s source, and counted it', () => {
    const chat = new Chat(new FlowRegistry([SITE]), createTranslator(resources, 'zh-CN'));
    chat.say('工地');
    const summary = chat.say('其他');
    expect(summary.split('\n').filter((l) => /^\d+\. /.test(l))).toEqual(['1. 类别：其他']);
    expect(summary).not.toContain('function');
    expect(chat.say('2')).toContain('请回复 1 到 1 之间的编号');
    expect(chat.say('修改')).toContain('要修改第几项（1 到 1）？');
  });

  it('answered, the same fields are listed with their answers', () => {
    const chat = new Chat(new FlowRegistry([SITE]), createTranslator(resources, 'zh-CN'));
    chat.say('工地');
    chat.say('新建');
    let summary = '';
    for (const f of FIELDS) summary = chat.say(`${f}的值`);
    expect(summary.split('\n').filter((l) => /^\d+\. /.test(l))).toEqual(['1. 类别：新建', ...FIELDS.map((f, i) => `${i + 2}. 字段${f}：${f}的值`)]);
  });

  it('regression: a migration to a new version skipped the question filling "constructor" as answered', () => {
    const v1 = parseFlow(flowYaml('form', 1, ['  - { id: a, kind: ask, input: { type: text }, next: b }', '  - { id: b, kind: ask, input: { type: text }, next: done }', '  - { id: done, kind: end }'], ['表单']), 'form.v1.yaml');
    // Version 2 drops the step the conversation waits at and opens with a question filling `constructor`.
    const v2 = parseFlow(
      flowYaml('form', 2, ['  - { id: c, kind: ask, field: constructor, input: { type: text }, next: a }', '  - { id: a, kind: ask, input: { type: text }, next: d }', '  - { id: d, kind: ask, input: { type: text }, next: done }', '  - { id: done, kind: end }'], ['表单']),
      'form.yaml',
    );
    const form = { title: '表单', a: { prompt: '问题A' }, b: { prompt: '问题B' }, c: { prompt: '问题C' }, d: { prompt: '问题D' } };
    const chat = new Chat(new FlowRegistry([v1]), createTranslator({ 'zh-CN': { common, form } }, 'zh-CN'));
    chat.say('表单');
    expect(chat.say('甲')).toContain('问题B');
    chat.flows = new FlowRegistry([v2]);
    const migrated = chat.say('乙');
    expect(migrated).toContain(common.flowUpdated);
    expect(migrated).toContain('问题C');
    expect(chat.state.stepId).toBe('c');
  });
});
