import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import type { Logger } from '../../src/infra/logger.ts';
import { runStartupMigrations } from '../../src/store/mongo/startupMigrations.ts';
import { answerInChat, createPoll, pinghuApplication, say } from './pollSupport.ts';

/** The respondent's side in the chat (sim), through the real app and database: the journey and every refusal. */
let r: AdminApiApp;
let pinghu: string;
beforeAll(async () => {
  r = await startAdminApiApp('poll_chat');
  pinghu = await r.token('平湖市两新工委', '330482');
});
afterAll(() => r?.stop());

describe('a respondent answers in the chat', () => {
  it('opens with 测评 <code>, asks each question with back and edit, and ends with the anonymous thanks', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const code = poll.codes.find((c) => c.group === 'employee')!.code;

    const intro = await say(r, 'resp1', `测评 ${code.toLowerCase()}`);
    expect(intro).toContain('满意度测评');
    expect(intro).toContain('匿名');
    expect(intro).toContain('（1/3）');
    expect(intro).toContain('总体是否满意');
    expect(await say(r, 'resp1', '5')).toContain('请从下面的选项中选择');
    expect(await say(r, 'resp1', '很满意')).toContain('工作作风');
    expect(await say(r, 'resp1', '返回')).toContain('总体是否满意');
    expect(await say(r, 'resp1', '2')).toContain('工作作风');
    expect(await say(r, 'resp1', '比较满意')).toContain('意见或建议');
    const summary = await say(r, 'resp1', '工作认真负责');
    expect(summary).toContain('请核对您的回答');
    expect(summary).toMatch(/1\. .*总体是否满意？\n {3}比较满意/);
    expect(summary).toContain('工作认真负责');
    // Edit question 1 from the summary: back to the summary afterwards.
    expect(await say(r, 'resp1', '1')).toContain('总体是否满意');
    expect(await say(r, 'resp1', '1')).toMatch(/1\. .*\n {3}很满意/);
    expect(await say(r, 'resp1', '提交')).toBe('已提交，感谢参与。您的回答是匿名的。');

    const progress = await r.api('GET', `/polls/${poll.id}`, pinghu);
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({ status: 'open', answered: { owner: 0, member: 0, employee: 1 }, total: { roster: 15, answered: 1 } });
    expect(progress.body.result).toBeUndefined();
    expect((await r.api('GET', `/polls/${poll.id}/results`, pinghu)).status).toBe(422);
  });

  it('takes poll_<code> (a Telegram deep link payload or a WeChat QR scene) and English', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const code = poll.codes[3]!.code;
    expect(await say(r, 'resp2', 'English')).toContain('English');
    const intro = await say(r, 'resp2', `poll_${code}`);
    expect(intro).toContain('satisfaction poll');
    expect(await say(r, 'resp2', 'Very satisfied')).toContain('way of working');
    await say(r, 'resp2', '1');
    await say(r, 'resp2', 'skip');
    expect(await say(r, 'resp2', 'submit')).toBe('Submitted, thank you for taking part. Your answers are anonymous.');
  });

  it('refuses unknown, used, bound, second and own codes, each with its own message, changing nothing', async () => {
    const { app, workerUserId } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const [a, b, c] = poll.codes.filter((x) => x.group === 'member').map((x) => x.code);
    expect(await say(r, 'x1', '测评 ZZZZZZZZZZ')).toContain('没有找到这个测评码');
    expect(await say(r, workerUserId, `测评 ${a}`)).toContain('不能为自己作答');

    expect(await answerInChat(r, 'x1', a!, '1')).toContain('已提交');
    expect(await say(r, 'x2', `测评 ${a}`)).toContain('已经使用过了');
    expect(await say(r, 'x1', `测评 ${b}`)).toContain('已经用另一个测评码参加了');

    await say(r, 'x3', `测评 ${c}`); // x3 holds c now
    await say(r, 'x3', '取消');
    expect(await say(r, 'x4', `测评 ${c}`)).toContain('已由另一个账号使用');
    const progress = await r.api('GET', `/polls/${poll.id}`, pinghu);
    expect(progress.body.answered).toEqual({ owner: 0, member: 1, employee: 0 });
  });

  it('a poll started before the claims moved onto the codes keeps one code per account (startup migration, idempotent)', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const [a, b, c] = poll.codes.filter((x) => x.group === 'member').map((x) => x.code);
    expect(await answerInChat(r, 'old1', a!, '1')).toContain('已提交');
    await say(r, 'old2', `测评 ${b}`); // old2 holds b, not answered yet
    await say(r, 'old2', '取消');
    // As an earlier version left them: bound codes without a claim, and the claims apart in poll_respondents.
    const codes = r.db.collection('poll_codes');
    const bound = await codes.find({ pollId: poll.id, boundTo: { $type: 'string' } }).toArray();
    expect(bound).toHaveLength(2);
    await codes.updateMany({ pollId: poll.id }, { $unset: { claim: '' } });
    await r.db.collection('poll_respondents').insertMany(bound.map((d) => ({ _id: `${poll.id}:${String(d.boundTo)}` as never, codeHash: d._id })));

    const logged: unknown[] = [];
    const logger = { info: (o: unknown) => logged.push(o), warn: () => {}, error: () => {} } as unknown as Logger;
    await runStartupMigrations(r.db, logger);
    expect(logged).toContainEqual({ codes: 2 });
    expect(await codes.countDocuments({ pollId: poll.id, claim: { $exists: true } })).toBe(2);
    // Again: nothing left to do.
    logged.length = 0;
    await runStartupMigrations(r.db, logger);
    expect(logged).not.toContainEqual(expect.objectContaining({ codes: expect.any(Number) }));

    expect(await say(r, 'old1', `测评 ${c}`)).toContain('已经用另一个测评码参加了');
    expect(await say(r, 'old1', `测评 ${c} 1 1`)).toContain('已经用另一个测评码参加了');
    expect(await say(r, 'old2', `测评 ${c} 1 1`)).toContain('已经用另一个测评码参加了');
    // The account's own code still works.
    expect(await say(r, 'old2', `测评 ${b} 1 1`)).toContain('已提交');
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.answered).toEqual({ owner: 0, member: 2, employee: 0 });
    // The refused tries bound nothing: c is free for its own respondent.
    expect(await codes.countDocuments({ pollId: poll.id, status: 'unused', boundTo: null })).toBe(poll.codes.length - 2);
  });

  it('a repeated submit says already recorded and counts once', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const code = poll.codes[0]!.code;
    expect(await answerInChat(r, 'y1', code, '1')).toContain('已提交');
    expect(await say(r, 'y1', `测评 ${code}`)).toContain('已经使用过了');
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(1);
  });

  it('closed and expired polls each say so', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    await say(r, 'z1', `测评 ${poll.codes[1]!.code}`);
    const away = Date.parse('2026-03-21T00:00:00Z') - r.clock.now().getTime();
    r.clock.advance(away);
    try {
      expect(await say(r, 'z2', `测评 ${poll.codes[2]!.code}`)).toContain('截止时间已过');
      expect(await say(r, 'z1', '1')).toContain('截止时间已过');
      // The scheduler may have closed it already at its closing time.
      expect([200, 409]).toContain((await r.api('POST', `/polls/${poll.id}/close`, pinghu)).status);
      expect(await say(r, 'z2', `测评 ${poll.codes[2]!.code}`)).toContain('已经结束');
    } finally {
      r.clock.advance(-away);
    }
  });
});

