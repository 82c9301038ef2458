/**
 * Flow versioning with small inline flows: a conversation keeps its version while it is loaded, and is migrated
 * (answers kept by field id) when it is not — never with an exception.
 */
import { describe, expect, it } from 'vitest';
import { FlowRegistry, parseFlow } from '../../src/engine/index.ts';
import type { Effect } from '../../src/engine/types.ts';
import { createTranslator } from '../../src/templates/translator.ts';
import { ask, Chat as BaseChat, COMMON as common, flowYaml as flow } from './inline.ts';

const questions = (lang: 'zh' | 'en') =>
  Object.fromEntries(
    ['a', 'b', 'c', 'e', 'x', 'd', 'q1', 'q2', 'i1', 'i2'].map((q) => [q, { prompt: lang === 'zh' ? `问题${q.toUpperCase()}` : `Question ${q.toUpperCase()}`, label: q.toUpperCase() }]),
  );

const resources = {
  'zh-CN': {
    common,
    inputs: { text: { tooShort: '太短了' } },
    form: { title: '表单', ...questions('zh'), done: { text: '表单完成' } },
    outer: { title: '外层', ...questions('zh'), done: { text: '外层完成' } },
    inner: { title: '内层', ...questions('zh') },
    menu: { title: '菜单', pick: { prompt: '请选择事项', label: '事项', options: { form: '表单' } } },
  },
  en: {
    common: { ...common, languageSet: 'Switched to English.', flowUpdated: 'This process has been updated.', flowGone: 'No longer available.' },
    form: { title: 'Form', ...questions('en'), done: { text: 'Form done' } },
    menu: { title: 'Menu', pick: { prompt: 'Choose', label: 'Choice', options: { form: 'Form' } } },
  },
};
const translator = createTranslator(resources, 'zh-CN');

// form v1: a → b → c → e → done; v2 drops c and e, adds x (before b) and d (after b).
const FORM_V1 = parseFlow(flow('form', 1, [ask('a', 'b'), ask('b', 'c'), ask('c', 'e'), ask('e', 'done'), '  - { id: done, kind: end }'], ['表单']), 'form.v1.yaml');
const FORM_V2 = parseFlow(flow('form', 2, [ask('a', 'x'), ask('x', 'b'), ask('b', 'd'), ask('d', 'done'), '  - { id: done, kind: end }'], ['表单']), 'form.yaml');
const MENU = parseFlow(
  flow('menu', 1, ['  - id: pick', '    kind: ask', '    input: { type: choice, options: [{ value: form }] }', '    next: go', '  - { id: go, kind: end, startFlow: form }']),
  'menu.yaml',
);

class Chat extends BaseChat {
  constructor(flows: FlowRegistry) {
    super(flows, translator);
  }
}

function migrated(effects: Effect[]) {
  return effects.find((e) => e.type === 'flowMigrated');
}

describe('a conversation keeps its flow version while that version is loaded', () => {
  it('started on v1, it goes on with v1 after v2 is loaded alongside', () => {
    const chat = new Chat(new FlowRegistry([FORM_V1, MENU]));
    expect(chat.say('表单')).toBe('问题A');
    expect(chat.say('甲')).toBe('问题B');
    chat.flows = new FlowRegistry([FORM_V1, FORM_V2, MENU]);
    expect(chat.say('乙')).toBe('问题C'); // v1's next step; v2 would ask D
    expect(chat.state).toMatchObject({ flowVersion: 1, stepId: 'c', answers: { a: '甲', b: '乙' } });
    expect(migrated(chat.last.effects)).toBeUndefined();
  });

  it('a conversation started after the deploy uses the newest version', () => {
    const chat = new Chat(new FlowRegistry([FORM_V1, FORM_V2, MENU]));
    expect(chat.say('表单')).toBe('问题A');
    expect(chat.say('甲')).toBe('问题X');
    expect(chat.state.flowVersion).toBe(2);
  });
});

