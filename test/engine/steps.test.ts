/**
 * Step kinds with small inline flows: branch conditions, actions, sub-flows, say, goto, end, a goto cycle, and the
 * promise that runTurn never mutates the state it is given.
 */
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/engine/flow/schema.ts';
import { FlowRegistry, parseFlow, runTurn } from '../../src/engine/index.ts';
import type { AnswerValue, ConversationState, Inbound } from '../../src/engine/types.ts';
import { EngineHarness } from '../support/engineHarness.ts';
import { ask, Chat, COMMON, flowYaml, inlineCtx, inlineTranslator } from './inline.ts';
import { REGISTRATION_ANSWERS } from './registrationPoints.ts';

const translator = inlineTranslator({
  'zh-CN': {
    common: COMMON,
    inputs: { text: { tooShort: '太短了' } },
    cond: { title: '条件', q: { prompt: '问题Q', label: 'Q' }, yes: { text: 'YES' }, no: { text: 'NO' }, wait: { prompt: '等待', label: 'W' } },
    act: {
      title: '动作',
      name: { prompt: '姓名？', label: '姓名' },
      shown: { text: '结果 {{vars.res.value.count}}' },
      failed: { text: '失败：{{vars.res.error}}' },
      tail: { prompt: '最后一题', label: 'T' },
      plain: { text: '已保存 {{vars.save.value}}' },
    },
    outer: {
      title: '外层',
      q1: { prompt: '问题Q1', label: 'Q1' },
      after: { text: '子流程返回：{{raw.inner.i1}}/{{raw.inner.i2}}' },
      q2: { prompt: '问题Q2', label: 'Q2' },
      yes: { text: 'VARS KEPT' },
      no: { text: 'VARS LOST' },
      done: { text: '外层完成' },
    },
    inner: { title: '内层', i1: { prompt: '问题I1', label: 'I1' }, i2: { prompt: '问题I2', label: 'I2' } },
    talk: {
      title: '说话',
      hello: { text: '你好，{{raw.name}}' },
      second: { text: '第二句' },
      name: { prompt: '名字？', label: '名字' },
      skipped: { prompt: '不该问到', label: 'S' },
      last: { prompt: '最后', label: 'L' },
      bye: { text: '再见' },
    },
    next: { title: '下一个', first: { prompt: '下一个流程的第一题', label: 'F' } },
    loop: { title: '循环', q: { prompt: '循环前', label: 'Q' }, a: { text: '绕圈' } },
  },
});

// ---- branch -----------------------------------------------------------------------------------------------------

function condFlow(when: Condition): FlowRegistry {
  const yaml = flowYaml(
    'cond',
    1,
    [
      ask('q', 'check'),
      '  - id: check',
      '    kind: branch',
      `    branches: [{ when: ${JSON.stringify(when)}, goto: yes }]`,
      '    default: no',
      '  - { id: yes, kind: say, next: wait }',
      '  - { id: no, kind: say, next: wait }',
      ask('wait'),
    ],
    ['条件'],
  );
  return new FlowRegistry([parseFlow(yaml, 'cond.yaml')]);
}

const ANSWERS: Record<string, AnswerValue> = {
  n: 5,
  s: 'abc',
  d: '2020-01-01',
  tags: ['a', 'b'],
  id: { gender: 'male', birthDate: '1985-03-12' },
  nil: null,
  flag: true,
  zero: 0,
};
const VARS: Record<string, AnswerValue> = { r: { ok: true, value: { status: 'created', count: 3 } } };

/** Run the branch with preset answers and vars (plus answers.q = "x", the answer that reaches the branch). */
function branchTaken(when: Condition): 'YES' | 'NO' {
  const chat = new Chat(condFlow(when), translator);
  expect(chat.say('条件')).toBe('问题Q');
  chat.state = { ...chat.state, answers: { ...ANSWERS }, vars: structuredClone(VARS) };
  const out = chat.send('x').outbound.map((m) => m.text);
  expect(out[1]).toBe('等待');
  return out[0] as 'YES' | 'NO';
}

