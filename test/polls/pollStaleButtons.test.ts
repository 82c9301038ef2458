import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { content, makeIdNumber } from '../support/engineHarness.ts';
import { simPost } from '../support/httpApp.ts';
import { registrationAnswers } from '../support/registrationScript.ts';
import { createPoll, pinghuApplication, say } from './pollSupport.ts';

/**
 * Poll buttons tapped after the chat's questionnaire ended — a second 提交 (two messages, different message ids),
 * an old question's option — through /sim as the platforms send a tap (its choice id): "already recorded" when
 * this account's answer was counted, else that the questionnaire is closed for it and how to start again; never
 * the flows' "did not understand", and nothing counted twice.
 */
let r: AdminApiApp;
let pinghu: string;
let poll: { id: string; codes: { group: string; code: string }[] };
let nextCode = 0;
const code = () => poll.codes[nextCode++]!.code;
beforeAll(async () => {
  r = await startAdminApiApp('poll_stale_buttons');
  pinghu = await r.token('平湖市两新工委', '330482');
  poll = await createPoll(r, pinghu, (await pinghuApplication(r)).app.id, { owner: 1, member: 6, employee: 8 });
});
afterAll(() => r?.stop());

const t = (key: string, params?: Record<string, unknown>) => content().translator.t('zh-CN', key, params);
type Reply = { text: string; choices?: { id: string; label: string }[] };
async function send(userId: string, body: { text: string } | { choiceId: string }): Promise<Reply[]> {
  const res = await simPost(r.app.url, { userId, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.replies as Reply[];
}
const joined = (replies: Reply[]) => replies.map((x) => x.text).join('\n');
const buttons = (replies: Reply[]) => replies.flatMap((x) => x.choices ?? []);
const tap = async (userId: string, choiceId: string) => joined(await send(userId, { choiceId }));
const answered = async () => (await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered as number;

/** Opens the poll and answers it by its buttons up to the summary; returns the buttons seen on the way. */
async function toSummary(userId: string, c: string): Promise<{ option: string; submit: string }> {
  const first = await send(userId, { text: `测评 ${c}` });
  const option = buttons(first).find((b) => b.label === '很满意')!.id;
  const second = await send(userId, { choiceId: option });
  await send(userId, { choiceId: buttons(second).find((b) => b.label === '比较满意')!.id });
  const summary = await send(userId, { text: '跳过' });
  expect(joined(summary)).toContain('请核对您的回答');
  return { option, submit: buttons(summary).find((b) => b.label === '提交')!.id };
}

describe('poll buttons tapped after the questionnaire ended', () => {
  it('regression: a second tap on the summary\'s 提交 after the answer was counted got "抱歉，没有理解您的意思" and the menu', async () => {
    const before = await answered();
    const { option, submit } = await toSummary('stale-1', code());
    expect(await tap('stale-1', submit)).toBe(t('polls:thanks'));
    const again = await tap('stale-1', submit);
    expect(again).toBe(t('polls:alreadyRecorded'));
    expect(again).not.toContain('没有理解');
    // An old question's button too: the answer is there, nothing is counted again.
    expect(await tap('stale-1', option)).toBe(t('polls:alreadyRecorded'));
    expect(await answered()).toBe(before + 1);
  });

  it('the buttons name the poll, within Telegram\'s 64 bytes of callback_data', async () => {
    const { option, submit } = await toSummary('stale-ids', code());
    for (const id of [option, submit]) {
      expect(id.startsWith(`poll:${poll.id}:`), id).toBe(true);
      expect(Buffer.byteLength(id, 'utf8')).toBeLessThanOrEqual(64);
    }
    await send('stale-ids', { text: '取消' });
  });

  it('after a cancelled questionnaire, or from an account that never opened it, a tap says it is closed and how to start again, and records nothing', async () => {
    const before = await answered();
    const { submit } = await toSummary('stale-2', code());
    expect(await say(r, 'stale-2', '取消')).toBe(t('polls:cancelled'));
    expect(await tap('stale-2', submit)).toBe(t('polls:staleButton'));
    // Someone else's button (forwarded), and a button of before the buttons named the poll.
    expect(await tap('stale-other', submit)).toBe(t('polls:staleButton'));
    expect(await tap('stale-other', 'poll:submit')).toBe(t('polls:staleButton'));
    expect(await answered()).toBe(before);
  });

  it('a button of another poll while a questionnaire is open is answered for that poll, and the open question asked again', async () => {
    const first = await toSummary('stale-3', code());
    expect(await tap('stale-3', first.submit)).toBe(t('polls:thanks'));
    const other = await createPoll(r, pinghu, (await pinghuApplication(r)).app.id, { owner: 0, member: 0, employee: 2 });
    const opened = joined(await send('stale-3', { text: `测评 ${other.codes[0]!.code}` }));
    const reply = await tap('stale-3', first.option);
    expect(reply.startsWith(`${t('polls:alreadyRecorded')}\n`), reply).toBe(true);
    // The open poll's first question, as when it was opened; the tap answered nothing of it.
    expect(opened).toContain(reply.slice(t('polls:alreadyRecorded').length + 1));
    expect((await r.api('GET', `/polls/${other.id}`, pinghu)).body.total.answered).toBe(0);
  });

  it('in the middle of registration a stale tap says so and asks the registration question again', async () => {
    const { submit } = await toSummary('stale-mid', code());
    expect(await tap('stale-mid', submit)).toBe(t('polls:thanks'));
    const script = registrationAnswers(makeIdNumber('320102', '19850312', '611'));
    await say(r, 'stale-mid', '注册');
    let reply = '';
    for (let i = 0; script[i]![0] !== 'idNumber'; i++) reply = await say(r, 'stale-mid', script[i]![1]);
    expect(reply).toContain(t('registration:idNumber.prompt'));
    const stale = await tap('stale-mid', submit);
    expect(stale).toBe([t('polls:alreadyRecorded'), t('common:backToFlow', { title: t('registration:title') }), t('registration:idNumber.prompt')].join('\n'));
  });

  it('the simulator refuses a tap without a choice id, clearly, and changes nothing', async () => {
    const res = await simPost(r.app.url, { userId: 'stale-bad', choiceId: '' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('choiceId must not be empty');
  });
});

describe('提交 typed again after the questionnaire ended', () => {
  it('regression: 提交 typed a second time after the answer was counted got "抱歉，没有理解您的意思"; it says nothing is in progress and that a poll just submitted is recorded, counting nothing', async () => {
    const before = await answered();
    await toSummary('typed-1', code());
    expect(await say(r, 'typed-1', '提交')).toBe(t('polls:thanks'));
    const again = await say(r, 'typed-1', '提交');
    expect(again).toContain(t('common:nothingToSubmit'));
    expect(again).not.toContain('没有理解');
    expect(await answered()).toBe(before + 1);
  });

  it("regression: 提交 typed at the main menu (a third in a row) got the menu's \"choose a number\" retry; it says there is nothing to submit, as with no menu open, and shows the menu again", async () => {
    const before = await answered();
    await toSummary('typed-2', code());
    expect(await say(r, 'typed-2', '提交')).toBe(t('polls:thanks'));
    const idle = await say(r, 'typed-2', '提交');
    const atMenu = await say(r, 'typed-2', '提交');
    expect(atMenu).toContain(t('common:nothingToSubmit'));
    expect(atMenu).toBe(idle);
    expect(await answered()).toBe(before + 1);
  });
});