describe('a poll and the flows', () => {
  it('a poll typed in the middle of a registration is answered, and the registration goes on after it', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    expect(await say(r, 'midflow', '注册')).toContain('姓名');
    expect(await say(r, 'midflow', `测评 ${poll.codes[4]!.code}`)).toContain('满意度测评');
    await say(r, 'midflow', '1');
    await say(r, 'midflow', '1');
    await say(r, 'midflow', '跳过');
    expect(await say(r, 'midflow', '提交')).toContain('已提交');
    // The next message is the registration's again: the name it was waiting for.
    expect(await say(r, 'midflow', '李四')).toContain('手机');
  });

  it('the scheduler closes a poll at its closing time and records the rate', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 5 });
    let n = 0;
    for (const { code } of poll.codes) await answerInChat(r, `sched-${app.id}-${n++}`, code, '1');
    const away = Date.parse('2026-03-20T00:00:01Z') - r.clock.now().getTime();
    r.clock.advance(away);
    try {
      // As demo mode does: every job due by the new time runs before this resolves (the poll's own close job).
      await r.app.scheduler.catchUp(away);
      const view = (await r.api('GET', `/polls/${poll.id}`, pinghu)).body;
      expect(view.status).toBe('closed');
      expect((await r.api('GET', `/applications/${app.id}`, pinghu)).body.stage).toBe('comprehensiveReview');
    } finally {
      r.clock.advance(-away);
    }
  });
});