const c = (v: string, op: string | undefined, value?: unknown): Condition =>
  (op === undefined ? { var: v, value } : { var: v, op, ...(value === undefined ? {} : { value }) }) as Condition;

describe('branch conditions', () => {
  it.each<[string, Condition, 'YES' | 'NO']>([
    ['eq number', c('answers.n', 'eq', 5), 'YES'],
    ['eq is the default op', c('answers.n', undefined, 5), 'YES'],
    ['eq other number', c('answers.n', 'eq', 6), 'NO'],
    ['eq does not coerce "5"', c('answers.n', 'eq', '5'), 'NO'],
    ['eq string', c('answers.s', 'eq', 'abc'), 'YES'],
    ['eq the answer just given', c('answers.q', 'eq', 'x'), 'YES'],
    ['eq boolean', c('answers.flag', 'eq', true), 'YES'],
    ['eq zero', c('answers.zero', 'eq', 0), 'YES'],
    ['eq nested path', c('answers.id.gender', 'eq', 'male'), 'YES'],
    ['eq whole object', c('answers.id', 'eq', { gender: 'male', birthDate: '1985-03-12' }), 'YES'],
    ['eq on an array: contains', c('answers.tags', 'eq', 'b'), 'YES'],
    ['eq on an array: not contained', c('answers.tags', 'eq', 'z'), 'NO'],
    ['ne', c('answers.n', 'ne', 6), 'YES'],
    ['ne same', c('answers.n', 'ne', 5), 'NO'],
    ['ne on a missing answer', c('answers.nothing', 'ne', 5), 'YES'],
    ['in', c('answers.n', 'in', [1, 5, 9]), 'YES'],
    ['in, absent', c('answers.n', 'in', [1, 2]), 'NO'],
    ['in with a non-list value', c('answers.n', 'in', 5), 'NO'],
    ['in over strings', c('answers.s', 'in', ['x', 'abc']), 'YES'],
    ['gt', c('answers.n', 'gt', 4), 'YES'],
    ['gt equal', c('answers.n', 'gt', 5), 'NO'],
    ['gte equal', c('answers.n', 'gte', 5), 'YES'],
    ['gte above', c('answers.n', 'gte', 6), 'NO'],
    ['lt', c('answers.n', 'lt', 6), 'YES'],
    ['lt equal', c('answers.n', 'lt', 5), 'NO'],
    ['lte equal', c('answers.n', 'lte', 5), 'YES'],
    ['lte below', c('answers.n', 'lte', 4), 'NO'],
    ['gt on ISO dates', c('answers.d', 'gt', '2019-12-31'), 'YES'],
    ['lt on ISO dates', c('answers.d', 'lt', '2019-12-31'), 'NO'],
    ['gt across types is false', c('answers.s', 'gt', 1), 'NO'],
    ['lt on a missing answer is false', c('answers.nothing', 'lt', 100), 'NO'],
    ['exists', c('answers.n', 'exists'), 'YES'],
    ['exists for zero', c('answers.zero', 'exists'), 'YES'],
    ['exists for a missing answer', c('answers.nothing', 'exists'), 'NO'],
    ['exists for null', c('answers.nil', 'exists'), 'NO'],
    ['missing for null', c('answers.nil', 'missing'), 'YES'],
    ['missing for absent', c('answers.nothing', 'missing'), 'YES'],
    ['missing for present', c('answers.n', 'missing'), 'NO'],
    ['inherited properties are not read', c('answers.__proto__', 'exists'), 'NO'],
    ['vars: nested value', c('vars.r.value.status', 'eq', 'created'), 'YES'],
    ['vars: ok flag', c('vars.r.ok', 'eq', true), 'YES'],
    ['vars: gte', c('vars.r.value.count', 'gte', 3), 'YES'],
    ['vars: missing result', c('vars.other.value', 'exists'), 'NO'],
    ['context: channel', c('context.channel', 'eq', 'test'), 'YES'],
    ['context: locale', c('context.locale', 'eq', 'zh-CN'), 'YES'],
    ['context: today gte', c('context.today', 'gte', '2026-03-01'), 'YES'],
    ['context: today gt', c('context.today', 'gt', '2026-03-01'), 'NO'],
    ['context: images', c('context.images', 'eq', false), 'YES'],
    ['all true', { all: [c('answers.n', 'eq', 5), c('answers.s', 'eq', 'abc')] }, 'YES'],
    ['all with one false', { all: [c('answers.n', 'eq', 5), c('answers.s', 'eq', 'x')] }, 'NO'],
    ['any with one true', { any: [c('answers.n', 'eq', 1), c('answers.s', 'eq', 'abc')] }, 'YES'],
    ['any all false', { any: [c('answers.n', 'eq', 1), c('answers.s', 'eq', 'x')] }, 'NO'],
    ['not false', { not: c('answers.n', 'eq', 1) }, 'YES'],
    ['not true', { not: c('answers.n', 'eq', 5) }, 'NO'],
    [
      'nested all/any/not over answers, vars and context',
      { all: [{ any: [c('vars.r.ok', 'eq', false), c('context.channel', 'eq', 'test')] }, { not: c('answers.nil', 'exists') }] },
      'YES',
    ],
    ['nested, failing inner not', { all: [{ any: [c('answers.n', 'gt', 1)] }, { not: c('answers.flag', 'eq', true) }] }, 'NO'],
  ])('%s', (_name, when, expected) => {
    expect(branchTaken(when)).toBe(expected);
  });

  it('takes the first matching branch, and guarded `next` lists the first matching target', () => {
    const yaml = flowYaml(
      'cond',
      1,
      [
        '  - id: q',
        '    kind: ask',
        '    input: { type: integer }',
        '    next:',
        "      - { when: { var: answers.q, op: gt, value: 100 }, goto: no }",
        '      - { goto: check }',
        '  - id: check',
        '    kind: branch',
        '    branches:',
        '      - { when: { var: answers.q, op: gte, value: 10 }, goto: yes }',
        '      - { when: { var: answers.q, op: gte, value: 0 }, goto: no }',
        '    default: no',
        '  - { id: yes, kind: say, next: wait }',
        '  - { id: no, kind: say, next: wait }',
        ask('wait'),
      ],
      ['条件'],
    );
    const flows = new FlowRegistry([parseFlow(yaml, 'cond.yaml')]);
    const run = (n: string) => {
      const chat = new Chat(flows, translator);
      chat.send('条件');
      return chat.send(n).outbound[0]?.text;
    };
    expect(run('50')).toBe('YES'); // both branches match: the first wins
    expect(run('5')).toBe('NO');
    expect(run('500')).toBe('NO'); // the guarded next skipped the branch
  });
});

