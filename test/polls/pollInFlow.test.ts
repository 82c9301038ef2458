import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { content, makeIdNumber } from '../support/engineHarness.ts';
import { registrationAnswers } from '../support/registrationScript.ts';
import { createPoll, pinghuApplication, say } from './pollSupport.ts';

/**
 * A poll taken in the middle of another flow (测评 <code> at registration's ID-number question), through /sim and
 * the real app: whatever ends the poll — submitted, cancelled, refused, answered in one message — the user is told
 * where they were and asked that question again, and the flow then finishes with the answers given before.
 */
let r: AdminApiApp;
let pinghu: string;
let funnelToken: string;
let poll: { id: string; codes: { group: string; code: string }[] };
let nextCode = 0;
const code = () => poll.codes[nextCode++]!.code;
beforeAll(async () => {
  r = await startAdminApiApp('poll_in_flow');
  pinghu = await r.token('平湖市两新工委', '330482');
  funnelToken = await r.token('南京市两新工委', '320100');
  poll = await createPoll(r, pinghu, (await pinghuApplication(r)).app.id, { owner: 1, member: 6, employee: 8 });
});
afterAll(() => r?.stop());

const t = (locale: string, key: string, params?: Record<string, unknown>) => content().translator.t(locale, key, params);
const title = (locale: string) => t(locale, 'registration:title');
const idQuestion = (locale: string) => t(locale, 'registration:idNumber.prompt');
const backTo = (locale: string) => t(locale, 'common:backToFlow', { title: title(locale) });

let seq = 400;
/** A registration typed up to its ID-number question: the name and mobile answered. */
async function atIdNumber(user: string, locale: 'zh-CN' | 'en' = 'zh-CN'): Promise<[string, string][]> {
  const script = registrationAnswers(makeIdNumber('320102', '19850312', String(seq++)));
  if (locale === 'en') await say(r, user, 'English');
  await say(r, user, locale === 'en' ? 'register' : '注册');
  let reply = '';
  let i = 0;
  for (; script[i]![0] !== 'idNumber'; i++) reply = await say(r, user, script[i]![1]);
  expect(reply).toContain(idQuestion(locale));
  return script.slice(i);
}

/** The rest of the registration from the ID-number question: the summary keeps the name and mobile typed before. */
async function finish(user: string, rest: [string, string][]): Promise<void> {
  let reply = '';
  for (const [, text] of rest) reply = await say(r, user, text);
  expect(reply).toContain('张三');
  expect(reply).toContain('13812345678');
  expect(await say(r, user, '确认')).toContain('注册成功');
}

/** The reply ends with where the user was and the ID-number question again, once. */
function expectBackAtIdNumber(reply: string, locale: 'zh-CN' | 'en' = 'zh-CN'): void {
  expect(reply.endsWith(`${backTo(locale)}\n${idQuestion(locale)}`), reply).toBe(true);
  expect(reply.split(idQuestion(locale))).toHaveLength(2);
}

describe('a poll taken in the middle of registration', () => {
  it('regression: after a poll typed halfway through registration the user was left without the registration question they were at', async () => {
    const rest = await atIdNumber('mid-1');
    expect(await say(r, 'mid-1', `测评 ${code()}`)).toContain('满意度测评');
    // The poll's own questions meanwhile, and nothing of registration.
    const q2 = await say(r, 'mid-1', '1');
    expect(q2).not.toContain(idQuestion('zh-CN'));
    await say(r, 'mid-1', '2');
    expect(await say(r, 'mid-1', '跳过')).toContain('请核对您的回答');
    const done = await say(r, 'mid-1', '提交');
    expect(done.startsWith(t('zh-CN', 'polls:thanks'))).toBe(true);
    expectBackAtIdNumber(done);
    await finish('mid-1', rest);
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(1);
  });

  it('brings the user back after a cancelled poll and after each refused code', async () => {
    const rest = await atIdNumber('mid-2');
    await say(r, 'mid-2', `测评 ${code()}`);
    const cancelled = await say(r, 'mid-2', '取消');
    expect(cancelled.startsWith(t('zh-CN', 'polls:cancelled'))).toBe(true);
    expectBackAtIdNumber(cancelled);

    const unknown = await say(r, 'mid-2', '测评 ZZZZZZZZZZ');
    expect(unknown.startsWith(t('zh-CN', 'polls:refused.unknown'))).toBe(true);
    expectBackAtIdNumber(unknown);
    const used = poll.codes[0]!.code; // answered by mid-1
    const refused = await say(r, 'mid-2', `测评 ${used}`);
    expect(refused.startsWith(t('zh-CN', 'polls:refused.used')), refused).toBe(true);
    expectBackAtIdNumber(refused);
    const noCode = await say(r, 'mid-2', '测评');
    expect(noCode.startsWith(t('zh-CN', 'polls:noCode'))).toBe(true);
    expectBackAtIdNumber(noCode);
    await finish('mid-2', rest);
  });

  it('brings the user back after the one-message form (answered outside the turn), refused or counted', async () => {
    const rest = await atIdNumber('mid-3');
    const bad = await say(r, 'mid-3', `测评 ${code()} 9 9`);
    expect(bad).toContain('没有看懂这条作答');
    expectBackAtIdNumber(bad);
    const done = await say(r, 'mid-3', `测评 ${code()} 1 2 工作细致`);
    expect(done.startsWith(t('zh-CN', 'polls:thanks'))).toBe(true);
    expectBackAtIdNumber(done);
    await finish('mid-3', rest);
  });

  it('speaks the language of the chat: the poll, then the registration question, in English', async () => {
    const rest = await atIdNumber('mid-en', 'en');
    expect(await say(r, 'mid-en', `poll ${code()}`)).toContain('satisfaction poll');
    await say(r, 'mid-en', '1');
    await say(r, 'mid-en', '1');
    await say(r, 'mid-en', 'skip');
    const done = await say(r, 'mid-en', 'submit');
    expect(done.startsWith(t('en', 'polls:thanks'))).toBe(true);
    expectBackAtIdNumber(done, 'en');
    let reply = '';
    for (const [, text] of rest) reply = await say(r, 'mid-en', text);
    expect(reply).toContain('13812345678');
    expect(await say(r, 'mid-en', 'confirm')).toContain(t('en', 'registration:done.text'));
  });

  it('adds nothing for a chat in no flow, nor while the poll runs', async () => {
    expect(await say(r, 'no-flow', `测评 ${code()} 1 1`)).toBe(t('zh-CN', 'polls:thanks'));
    expect(await say(r, 'no-flow-2', '测评 ZZZZZZZZZZ')).toBe(t('zh-CN', 'polls:refused.unknown'));
  });

  it('counts the ID-number question once in the funnels: reached before the poll, answered after it', async () => {
    const day = new Date(r.clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const res = await r.api('GET', `/funnels?flow=registration&from=${day}&to=${day}`, funnelToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const steps = new Map((res.body.steps as { stepId: string; reached: number; answered: number; retries: number; gaveUp: number }[]).map((s) => [s.stepId, s]));
    // Four registrations above, each through the ID-number question once, none given up.
    for (const id of ['name', 'mobile', 'idNumber', 'idConfirm']) expect(steps.get(id), id).toMatchObject({ reached: 4, answered: 4, retries: 0, gaveUp: 0 });
  });
});