/** A conversation on v1 waiting at `stepId` with answers for the steps before it. */
function onV1At(stepId: 'b' | 'c' | 'e'): Chat {
  const chat = new Chat(new FlowRegistry([FORM_V1, MENU]));
  chat.send('表单');
  for (const [answer, step] of [['甲', 'a'], ['乙', 'b'], ['丙', 'c']] as const) {
    if (chat.state.stepId === stepId) break;
    expect(chat.state.stepId).toBe(step);
    chat.send(answer);
  }
  expect(chat.state).toMatchObject({ flowVersion: 1, stepId });
  return chat;
}

describe('when the conversation’s version is no longer loaded', () => {
  it('and the current step still exists in v2: answers are kept by field id and the turn proceeds on v2', () => {
    const chat = onV1At('b');
    chat.flows = new FlowRegistry([FORM_V2, MENU]);
    const reply = chat.say('乙');
    expect(reply).toBe('问题D'); // v2's next step after b
    expect(reply).not.toContain('办理流程已更新');
    expect(chat.state).toMatchObject({ flowId: 'form', flowVersion: 2, stepId: 'd', answers: { a: '甲', b: '乙' } });
    expect(migrated(chat.last.effects)).toEqual({ type: 'flowMigrated', flowId: 'form', from: 1, to: 2, restarted: false });
  });

  it('and the current step is gone: says the flow was updated and asks the first unanswered question', () => {
    const chat = onV1At('c');
    chat.flows = new FlowRegistry([FORM_V2, MENU]);
    const reply = chat.say('丙');
    expect(reply).toBe('办理流程已更新\n问题X');
    expect(chat.state).toMatchObject({ flowVersion: 2, stepId: 'x', answers: { a: '甲', b: '乙' } });
    expect(migrated(chat.last.effects)).toEqual({ type: 'flowMigrated', flowId: 'form', from: 1, to: 2, restarted: true });
    // It goes on in v2's order from there: after x comes b (asked again although its answer was kept).
    expect(chat.say('叉')).toBe('问题B');
  });

  it('drops answers to fields the new version does not have, keeps the others', () => {
    const chat = onV1At('e'); // answers a, b, c
    expect(chat.state.answers).toEqual({ a: '甲', b: '乙', c: '丙' });
    chat.flows = new FlowRegistry([FORM_V2, MENU]);
    chat.send('戊');
    expect(chat.state.answers).toEqual({ a: '甲', b: '乙' });
    expect(chat.state.history.every((h) => FORM_V2.stepsById.has(h.stepId))).toBe(true);
  });

  it('keeps answers whose field id is the same even when the step id changed', () => {
    const renamed = parseFlow(flow('form', 3, [ask('first', 'second', 'a'), ask('second', 'done', 'b'), '  - { id: done, kind: end }'], ['表单']), 'form.v3.yaml');
    const chat = onV1At('c');
    chat.flows = new FlowRegistry([renamed, MENU]);
    const reply = chat.say('丙');
    expect(reply).toContain('办理流程已更新');
    expect(chat.state.answers).toEqual({ a: '甲', b: '乙' });
    // Everything v3 asks is answered: it starts at its start step rather than failing.
    expect(chat.state.stepId).toBe('first');
  });

  it('and the whole flow is gone: shows the menu with a notice, never throws', () => {
    const chat = onV1At('b');
    chat.flows = new FlowRegistry([MENU]);
    const result = chat.send('乙');
    const reply = result.outbound.map((m) => m.text).join('\n');
    expect(reply).toBe('您之前办理的事项已下线\n请选择事项');
    expect(result.outbound.at(-1)?.choices?.map((c) => c.label)).toEqual(['表单']);
    expect(chat.state).toMatchObject({ flowId: 'menu', answers: {} });
  });

  it('and the whole flow is gone with no menu loaded: the notice and the idle help, never throws', () => {
    const other = parseFlow(flow('other', 1, [ask('a')]), 'other.yaml');
    const chat = onV1At('b');
    chat.flows = new FlowRegistry([other]);
    expect(() => chat.send('乙')).not.toThrow();
    expect(chat.last.outbound.map((m) => m.text)).toEqual(['您之前办理的事项已下线', '空闲帮助']);
    expect(chat.state.flowId).toBeNull();
  });

  it.each(['帮助', '返回', '取消', '菜单', '重新开始'])('a command (%j) on a migrated conversation does not throw', (command) => {
    const chat = onV1At('c');
    chat.flows = new FlowRegistry([FORM_V2, MENU]);
    expect(() => chat.send(command)).not.toThrow();
    expect(chat.last.outbound.length).toBeGreaterThan(0);
  });

  it('regression: a language switch on a conversation whose flow version is no longer loaded throws instead of migrating', () => {
    const chat = onV1At('b');
    chat.flows = new FlowRegistry([FORM_V2, MENU]);
    expect(() => chat.send('English')).not.toThrow();
    expect(chat.state.locale).toBe('en');
    expect(chat.say('B')).toBe('Question D');
  });

  it('a parked flow whose version is gone resumes on the new version without throwing', () => {
    const chat = onV1At('b');
    chat.send('菜单'); // parks form v1 at b
    expect(chat.state).toMatchObject({ flowId: 'menu', parked: { flowId: 'form', flowVersion: 1, stepId: 'b' } });
    chat.flows = new FlowRegistry([FORM_V2, MENU]);
    const reply = chat.say('取消');
    expect(reply).toContain('继续办理「表单」');
    expect(reply).toContain('问题B');
    expect(chat.state).toMatchObject({ flowId: 'form', flowVersion: 2, stepId: 'b', answers: { a: '甲' } });
  });
});