// ---- action -----------------------------------------------------------------------------------------------------

function actFlow(opts: { onError?: boolean; result?: boolean } = {}): FlowRegistry {
  const yaml = flowYaml(
    'act',
    1,
    [
      ask('name', 'call'),
      '  - id: call',
      '    kind: action',
      '    action: svc.lookup',
      "    args: { who: $answers.name, all: $answers, missing: $answers.nope, none: $vars.nothing.value, n: 7, flag: true, lit: 'plain text', list: [1, 2] }",
      ...(opts.result === false ? [] : ['    result: res']),
      '    next: shown',
      ...(opts.onError ? ['    onError: failed'] : []),
      '  - { id: shown, kind: say, next: tail }',
      '  - { id: failed, kind: say, next: tail }',
      ask('tail'),
    ],
    ['动作'],
  );
  return new FlowRegistry([parseFlow(yaml, 'act.yaml')]);
}

describe('action steps', () => {
  it('resolves $answers.x args (and whole $answers, missing paths as null), literals pass through', () => {
    const chat = new Chat(actFlow(), translator);
    expect(chat.say('动作')).toBe('姓名？');
    const result = chat.send('张三');
    expect(result.outbound).toEqual([]);
    expect(result.awaitingAction?.name).toBe('svc.lookup');
    expect(result.awaitingAction?.args).toEqual({
      who: '张三',
      all: { name: '张三' },
      missing: null,
      none: null,
      n: 7,
      flag: true,
      lit: 'plain text',
      list: [1, 2],
    });
    expect(chat.state.stepId).toBe('call');
  });

  it.each([
    [true, true],
    [false, false],
  ])('with onError %s the request says handlesErrors %s', (onError, handles) => {
    const chat = new Chat(actFlow({ onError }), translator);
    chat.send('动作');
    expect(chat.send('张三').awaitingAction?.handlesErrors).toBe(handles);
  });

  it('stores a successful result in vars.<result> as {ok, value} and goes on to next', () => {
    const chat = new Chat(actFlow({ onError: true }), translator);
    chat.send('动作');
    chat.send('张三');
    const result = chat.send({ type: 'actionResult', ok: true, value: { count: 3 } });
    expect(chat.state.vars.res).toEqual({ ok: true, value: { count: 3 } });
    expect(result.outbound.map((m) => m.text)).toEqual(['结果 3', '最后一题']);
    expect(result.awaitingAction).toBeNull();
  });

  it('without `result`, the outcome is stored under the step id', () => {
    const chat = new Chat(actFlow({ result: false }), translator);
    chat.send('动作');
    chat.send('张三');
    chat.send({ type: 'actionResult', ok: true, value: 'v' });
    expect(chat.state.vars.call).toEqual({ ok: true, value: 'v' });
    expect(chat.state.stepId).toBe('tail');
  });

  it('a failure goes to onError with {ok: false, value, error} in vars', () => {
    const chat = new Chat(actFlow({ onError: true }), translator);
    chat.send('动作');
    chat.send('张三');
    const result = chat.send({ type: 'actionResult', ok: false, value: null, error: 'boom' });
    expect(chat.state.vars.res).toEqual({ ok: false, value: null, error: 'boom' });
    expect(result.outbound.map((m) => m.text)).toEqual(['失败：boom', '最后一题']);
    expect(chat.state.stepId).toBe('tail');
  });

  it('a failure without onError says actionFailed and cancels the flow', () => {
    const chat = new Chat(actFlow(), translator);
    chat.send('动作');
    chat.send('张三');
    const result = chat.send({ type: 'actionResult', ok: false, value: null, error: 'boom' });
    expect(result.outbound.map((m) => m.text)).toEqual(['系统出错', '已取消']);
    expect(result.effects).toContainEqual({ type: 'flowCancelled', flowId: 'act' });
    expect(chat.state).toMatchObject({ flowId: null, stepId: null, answers: {}, vars: {} });
  });

  it('an action result when the conversation is not at an action step is refused with a clear error', () => {
    const chat = new Chat(actFlow(), translator);
    chat.send('动作');
    expect(() => chat.send({ type: 'actionResult', ok: true, value: null })).toThrow(/not at an action step \(at act\/name\)/);
  });

  it('the real actions run through the harness: registration checks the profile first', async () => {
    const h = new EngineHarness();
    await h.send('注册');
    expect(h.state.vars.self).toEqual({ ok: true, value: { registered: false } });
  });
});

