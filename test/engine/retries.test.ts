/**
 * After `maxRetries` failed answers in a row the bot stops re-prompting and offers 再试一次 / 帮助 / 取消.
 */
import { describe, expect, it } from 'vitest';
import { FlowRegistry, parseFlow } from '../../src/engine/index.ts';
import { content, EngineHarness } from '../support/engineHarness.ts';
import { choiceIds, choiceLabels, registrationAt, texts } from './registrationPoints.ts';

const STUCK = '看起来这一步遇到了困难。您可以再试一次、查看帮助，或取消本次办理。';
const STUCK_LABELS = ['再试一次', '帮助', '取消'];
const MOBILE_PROMPT = '请输入您的手机号码';
const MOBILE_FORMAT = '手机号格式不正确，请输入 11 位手机号（如 13812345678）。';

/** A one-question flow (a mobile number) with the given maxRetries (omitted: the default). */
function retryFlow(id: string, trigger: string, maxRetries?: number): string {
  return [
    'schema: 1',
    `id: ${id}`,
    'version: 1',
    `triggers: [${trigger}]`,
    ...(maxRetries === undefined ? [] : [`maxRetries: ${maxRetries}`]),
    'steps:',
    "  - { id: phone, kind: ask, prompt: 'registration:mobile.prompt', label: 'registration:mobile.label', input: { type: mobile }, next: done }",
    "  - { id: done, kind: end, text: 'registration:done.text' }",
  ].join('\n');
}

function inlineHarness(): EngineHarness {
  const flows = new FlowRegistry([
    parseFlow(retryFlow('once', 'retry1', 1), 'once.yaml'),
    parseFlow(retryFlow('twice', 'retry2', 2), 'twice.yaml'),
    parseFlow(retryFlow('deflt', 'retrydefault'), 'deflt.yaml'),
    parseFlow(retryFlow('five', 'retry5', 5), 'five.yaml'),
  ]);
  return new EngineHarness(undefined, { ...content(), flows });
}

describe('the stuck offer comes after maxRetries failures', () => {
  it.each([
    ['retry1', 1],
    ['retry2', 2],
    ['retrydefault', 3],
    ['retry5', 5],
  ])('flow started by %j (maxRetries %d)', async (trigger, n) => {
    const h = inlineHarness();
    expect(await h.say(trigger)).toContain(MOBILE_PROMPT);
    for (let i = 1; i < n; i++) {
      const out = await h.send('abc');
      expect(texts(out)).toBe(MOBILE_FORMAT);
      expect(texts(out)).not.toContain(STUCK);
      expect(h.state).toMatchObject({ retries: i, pending: null });
    }
    const out = await h.send('abc');
    expect(texts(out)).toBe(`${MOBILE_FORMAT}\n${STUCK}`);
    expect(choiceLabels(out)).toEqual(STUCK_LABELS);
    expect(choiceIds(out)).toEqual(['__retry', '__help', '__cancel']);
    expectStuck(h);
  });

  it('the shipped registration flow (maxRetries 3): each failure gives its own specific message first', async () => {
    const h = await registrationAt('mobile');
    expect(await h.say('abc')).toBe(MOBILE_FORMAT);
    expect(await h.say('123')).toBe('手机号应为 11 位数字，例如 13812345678，请检查位数。');
    const third = await h.say('12812345678');
    expect(third).toBe(`手机号应以 13–19 开头，例如 13812345678，请检查号码。\n${STUCK}`);
  });

  it('a valid answer resets the count for the next question', async () => {
    const h = await registrationAt('mobile');
    await h.send('abc');
    await h.send('abc');
    await h.send('13812345678');
    expect(h.state).toMatchObject({ stepId: 'idNumber', retries: 0 });
    expect(await h.say('123')).not.toContain(STUCK);
    expect(await h.say('123')).not.toContain(STUCK);
    expect(await h.say('123')).toContain(STUCK);
  });

  it('at a choice question the stuck offer replaces the options', async () => {
    const h = await registrationAt('orgType');
    await h.send('x');
    await h.send('y');
    const out = await h.send('z');
    expect(texts(out)).toContain('请从下面的选项中选择');
    expect(texts(out)).toContain(STUCK);
    expect(choiceLabels(out)).toEqual(STUCK_LABELS);
  });
});