describe('the one-message answer (测评 <code> 1 2 意见)', () => {
  it('is answered in the chat\'s language outside the turn, and a stranger leaves no conversation', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const [a, b] = poll.codes.filter((c) => c.group === 'employee');
    expect(await say(r, 'one-en', 'English')).toContain('English');
    expect(await say(r, 'one-en', `poll ${a!.code} 1 2`)).toBe('Submitted, thank you for taking part. Your answers are anonymous.');
    // The same message again: nothing counted twice, said in English as well.
    expect(await say(r, 'one-en', `poll ${a!.code} 1 2`)).toContain('already recorded');
    expect(await say(r, 'one-new', `测评 ${b!.code} 2 2`)).toBe('已提交，感谢参与。您的回答是匿名的。');
    expect(await r.db.db!.collection('conversations').countDocuments({ userId: 'one-new' })).toBe(0);
    // The chat goes on as before: the next message is the flows'.
    expect(await say(r, 'one-new', '你好')).not.toContain('已提交');
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(2);
  });

  it('records the answer in one turn with the anonymous thanks, counted once, and a repeat is already recorded', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const code = poll.codes.find((c) => c.group === 'employee')!.code;
    expect(await say(r, 'one1', `测评 ${code.toLowerCase()} 1 2 工作认真负责`)).toBe('已提交，感谢参与。您的回答是匿名的。');
    expect(await say(r, 'one1', `测评 ${code} 1 2 工作认真负责`)).toContain('已经记录，不会重复计入');
    expect(await say(r, 'one2', `测评 ${code} 1 1`)).toContain('已经使用过了');
    const view = (await r.api('GET', `/polls/${poll.id}`, pinghu)).body;
    expect(view.answered).toEqual({ owner: 0, member: 0, employee: 1 });
    // The account is bound: it cannot answer again with a second code of the poll, in either form.
    const second = poll.codes.filter((c) => c.group === 'employee')[1]!.code;
    expect(await say(r, 'one1', `测评 ${second} 11`)).toContain('已经用另一个测评码参加了');
    expect(await say(r, 'one1', `测评 ${second}`)).toContain('已经用另一个测评码参加了');
  });

  it('a badly written answer says how to write it, lists the questions, and changes nothing', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const code = poll.codes.find((c) => c.group === 'member')!.code;
    const reply = await say(r, 'one3', `测评 ${code} 1`);
    expect(reply).toContain('需要 2 个选择题编号');
    expect(reply).toContain('1 = 很满意');
    expect(reply).toContain('总体是否满意');
    expect(reply).toContain('工作作风');
    expect(reply).toContain('没有记录任何回答');
    expect(reply).not.toContain(code);
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(0);
    // Nothing bound: another account may still use the code.
    expect(await say(r, 'one4', `English`)).toContain('English');
    expect(await say(r, 'one4', `poll ${code} 2 2`)).toBe('Submitted, thank you for taking part. Your answers are anonymous.');
  });

  it('refuses the rated worker and a closed poll with their own messages', async () => {
    const { app, workerUserId } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    expect(await say(r, workerUserId, `测评 ${poll.codes[2]!.code} 1 1`)).toContain('不能为自己作答');
    expect((await r.api('POST', `/polls/${poll.id}/close`, pinghu)).status).toBe(200);
    expect(await say(r, 'one5', `测评 ${poll.codes[3]!.code} 1 1`)).toContain('已经结束');
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(0);
  });

  it('refuses an unknown, a bound and an expired code in one message too, counting nothing and binding nobody', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const [a, b] = poll.codes.filter((c) => c.group === 'employee').map((c) => c.code);
    expect(await say(r, 'one7', '测评 ZZZZZZZZZZ 1 1')).toContain('没有找到这个测评码');
    await say(r, 'one8', `测评 ${a}`); // one8 holds a now
    await say(r, 'one8', '取消');
    expect(await say(r, 'one7', `测评 ${a} 1 1`)).toContain('已由另一个账号使用');
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(0);
    // None of these bound one7 to the poll: its own code still works.
    expect(await say(r, 'one7', `测评 ${b} 2 2`)).toContain('已提交');
    const later = await createPoll(r, pinghu, (await pinghuApplication(r)).app.id);
    const away = Date.parse('2026-03-21T00:00:00Z') - r.clock.now().getTime();
    r.clock.advance(away);
    try {
      // Past its closing time (the scheduler may have closed it already: then it says so).
      expect(await say(r, 'one7', `测评 ${later.codes[0]!.code} 1 1`)).toMatch(/截止时间已过|已经结束/);
    } finally {
      r.clock.advance(-away);
    }
    expect((await r.api('GET', `/polls/${later.id}`, pinghu)).body.total.answered).toBe(0);
  });

  it('ends a questionnaire the account had open for the same poll', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const code = poll.codes[5]!.code;
    expect(await say(r, 'one6', `测评 ${code}`)).toContain('总体是否满意');
    expect(await say(r, 'one6', `测评 ${code} 2 2`)).toContain('已提交');
    // The next message goes to the flows again, not to a stale poll session.
    expect(await say(r, 'one6', '1')).not.toContain('已经记录');
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(1);
  });
});

