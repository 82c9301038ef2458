import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher } from '../../src/infra/piiCipher.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { simPost } from '../support/httpApp.ts';
import { answerInChat, createPoll, pinghuApplication, say } from './pollSupport.ts';

/**
 * Anonymity by inspection: after a poll, nothing stored (any collection) or logged links an answer to its code, the
 * respondent or a time finer than the day. And reliability: 100 submits of one code at once count once; a crash
 * between the steps of a submit is completed by closing, counted once.
 */
const logLines: string[] = [];
let r: AdminApiApp;
let pinghu: string;
beforeAll(async () => {
  r = await startAdminApiApp('poll_anon', { env: { LOG_LEVEL: 'debug' }, logDestination: { write: (line: string) => void logLines.push(line) } });
  pinghu = await r.token('平湖市两新工委', '330482');
});
afterAll(() => r?.stop());

const LABELS = ['很满意', '比较满意', '一般', '不满意', 'veryPleased', 'pleased', 'neutral', 'displeased'];
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

describe('anonymity by inspection', () => {
  it('leaves no code, identity or time with any answer in any collection or the log', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 8 });
    const comment = `匿名检查意见${randomUUID().slice(0, 8)}`;
    const oneComment = `一条消息意见${randomUUID().slice(0, 8)}`;
    const midComment = `流程中意见${randomUUID().slice(0, 8)}`;
    const users = poll.codes.slice(0, 5).map((_, i) => `anon-${i}`);
    for (const [i, u] of users.entries()) expect(await answerInChat(r, u, poll.codes[i]!.code, String((i % 4) + 1), i === 2 ? comment : '跳过')).toContain('已提交');
    // A second tap on 提交 after the answer was counted is answered from the code's claim, and stores nothing new.
    const stale = await simPost(r.app.url, { userId: users[0], choiceId: `poll:${poll.id}:submit` });
    expect(JSON.stringify(stale.body)).toContain('您的回答已经记录');
    // One respondent on the web page.
    const web = poll.codes[5]!.code;
    const form = await fetch(`${r.app.url}/p/${web}`).then((x) => x.text());
    const token = /name="t" value="([^"]+)"/.exec(form)![1]!;
    const res = await fetch(`${r.app.url}/p/${web}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: token, lang: 'zh-CN', step: 'submit', 'q.overall': 'pleased', 'q.workStyle': 'pleased', comment: '' }) });
    expect(await res.text()).toContain('已提交，感谢参与');
    // One in a single message, with a comment: the conversation keeps its last reply, which must tell nothing.
    expect(await say(r, 'anon-one', `测评 ${poll.codes[6]!.code} 3 4 ${oneComment}`)).toContain('已提交');
    // One taken halfway through registration: the question asked again after it must carry nothing of the poll.
    await say(r, 'anon-mid', '注册');
    await say(r, 'anon-mid', '李四');
    expect(await say(r, 'anon-mid', '13812345679')).toContain('身份证号码');
    await say(r, 'anon-mid', `测评 ${poll.codes[7]!.code}`);
    await say(r, 'anon-mid', '2');
    await say(r, 'anon-mid', '3');
    await say(r, 'anon-mid', midComment);
    const back = await say(r, 'anon-mid', '提交');
    expect(back).toContain('已提交');
    expect(back).toContain('回到「');
    await r.api('POST', `/polls/${poll.id}/close`, pinghu);

    const cipher = createPiiCipher(r.key);
    const db = r.db.db!;
    const collections = (await db.listCollections().toArray()).map((c) => c.name).sort();
    expect(collections).toEqual(expect.arrayContaining(['polls', 'poll_codes', 'poll_tallies', 'conversations']));
    for (const name of collections) {
      const docs = await db.collection(name).find({}).toArray();
      const json = JSON.stringify(docs);
      for (const c of poll.codes) expect(json, `${name} holds a code`).not.toContain(c.code);
      // The counts and the comments live in the poll and its parts of the counts only.
      const counts = name === 'polls' || name === 'poll_tallies';
      if (!counts) expect(json, `${name} holds the comment`).not.toContain(comment);
      if (!counts) expect(json, `${name} holds the one-message comment`).not.toContain(oneComment);
      if (!counts) expect(json, `${name} holds the comment given mid-flow`).not.toContain(midComment);
      if (name.startsWith('poll_')) {
        expect(json, `${name} holds a time`).not.toMatch(ISO_TIME);
        for (const d of docs) for (const v of Object.values(d)) expect(v instanceof Date, `${name} holds a date`).toBe(false);
      }
      if (!counts) for (const l of LABELS) expect(json, `${name} holds answer ${l}`).not.toContain(l);
      // Sealed values are opened too: the conversation state and any sealed field must hold no answer either.
      for (const sealed of json.match(/v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*/g) ?? []) {
        let plain = '';
        try {
          plain = cipher.decrypt(sealed);
        } catch {
          continue;
        }
        for (const l of LABELS) expect(plain, `${name}: a sealed value holds ${l}`).not.toContain(l);
        expect(plain).not.toContain(comment);
        expect(plain).not.toContain(oneComment);
        expect(plain).not.toContain(midComment);
      }
    }
    const codes = await db.collection('poll_codes').find({ pollId: poll.id }).toArray();
    // A code used in a chat carries its claim (poll and identity HMAC, as `boundTo`); the web page's binds nobody.
    for (const c of codes) expect(Object.keys(c).sort()).toEqual(['_id', 'boundTo', ...(c.boundTo === null ? [] : ['claim']), 'group', 'pending', 'pollId', 'sealed', 'status', 'usedOn']);
    for (const c of codes) if (c.boundTo !== null) expect(c.claim).toBe(`${poll.id}:${c.boundTo}`);
    expect(codes.filter((c) => c.boundTo === null)).toHaveLength(1);
    expect(codes.every((c) => c.pending === null && c.status === 'used' && /^\d{4}-\d{2}-\d{2}$/.test(c.usedOn))).toBe(true);
    expect(await db.collection('poll_sessions').countDocuments()).toBe(0);
    expect((await db.collection('polls').findOne({ _id: poll.id } as never))!.applied).toEqual([]);
    const parts = await db.collection('poll_tallies').find({ pollId: poll.id }).toArray();
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) expect(Object.keys(part).sort()).toEqual(['_id', 'answered', 'applied', 'comments', 'pollId', 'round', 'status', 'tallies']);
    expect(parts.every((p) => Array.isArray(p.applied) && p.applied.length === 0)).toBe(true);
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const stored = (await createMongoPollStore(r.db).get(poll.id))!;
    expect(stored.comments).toHaveLength(3);
    expect(stored.comments).toEqual(expect.arrayContaining([{ group: 'employee', text: comment }, { group: 'employee', text: oneComment }, { group: 'employee', text: midComment }]));
    // The respondents' conversations were not touched by their answers: the last reply kept is the end text.
    const conv = await db.collection('conversations').find({ userId: { $in: users } }).toArray();
    expect(conv).toHaveLength(5);
    // The respondent in the middle of registration is still there, the answers before the poll kept, and the
    // conversation holds nothing of the poll, not even its marker.
    const mid = (await db.collection('conversations').findOne({ userId: 'anon-mid' }))!;
    expect(mid).toMatchObject({ flowId: 'registration', stepId: 'idNumber' });
    const midState = JSON.parse(cipher.decrypt(mid.sealed as string)) as { vars: Record<string, unknown>; answers: Record<string, unknown> };
    expect(midState.answers).toMatchObject({ name: '李四', mobile: '13812345679' });
    expect(Object.keys(midState.vars)).not.toContain('pollSession');
    expect(JSON.stringify(midState)).not.toMatch(/poll/i);
    // The one-message answer ran outside any turn: that respondent, new to the bot, has no conversation at all.
    expect(await db.collection('conversations').countDocuments({ userId: 'anon-one' })).toBe(0);

    const log = logLines.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const c of poll.codes) expect(log).not.toContain(c.code);
    expect(log).not.toContain(comment);
    expect(log).not.toContain(oneComment);
    for (const l of LABELS.slice(0, 4)) expect(log).not.toContain(l);
  });
});

describe('reliability', () => {
  it('100 one-message answers with one code, from 100 chat accounts at once, count exactly once', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 5 });
    const code = poll.codes[0]!.code;
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => say(r, `race-${i}`, `测评 ${code} 1 2`)));
    expect(replies.filter((x) => x.includes('已提交'))).toHaveLength(1);
    // Every other account is refused with one of the messages for a taken code; none is told it counted.
    for (const x of replies.filter((y) => !y.includes('已提交'))) expect(x).toMatch(/已经使用过了|已由另一个账号使用|已经结束/);
    const view = (await r.api('GET', `/polls/${poll.id}`, pinghu)).body;
    expect(view.total.answered).toBe(1);
  });

  it('100 concurrent submits of one code count exactly once', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 5 });
    const code = poll.codes[0]!.code;
    const form = await fetch(`${r.app.url}/p/${code}`).then((x) => x.text());
    const token = /name="t" value="([^"]+)"/.exec(form)![1]!;
    const body = new URLSearchParams({ t: token, lang: 'en', step: 'submit', 'q.overall': 'veryPleased', 'q.workStyle': 'neutral', comment: 'once' }).toString();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => fetch(`${r.app.url}/p/${code}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(async (x) => ({ status: x.status, text: await x.text() }))),
    );
    expect(answers.filter((a) => a.text.includes('Submitted, thank you'))).toHaveLength(1);
    expect(answers.every((a) => a.text.includes('Submitted, thank you') || a.text.includes('already recorded') || a.text.includes('used already'))).toBe(true);
    const view = (await r.api('GET', `/polls/${poll.id}`, pinghu)).body;
    expect(view.total.answered).toBe(1);
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const stored = (await createMongoPollStore(r.db).get(poll.id))!;
    expect(stored.comments).toEqual([{ group: 'employee', text: 'once' }]);
  });

  it('submits arriving together share one write per step, and each still gets its own outcome', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 6 });
    const cipher = createPiiCipher(r.key);
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const store = createMongoPollStore(r.db);
    const h = (await r.db.db!.collection('poll_codes').find({ pollId: poll.id }).toArray()).map((c) => String(c._id));
    const sealed = cipher.encrypt(JSON.stringify({ scale: { overall: 'pleased', workStyle: 'pleased' } }));
    const bind = (who: string) => ({ pollId: poll.id, identity: who });
    // The first of these goes alone, the rest as one command: two codes for one account, one code twice.
    const begun = await Promise.all([
      store.beginSubmit(h[4]!, 'b-4', sealed),
      store.beginSubmit(h[5]!, 'b-5', sealed),
      store.beginSubmit(h[0]!, 'b-0', sealed, bind('acct-x')),
      store.beginSubmit(h[1]!, 'b-1', sealed, bind('acct-x')),
      store.beginSubmit(h[2]!, 'b-2a', sealed),
      store.beginSubmit(h[2]!, 'b-2b', sealed),
      store.beginSubmit(h[3]!, 'b-3', sealed, bind('acct-y')),
    ]);
    expect(begun.slice(0, 2)).toEqual(['begun', 'begun']);
    expect([begun[2], begun[3]].sort()).toEqual(['begun', 'otherCode']);
    expect([begun[4], begun[5]].sort()).toEqual(['begun', 'taken']);
    expect(begun[6]).toBe('begun');
    const codes = await r.db.db!.collection('poll_codes').find({ pollId: poll.id }).toArray();
    expect(codes.filter((c) => c.status === 'pending')).toHaveLength(5);
    expect(codes.find((c) => String(c._id) === h[2])!.pending.sid).toBe(begun[4] === 'begun' ? 'b-2a' : 'b-2b');

    const sids = ['b-4', 'b-5', begun[2] === 'begun' ? 'b-0' : 'b-1', begun[4] === 'begun' ? 'b-2a' : 'b-2b', 'b-3'];
    const scale = { overall: 'pleased', workStyle: 'neutral' };
    // Each id twice in one batch: the second of each is not counted again.
    const applied = await Promise.all([...sids, ...sids].map((sid) => store.applyAnswer(poll.id, sid, 'employee', scale, undefined)));
    expect(applied.filter((a) => a === 'pollClosed')).toHaveLength(0);
    const stored = (await store.get(poll.id))!;
    expect(stored.answered).toBe(5);
    expect(stored.tallies.employee!.counts.overall).toEqual({ pleased: 5 });
  });

  it('begins and finishes arriving together share one command of the codes, and each begin still gets its own outcome', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 7 });
    const cipher = createPiiCipher(r.key);
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const store = createMongoPollStore(r.db);
    const db = r.db.db!;
    const h = (await db.collection('poll_codes').find({ pollId: poll.id }).toArray()).map((c) => String(c._id));
    const sealed = cipher.encrypt(JSON.stringify({ scale: { overall: 'pleased', workStyle: 'pleased' } }));
    const scale = { overall: 'pleased', workStyle: 'pleased' };
    const bind = (who: string) => ({ pollId: poll.id, identity: who });
    // h0 and h1 counted, waiting for their last step; h1 also finished already (its finish below changes nothing).
    for (const [i, sid] of [[0, 'f-0'], [1, 'f-1']] as const) {
      expect(await store.beginSubmit(h[i]!, sid, sealed)).toBe('begun');
      expect(await store.applyAnswer(poll.id, sid, 'employee', scale, undefined)).toBe('applied');
    }
    await store.finishSubmit(h[1]!, 'f-1', '2026-03-01');
    const calls: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => void (collection === 'poll_codes' && calls.push(method)));
    let results: unknown[];
    let fast: unknown[];
    let firstCalls: string[];
    try {
      // The first goes alone; the rest gather behind it and go as one command, read back once (some changed nothing).
      results = await Promise.all([
        store.beginSubmit(h[6]!, 'm-6', sealed),
        store.finishSubmit(h[0]!, 'f-0', '2026-03-01'),
        store.finishSubmit(h[1]!, 'f-1', '2026-03-01'),
        store.beginSubmit(h[2]!, 'm-2', sealed, bind('acct-m')),
        store.beginSubmit(h[3]!, 'm-3', sealed, bind('acct-m')),
        store.beginSubmit(h[4]!, 'm-4a', sealed),
        store.beginSubmit(h[4]!, 'm-4b', sealed),
      ]);
      firstCalls = calls.splice(0);
      // A finish and a begin that both change their code: the outcome comes from the totals, with no read.
      fast = await Promise.all([store.beginSubmit(h[6]!, 'm-6-again', sealed), store.finishSubmit(h[6]!, 'm-6', '2026-03-01'), store.beginSubmit(h[5]!, 'm-5', sealed)]);
    } finally {
      mongoose.set('debug', false);
    }
    expect(firstCalls.sort()).toEqual(['bulkWrite', 'bulkWrite', 'find']);
    expect(results[0]).toBe('begun');
    expect(results.slice(1, 3)).toEqual([undefined, undefined]);
    expect([results[3], results[4]].sort()).toEqual(['begun', 'otherCode']);
    expect([results[5], results[6]].sort()).toEqual(['begun', 'taken']);
    // The second round: the lone begin of a pending code is read back ('taken'); the pair after it is not.
    expect(calls.sort()).toEqual(['bulkWrite', 'bulkWrite', 'find']);
    expect(fast).toEqual(['taken', undefined, 'begun']);
    const codes = new Map((await db.collection('poll_codes').find({ pollId: poll.id }).toArray()).map((c) => [String(c._id), c]));
    expect([0, 1, 6].map((i) => codes.get(h[i]!)!.status)).toEqual(['used', 'used', 'used']);
    expect(codes.get(h[0]!)!.pending).toBeNull();
    expect(codes.get(h[0]!)!.usedOn).toBe('2026-03-01');
    expect([2, 3, 4, 5].map((i) => codes.get(h[i]!)!.status).sort()).toEqual(['pending', 'pending', 'pending', 'unused']);
    expect(codes.get(h[4]!)!.pending.sid).toBe(results[5] === 'begun' ? 'm-4a' : 'm-4b');
    expect(codes.get(h[5]!)!.pending.sid).toBe('m-5');
  });

  it('a submit cut off after any of its steps is counted exactly once when the poll closes', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 5 });
    const db = r.db.db!;
    const cipher = createPiiCipher(r.key);
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const store = createMongoPollStore(r.db);
    const hashes = (await db.collection('poll_codes').find({ pollId: poll.id }).toArray()).map((c) => String(c._id));
    const scale = (overall: string) => ({ overall, workStyle: overall });
    const sealed = (overall: string) => cipher.encrypt(JSON.stringify({ scale: scale(overall) }));
    // Each submit runs the store's own steps, then stops as a crash would stop it.
    // Crash after step 1 (code pending, nothing counted).
    expect(await store.beginSubmit(hashes[0]!, 's1', sealed('pleased'))).toBe('begun');
    // Crash after step 2 (counted, code still pending).
    expect(await store.beginSubmit(hashes[1]!, 's2', sealed('neutral'))).toBe('begun');
    expect(await store.applyAnswer(poll.id, 's2', 'employee', scale('neutral'), undefined)).toBe('applied');
    // Crash after step 3 (counted, code used, the id still kept with the counts).
    expect(await store.beginSubmit(hashes[2]!, 's3', sealed('displeased'))).toBe('begun');
    expect(await store.applyAnswer(poll.id, 's3', 'employee', scale('displeased'), undefined)).toBe('applied');
    await store.finishSubmit(hashes[2]!, 's3', '2026-03-01');

    const closed = await r.api('POST', `/polls/${poll.id}/close`, pinghu);
    expect(closed.status, closed.raw).toBe(200);
    const stored = (await store.get(poll.id))!;
    expect(stored.answered).toBe(3);
    expect(stored.tallies.employee!.counts.overall).toEqual({ pleased: 1, neutral: 1, displeased: 1 });
    expect(stored.status).toBe('closed');
    expect((await db.collection('polls').findOne({ _id: poll.id } as never))!.applied).toEqual([]);
    for (const part of await db.collection('poll_tallies').find({ pollId: poll.id }).toArray()) expect(part.applied).toEqual([]);
    const codes = await db.collection('poll_codes').find({ pollId: poll.id, status: 'pending' }).toArray();
    expect(codes).toEqual([]);
  });

  it('a one-message answer cut off after any of its steps is counted exactly once, when the same message comes again', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 5 });
    const cipher = createPiiCipher(r.key);
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const { codeHash, identityHash } = await import('../../src/app/polls/deps.ts');
    const store = createMongoPollStore(r.db);
    const scale = { overall: 'pleased', workStyle: 'pleased' };
    const sealed = cipher.encrypt(JSON.stringify({ scale }));
    const cut = async (n: number, steps: number) => {
      const user = `cut-${n}`;
      const { code } = poll.codes[n]!;
      const hash = codeHash(cipher, code);
      // The steps of submitOneMessage as the store runs them, stopped where a crash would stop them.
      expect(await store.beginSubmit(hash, `sid-${n}`, sealed, { pollId: poll.id, identity: identityHash(cipher, 'sim', user) })).toBe('begun');
      if (steps >= 2) expect(await store.applyAnswer(poll.id, `sid-${n}`, 'employee', scale, undefined)).toBe('applied');
      if (steps >= 3) await store.finishSubmit(hash, `sid-${n}`, '2026-03-01');
      return { user, code };
    };
    const cuts = [await cut(0, 1), await cut(1, 2), await cut(2, 3)];
    // Cut after the first step, the account holds its code already: a second code of the poll is refused.
    expect(await say(r, cuts[0]!.user, `测评 ${poll.codes[3]!.code} 1 1`)).toContain('已经用另一个测评码参加了');
    for (const { user, code } of cuts) expect(await say(r, user, `测评 ${code} 2 2`), user).toContain('已经记录，不会重复计入');
    // Counted at once, each once, as the cut submissions had it; no code is left half done.
    const stored = (await store.get(poll.id))!;
    expect(stored.answered).toBe(3);
    expect(stored.tallies.employee!.counts.overall).toEqual({ pleased: 3 });
    const codes = await r.db.db!.collection('poll_codes').find({ pollId: poll.id }).toArray();
    expect(codes.filter((c) => c.status === 'used')).toHaveLength(3);
    expect(codes.filter((c) => c.status === 'pending')).toHaveLength(0);
    // Another account cannot use a code cut after its first step.
    expect(await say(r, 'cut-other', `测评 ${cuts[0]!.code} 1 1`)).toContain('已经使用过了');
  });

  it('a close cut off after any of its steps is finished by closing again or by the sweep, counting each answer once and recording the rate once', async () => {
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const { pollResults } = await import('../../src/domain/polls/results.ts');
    const store = createMongoPollStore(r.db);
    const answered = async () => {
      const { app } = await pinghuApplication(r);
      const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 5 });
      for (const [i, { code }] of poll.codes.entries()) expect(await say(r, `close-cut-${app.id}-${i}`, `测评 ${code} ${i < 4 ? 1 : 4} 1`)).toContain('已提交');
      return { app, poll };
    };
    const recorded = async (appId: string) => {
      const app = (await r.api('GET', `/applications/${appId}`, pinghu)).body;
      return { satisfaction: app.satisfaction, stage: app.stage, records: app.history.filter((e: { action: string }) => e.action === 'recordSatisfaction').length };
    };

    // Cut after the poll went to closing and its counts were closed: nothing is taken, closing again finishes it.
    const a = await answered();
    expect(await store.beginClose(a.poll.id)).toBe(true);
    await store.closeTallies(a.poll.id);
    expect(await say(r, 'close-cut-late', `测评 ${a.poll.codes[0]!.code} 1 1`)).toMatch(/已经结束|已经使用过了/);
    expect((await r.api('POST', `/polls/${a.poll.id}/close`, pinghu)).status).toBe(200);
    expect((await r.api('GET', `/polls/${a.poll.id}/results`, pinghu)).body).toMatchObject({ valid: 5, rate: 0.8, quorumMet: true });
    expect(await recorded(a.app.id)).toEqual({ satisfaction: 0.8, stage: 'comprehensiveReview', records: 1 });

    // Cut after the result was stored, before the rate was recorded: the sweep records it, once however often it runs.
    const b = await answered();
    expect(await store.beginClose(b.poll.id)).toBe(true);
    await store.closeTallies(b.poll.id);
    const poll = (await store.get(b.poll.id))!;
    const { comments: _c, ...result } = pollResults({ roster: poll.roster, minGroupSize: poll.minGroupSize, quorum: poll.quorum, positive: poll.questionnaire.positive, tallies: poll.tallies, comments: [] }, Math.random);
    expect(await store.finishClose(b.poll.id, { ...result, recordedOn: 'application' }, r.clock.now())).toBe(true);
    expect((await r.api('POST', `/polls/${b.poll.id}/close`, pinghu)).status).toBe(409);
    expect(await recorded(b.app.id)).toEqual({ satisfaction: null, stage: 'satisfactionSurvey', records: 0 });
    const away = 11 * 60_000;
    try {
      for (let i = 1; i <= 2; i++) {
        r.clock.advance(away);
        await r.app.scheduler.catchUp(away); // the sweep runs every 10 minutes
      }
      expect(await recorded(b.app.id)).toEqual({ satisfaction: 0.8, stage: 'comprehensiveReview', records: 1 });
      expect((await r.api('GET', `/polls/${b.poll.id}`, pinghu)).body.outcome.note).toMatch(/advanced to comprehensiveReview$/);
    } finally {
      r.clock.advance(-2 * away);
    }
  });

  it('an extension cut off before the counts opened again takes answers once the next one comes', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 8 });
    expect(await say(r, 'ext-0', `测评 ${poll.codes[0]!.code} 1 1`)).toContain('已提交');
    await r.api('POST', `/polls/${poll.id}/close`, pinghu); // quorum missed: 1 of 8
    expect((await r.api('POST', `/polls/${poll.id}/extend`, pinghu, { closesAt: '2026-04-01T00:00:00Z' })).status).toBe(200);
    // The crash: the poll is open again, its counts still closed (as the extension's first write leaves them).
    await r.db.db!.collection('poll_tallies').updateMany({ pollId: poll.id }, { $set: { status: 'closed', round: 0 } });
    expect(await say(r, 'ext-1', `测评 ${poll.codes[1]!.code} 2 2`)).toContain('已提交');
    expect(await say(r, 'ext-2', `测评 ${poll.codes[2]!.code} 1 1`)).toContain('已提交');
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(3);
  });

  it('a poll stored with its counts on itself (before the counts were split) keeps them and counts none of its submissions again', async () => {
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const store = createMongoPollStore(r.db);
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 6 });
    const db = r.db.db!;
    await db.collection('poll_tallies').deleteMany({ pollId: poll.id });
    const tallies = { employee: { answers: 2, counts: { overall: { pleased: 2 }, workStyle: { pleased: 2 } } } };
    await db.collection('polls').updateOne({ _id: poll.id } as never, { $set: { tallies, answered: 2, applied: ['old-1', 'old-2'] }, $unset: { round: '' } });
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(2);
    expect(await say(r, 'legacy-1', `测评 ${poll.codes[0]!.code} 4 4`)).toContain('已提交');
    // A completer late with a submission counted before the split is stopped by the ids the split kept.
    expect(await store.applyAnswer(poll.id, 'old-1', 'employee', { overall: 'pleased', workStyle: 'pleased' }, undefined)).toBe('alreadyApplied');
    const after = (await store.get(poll.id))!;
    expect(after.answered).toBe(3);
    expect(after.tallies.employee!.counts.overall).toEqual({ pleased: 2, displeased: 1 });
  });

  it('flags many answers of one group within seconds for the admin, and counts them all', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 6 });
    for (const [i, c] of poll.codes.entries()) await answerInChat(r, `burst-${i}`, c.code, '1');
    const view = (await r.api('GET', `/polls/${poll.id}`, pinghu)).body;
    expect(view.total.answered).toBe(6);
    expect(view.flags).toEqual([{ group: 'employee', day: '2026-03-01', answers: 5, withinSeconds: 30 }]);
  });

  it('the simulator answers a poll message only once per message id', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 5 });
    await say(r, 'dup', `测评 ${poll.codes[0]!.code}`);
    await say(r, 'dup', '1');
    await say(r, 'dup', '1');
    await say(r, 'dup', '跳过');
    const first = await simPost(r.app.url, { userId: 'dup', text: '提交', messageId: 'dup-submit' });
    const again = await simPost(r.app.url, { userId: 'dup', text: '提交', messageId: 'dup-submit' });
    expect(again.body.replies).toEqual(first.body.replies);
    expect((await r.api('GET', `/polls/${poll.id}`, pinghu)).body.total.answered).toBe(1);
  });
});

describe('regressions', () => {
  it('regression: a completer that read a code while pending counted the answer a second time after the winner finished', async () => {
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const { count } = await import('../../src/app/polls/submitAnswer.ts');
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, pinghu, app.id, { owner: 0, member: 0, employee: 5 });
    const store = createMongoPollStore(r.db);
    const hash = String((await r.db.db!.collection('poll_codes').findOne({ pollId: poll.id }))!._id);
    const answer = { scale: { overall: 'pleased', workStyle: 'pleased' } };
    expect(await store.beginSubmit(hash, 'sid-late', 'sealed')).toBe('begun');
    const stale = (await store.code(hash))!; // a second submit (or the closing sweep) reads it while pending
    const record = (await store.get(poll.id))!;
    expect(await count({ polls: store }, record, stale, 'sid-late', answer, r.clock.now())).toBe(true); // the winner: steps 2-3
    expect(await count({ polls: store }, record, stale, stale.pending!.sid, answer, r.clock.now())).toBe(true); // the late completer
    const after = (await store.get(poll.id))!;
    expect(after.answered).toBe(1);
    expect(after.tallies.employee?.counts.overall).toEqual({ pleased: 1 });
  });
});