// ---- sub-flows --------------------------------------------------------------------------------------------------

const INNER = parseFlow(flowYaml('inner', 1, [ask('i1', 'i2'), ask('i2')]), 'inner.yaml');

function outerFlow(steps: string[]): FlowRegistry {
  return new FlowRegistry([parseFlow(flowYaml('outer', 1, steps, ['外层']), 'outer.yaml'), INNER]);
}

describe('subflow steps', () => {
  it('the callee’s answers appear under its id; the caller continues at the subflow step’s next', () => {
    const chat = new Chat(
      outerFlow([ask('q1', 'sub'), '  - { id: sub, kind: subflow, flow: inner, next: after }', '  - { id: after, kind: say, next: q2 }', ask('q2')]),
      translator,
    );
    expect(chat.say('外层')).toBe('问题Q1');
    expect(chat.say('一')).toBe('问题I1');
    expect(chat.state).toMatchObject({ flowId: 'inner', answers: {}, stack: [{ flowId: 'outer', returnTo: 'sub', answers: { q1: '一' } }] });
    expect(chat.say('二')).toBe('问题I2');
    const result = chat.send('三');
    expect(result.outbound.map((m) => m.text)).toEqual(['子流程返回：二/三', '问题Q2']);
    expect(chat.state).toMatchObject({ flowId: 'outer', stepId: 'q2', stack: [], answers: { q1: '一', inner: { i1: '二', i2: '三' } } });
    expect(result.effects).toContainEqual({ type: 'flowCompleted', flowId: 'inner', answers: { i1: '二', i2: '三' } });
  });

  it('a subflow step without next ends the caller when the callee ends', () => {
    const chat = new Chat(outerFlow([ask('q1', 'sub'), '  - { id: sub, kind: subflow, flow: inner }']), translator);
    chat.send('外层');
    chat.send('一');
    chat.send('二');
    const result = chat.send('三');
    expect(result.effects.filter((e) => e.type === 'flowCompleted').map((e) => e.type === 'flowCompleted' && e.flowId)).toEqual(['inner', 'outer']);
    expect(result.effects).toContainEqual({ type: 'flowCompleted', flowId: 'outer', answers: { q1: '一', inner: { i1: '二', i2: '三' } } });
    expect(chat.state.flowId).toBeNull();
  });

  it('regression: vars set by the caller before a subflow call are lost when the subflow returns', () => {
    const chat = new Chat(
      outerFlow([
        '  - { id: pre, kind: action, action: svc.pre, result: pre, next: sub }',
        '  - { id: sub, kind: subflow, flow: inner, next: check }',
        '  - id: check',
        '    kind: branch',
        '    branches: [{ when: { var: vars.pre.value, op: eq, value: kept }, goto: yes }]',
        '    default: no',
        '  - { id: yes, kind: end }',
        '  - { id: no, kind: end }',
      ]),
      translator,
    );
    expect(chat.send('外层').awaitingAction).toMatchObject({ name: 'svc.pre' });
    expect(chat.say({ type: 'actionResult', ok: true, value: 'kept' })).toBe('问题I1');
    chat.send('二');
    expect(chat.say('三')).toBe('VARS KEPT');
  });
});