async function stuckAtMobile(): Promise<EngineHarness> {
  const h = await registrationAt('mobile');
  for (let i = 0; i < 3; i++) await h.send('abc');
  expectStuck(h);
  return h;
}

describe('at the stuck offer', () => {
  it('再试一次 asks the question again with a fresh count', async () => {
    const h = await stuckAtMobile();
    const out = await h.send({ type: 'choice', choiceId: '__retry' });
    expect(texts(out)).toBe(MOBILE_PROMPT + '：');
    expect(texts(out)).not.toContain(STUCK);
    expect(h.state).toMatchObject({ pending: null, retries: 0, stepId: 'mobile' });
    // A fresh count: two more failures re-prompt, the third is stuck again.
    expect(await h.say('abc')).toBe(MOBILE_FORMAT);
    expect(await h.say('abc')).toBe(MOBILE_FORMAT);
    expect(await h.say('abc')).toContain(STUCK);
  });

  it.each(['13812345678', '+86 139 0000 1111'])('a correct answer (%j) is accepted at once', async (answer) => {
    const h = await stuckAtMobile();
    expect(await h.say(answer)).toContain('请输入您的 18 位居民身份证号码');
    expect(h.state).toMatchObject({ stepId: 'idNumber', pending: null, retries: 0 });
  });

  it('a wrong answer typed instead of choosing starts a fresh count (plain re-prompt, not the offer again)', async () => {
    const h = await stuckAtMobile();
    const out = await h.send('abc');
    expect(texts(out)).toBe(MOBILE_FORMAT);
    expect(h.state).toMatchObject({ pending: null, retries: 1 });
  });

  it('the 取消 choice cancels the flow', async () => {
    const h = await stuckAtMobile();
    expect(await h.say({ type: 'choice', choiceId: '__cancel' })).toContain('已取消「党务工作者注册」');
    expect(h.state).toMatchObject({ flowId: null, answers: {} });
  });

  it('the 帮助 choice shows help and the question again', async () => {
    const h = await stuckAtMobile();
    const reply = await h.say({ type: 'choice', choiceId: '__help' });
    expect(reply).toContain('正在办理中，回答下面的问题即可');
    expect(reply).toContain(MOBILE_PROMPT);
    expect(h.state.pending).toBeNull();
  });

  it('regression: choosing 帮助 at the stuck offer does not reset the retry count, so the very next mistake is stuck again', async () => {
    const h = await stuckAtMobile();
    await h.send({ type: 'choice', choiceId: '__help' });
    // After help the user tries again; like 再试一次 (and like typing a new attempt), this should be a fresh count.
    const reply = await h.say('abc');
    expect(reply).toBe(MOBILE_FORMAT);
    expect(h.state.retries).toBe(1);
  });

  it('regression: resuming a conversation that timed out at the stuck offer keeps the exhausted count, so the next mistake is stuck again', async () => {
    const h = await stuckAtMobile();
    h.advance(31 * 60_000);
    expect(await h.say('abc')).toContain('欢迎回来');
    expect(await h.say('继续')).toContain(MOBILE_PROMPT);
    const reply = await h.say('abc');
    expect(reply).toBe(MOBILE_FORMAT);
    expect(h.state.retries).toBe(1);
  });

  it('regression: a correct answer at the stuck offer in the middle of the region tree is rejected (the tree position is lost)', async () => {
    const h = await registrationAt('region');
    await h.send('江苏');
    await h.send('南京');
    // Three names that are not districts of Nanjing.
    await h.send('火星');
    await h.send('月球');
    const stuck = await h.say('土星');
    expect(stuck).toContain(STUCK);
    // The user was choosing among Nanjing's districts; 玄武 is one of them.
    const reply = await h.say('玄武');
    expect(reply).toContain('您开始从事党务工作的时间是？');
    expect(h.state.answers.region).toBe('320102');
  });
});

/** The help-or-cancel offer is on screen: the last reply offers 再试一次 / 帮助 / 取消. */
function isStuck(h: { sent: { choices?: { id: string }[] }[][] }): boolean {
  const last = h.sent.at(-1)?.at(-1);
  return (last?.choices ?? []).some((c) => c.id === '__retry');
}
function expectStuck(h: { sent: { choices?: { id: string }[] }[][] }): void {
  expect(isStuck(h), 'the help-or-cancel offer should be shown').toBe(true);
}