describe('regressions', () => {
  it('regression: the chat\'s summary repeated the comment question\'s how-to-reply ("没有的话回复“跳过”") under a summary that takes numbers and 提交', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    const [zh, en] = poll.codes.filter((c) => c.group === 'employee').map((c) => c.code);
    const cases = [
      { user: 'sum-zh', lang: '中文', code: zh!, skip: '跳过', asks: /没有的话回复“跳过”/, shows: /3\. 您还有什么意见或建议？\n {3}（无）/, cancel: '取消' },
      { user: 'sum-en', lang: 'English', code: en!, skip: 'skip', asks: /reply "skip" if none/, shows: /3\. Any comments or suggestions\?\n {3}\S/, cancel: 'cancel' },
    ];
    for (const c of cases) {
      await say(r, c.user, c.lang);
      expect(await say(r, c.user, `测评 ${c.code}`)).toContain('1/3');
      await say(r, c.user, '1');
      // The question itself still says how to skip it.
      expect(await say(r, c.user, '2')).toMatch(c.asks);
      const summary = await say(r, c.user, c.skip);
      expect(summary).toMatch(c.shows);
      expect(summary).not.toMatch(/跳过|skip/);
      await say(r, c.user, c.cancel);
    }
  });

  it('regression: a poll command without a valid code fell through to "unknown command"', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id);
    for (const typed of ['测评', '测评 abc', 'poll', 'poll 12', 'poll_', ' 满意度测评 ']) {
      const reply = await say(r, 'nocode', typed);
      expect(reply, typed).toContain('测评码是 10 位字母和数字');
      expect(reply, typed).toContain('测评卡');
    }
    expect(await say(r, 'nocode-en', 'English')).toContain('English');
    expect(await say(r, 'nocode-en', 'poll 12')).toContain('10 letters and digits');
    // Nothing was opened or counted: a poll message with a code still works as before.
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(0);
    expect(await say(r, 'nocode', `测评 ${poll.codes[4]!.code}`)).toContain('总体是否满意');
  });
});