// ---- say, goto, end ---------------------------------------------------------------------------------------------

describe('say, goto and end steps', () => {
  const TALK = parseFlow(
    flowYaml(
      'talk',
      1,
      [
        ask('name', 'hello'),
        '  - { id: hello, kind: say, next: second }',
        '  - { id: second, kind: say, next: jump }',
        '  - { id: jump, kind: goto, target: last }',
        ask('skipped', 'last'),
        ask('last', 'bye'),
        '  - { id: bye, kind: end, startFlow: next }',
      ],
      ['说话'],
    ),
    'talk.yaml',
  );
  const NEXT = parseFlow(flowYaml('next', 1, [ask('first')]), 'next.yaml');
  const flows = new FlowRegistry([TALK, NEXT]);

  it('say renders its template with answers, in order, then goto jumps over a step', () => {
    const chat = new Chat(flows, translator);
    chat.send('说话');
    const out = chat.send('小明').outbound.map((m) => m.text);
    expect(out).toEqual(['你好，小明', '第二句', '最后']);
    expect(chat.state.stepId).toBe('last');
    expect(out).not.toContain('不该问到');
  });

  it('end shows its text and startFlow starts the next flow right away', () => {
    const chat = new Chat(flows, translator);
    chat.send('说话');
    chat.send('小明');
    const result = chat.send('好');
    expect(result.outbound.map((m) => m.text)).toEqual(['再见', '下一个流程的第一题']);
    expect(result.effects.map((e) => e.type)).toEqual(['flowCompleted', 'flowStarted']);
    expect(result.effects[1]).toEqual({ type: 'flowStarted', flowId: 'next' });
    expect(chat.state).toMatchObject({ flowId: 'next', stepId: 'first', answers: {} });
  });

  it('an end step without text and without a template says nothing', () => {
    const chat = new Chat(flows, translator);
    chat.send('说话');
    chat.send('小明');
    chat.send('好');
    const result = chat.send('结束');
    expect(result.outbound).toEqual([]);
    expect(result.effects).toEqual([{ type: 'flowCompleted', flowId: 'next', answers: { first: '结束' } }]);
    expect(chat.state.flowId).toBeNull();
  });
});