describe('versions and sub-flows', () => {
  // outer: q1 → (inner) → q2 → done; inner: i1 → i2.
  const OUTER_V1 = parseFlow(
    flow('outer', 1, [ask('q1', 'sub'), '  - { id: sub, kind: subflow, flow: inner, next: q2 }', ask('q2', 'done'), '  - { id: done, kind: end }'], ['外层']),
    'outer.v1.yaml',
  );
  const OUTER_V2 = parseFlow(
    flow('outer', 2, [ask('q1', 'sub'), '  - { id: sub, kind: subflow, flow: inner, next: q2 }', ask('q2', 'done'), '  - { id: done, kind: end }'], ['外层']),
    'outer.yaml',
  );
  const INNER_V1 = parseFlow(flow('inner', 1, [ask('i1', 'i2'), ask('i2')]), 'inner.v1.yaml');
  const INNER_V2 = parseFlow(flow('inner', 2, [ask('i1', 'i2'), ask('i2')]), 'inner.yaml');

  function inInner(): Chat {
    const chat = new Chat(new FlowRegistry([OUTER_V1, INNER_V1]));
    expect(chat.say('外层')).toBe('问题Q1');
    expect(chat.say('一')).toBe('问题I1');
    expect(chat.say('二')).toBe('问题I2');
    expect(chat.state).toMatchObject({ flowId: 'inner', stepId: 'i2', stack: [{ flowId: 'outer', flowVersion: 1, returnTo: 'sub' }] });
    return chat;
  }

  it('without a deploy the sub-flow returns to the caller', () => {
    const chat = inInner();
    expect(chat.say('三')).toBe('问题Q2');
    expect(chat.state.answers).toEqual({ q1: '一', inner: { i1: '二', i2: '三' } });
  });

  it('regression: migrating a conversation inside a sub-flow drops the caller (the call stack is cleared)', () => {
    const chat = inInner();
    chat.flows = new FlowRegistry([OUTER_V1, INNER_V2]); // only the callee changed version
    const reply = chat.say('三');
    expect(reply).toBe('问题Q2');
    expect(chat.state).toMatchObject({ flowId: 'outer', stepId: 'q2', answers: { q1: '一', inner: { i1: '二', i2: '三' } } });
  });

  it('regression: returning from a sub-flow to a caller whose version is gone throws', () => {
    const chat = inInner();
    chat.flows = new FlowRegistry([OUTER_V2, INNER_V1]); // only the caller changed version
    expect(() => chat.send('三')).not.toThrow();
    expect(chat.state).toMatchObject({ flowId: 'outer', flowVersion: 2, stepId: 'q2' });
  });
});