describe('a cycle without questions', () => {
  it.each([
    ['goto ↔ goto', ['  - { id: a, kind: goto, target: b }', '  - { id: b, kind: goto, target: a }']],
    ['branch → goto → branch', ['  - { id: a, kind: branch, branches: [{ when: { var: answers.q, op: exists }, goto: b }], default: b }', '  - { id: b, kind: goto, target: a }']],
    ['say → say', ['  - { id: a, kind: say, next: b }', "  - { id: b, kind: say, text: 'loop:a.text', next: a }"]],
  ])('%s fails loudly with a clear message instead of hanging', (_name, steps) => {
    const flows = new FlowRegistry([parseFlow(flowYaml('loop', 1, [ask('q', 'a'), ...steps], ['循环']), 'loop.yaml')]);
    const chat = new Chat(flows, translator);
    expect(chat.say('循环')).toBe('循环前');
    const started = Date.now();
    expect(() => chat.send('x')).toThrow(/flow `loop`: more than 200 steps in one turn without a question; check the goto\/branch cycle around step `[ab]`/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

// ---- purity -----------------------------------------------------------------------------------------------------

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe('runTurn never mutates the state passed in', () => {
  it('a whole registration with back, menu, edit, help, a rejection and the actions, on deep-frozen states', async () => {
    const h = new EngineHarness();
    const script: string[] = [
      '注册',
      ...REGISTRATION_ANSWERS.slice(0, 3).map(([, a]) => a),
      '返回',
      '保留',
      '帮助',
      'abc-not-yes',
      '是',
      '菜单',
      '取消',
      ...REGISTRATION_ANSWERS.slice(4).map(([, a]) => a),
      '3',
      '保留',
      'English',
      '中文',
      '确认',
    ];
    for (const text of script) {
      const frozen = deepFreeze(structuredClone(h.state));
      const before = JSON.stringify(frozen);
      h.state = frozen;
      await h.send(text); // a write to the frozen input would throw in strict mode
      expect(JSON.stringify(frozen)).toBe(before);
      expect(h.state).not.toBe(frozen);
    }
    expect(h.sent.at(-1)?.map((m) => m.text).join('\n')).toContain('注册成功！');
  });

  it('action pauses, action results, sub-flow calls and returns leave the input untouched', () => {
    const flows = outerFlow([
      '  - { id: pre, kind: action, action: svc.pre, result: pre, next: sub }',
      '  - { id: sub, kind: subflow, flow: inner, next: q2 }',
      ask('q2'),
    ]);
    const ctx = inlineCtx(translator);
    let state: ConversationState = { ...new Chat(flows, translator).state };
    const inbounds: Inbound[] = [
      { type: 'text', text: '外层' },
      { type: 'actionResult', ok: true, value: { deep: { list: [1, 2] } } },
      { type: 'text', text: '二' },
      { type: 'text', text: '返回' },
      { type: 'text', text: '三' },
      { type: 'text', text: '三' },
      { type: 'text', text: '四' },
    ];
    for (const inbound of inbounds) {
      const frozen = deepFreeze(structuredClone(state));
      const before = JSON.stringify(frozen);
      const result = runTurn(flows, frozen, inbound, ctx);
      expect(JSON.stringify(frozen)).toBe(before);
      state = result.state;
    }
    expect(state.flowId).toBeNull();
  });
});
