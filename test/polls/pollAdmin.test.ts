import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { loadTemplates } from '../../src/templates/loadTemplates.ts';
import { answerInChat, createPoll, pinghuApplication, say } from './pollSupport.ts';

/** The admin API of polls (docs/polls.md): shapes, scope and tier, codes for the running admin only, results. */
let r: AdminApiApp;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  r = await startAdminApiApp('poll_admin');
  tokens.pinghu = await r.token('平湖市两新工委', '330482');
  tokens.pinghu2 = await r.token('平湖市两新工委（另一位）', '330482');
  tokens.danghu = await r.token('当湖街道党委', '330482001');
  tokens.nanjing = await r.token('南京市两新工委', '320100');
});
afterAll(() => r?.stop());

describe('creating a poll', () => {
  it('answers 201 with the poll, its groups and the policy defaults; the organisation suggests the sizes', async () => {
    const { app } = await pinghuApplication(r);
    const res = await r.api('POST', '/polls', tokens.pinghu!, { subject: { applicationId: app.id }, groups: { owner: 1, member: 12, employee: 40 }, closesAt: '2026-03-20T00:00:00Z' });
    expect(res.status, res.raw).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(String), status: 'open', groups: { owner: 1, member: 12, employee: 40 }, minGroupSize: 5, quorum: { minShare: 0.6, minAnswers: 5, required: 32 }, suggestedGroups: { owner: 1, member: 0, employee: 40 } });
    const suggested = await r.api('POST', '/polls', tokens.pinghu!, { subject: { applicationId: app.id }, closesAt: '2026-03-20T00:00:00Z' });
    expect(suggested.status).toBe(201);
    expect(suggested.body.groups).toEqual({ owner: 1, member: 0, employee: 40 });
  });

  it('refuses bad input, other regions and reading tiers, each with its reason', async () => {
    const { app } = await pinghuApplication(r);
    const body = { subject: { applicationId: app.id }, groups: { owner: 1, member: 5, employee: 5 }, closesAt: '2026-03-20T00:00:00Z' };
    const small = await r.api('POST', '/polls', tokens.pinghu!, { ...body, minGroupSize: 2 });
    expect(small.status).toBe(400);
    expect(small.body.error).toBe('minGroupSize: minGroupSize is at least 3: smaller groups could be told apart');
    expect((await r.api('POST', '/polls', tokens.pinghu!, { ...body, closesAt: '2026-02-01T00:00:00Z' })).body.error).toBe('closesAt 2026-02-01T00:00:00Z is not in the future');
    expect((await r.api('POST', '/polls', tokens.pinghu!, { ...body, subject: { worker: 'x' } })).status).toBe(400);
    expect((await r.api('POST', '/polls', tokens.nanjing!, body)).status).toBe(403);
    const street = await r.api('POST', '/polls', tokens.danghu!, body);
    expect(street.status).toBe(403);
    expect(street.body.error).toContain('may read but not act');
    expect((await r.api('GET', '/polls', tokens.pinghu!)).body.items.filter((p: { subject: { applicationId?: string } }) => p.subject.applicationId === app.id)).toEqual([]);
  });
});

describe('scope and tier', () => {
  it('another region reads nothing of a poll, a lower tier reads progress but neither closes nor extends, each refusal changing nothing', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 0, member: 0, employee: 5 });
    expect(await say(r, `scope-${app.id}`, `测评 ${poll.codes[0]!.code} 1 1`)).toContain('已提交');
    for (const [method, path] of [['GET', ''], ['GET', '/codes'], ['GET', '/results'], ['POST', '/close'], ['POST', '/extend']] as const) {
      const res = await r.api(method, `/polls/${poll.id}${path}`, tokens.nanjing!, method === 'POST' ? { closesAt: '2026-04-01T00:00:00Z' } : undefined);
      expect(res.status, `Nanjing ${method} ${path}`).toBe(403);
      expect(JSON.stringify(res.body), path).not.toContain(poll.codes[0]!.code);
    }
    // The street reads the progress, but is not the tier that runs the poll.
    expect((await r.api('GET', `/polls/${poll.id}`, tokens.danghu!)).body.answered).toEqual({ owner: 0, member: 0, employee: 1 });
    const close = await r.api('POST', `/polls/${poll.id}/close`, tokens.danghu!);
    expect(close.status).toBe(403);
    expect(close.body.error).toContain('may read but not act');
    expect((await r.api('GET', `/polls/${poll.id}/codes`, tokens.danghu!)).status).toBe(403);
    expect((await r.api('GET', `/polls/${poll.id}`, tokens.pinghu!)).body.status).toBe('open');
    // Closed with its quorum missed (1 of 5): still only the managing tier extends it.
    expect((await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!)).status).toBe(200);
    expect((await r.api('POST', `/polls/${poll.id}/extend`, tokens.danghu!, { closesAt: '2026-04-01T00:00:00Z' })).status).toBe(403);
    expect((await r.api('GET', `/polls/${poll.id}`, tokens.pinghu!)).body).toMatchObject({ status: 'closed', extended: false });
  });

  it('extends only a closed poll that missed its quorum', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 0, member: 0, employee: 5 });
    const open = await r.api('POST', `/polls/${poll.id}/extend`, tokens.pinghu!, { closesAt: '2026-04-01T00:00:00Z' });
    expect(open.status).toBe(422);
    expect(open.body.code).toBe('notExtendable');
    let n = 0;
    for (const { code } of poll.codes) expect(await say(r, `met-${app.id}-${n++}`, `测评 ${code} 1 1`)).toContain('已提交');
    await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!);
    const met = await r.api('POST', `/polls/${poll.id}/extend`, tokens.pinghu!, { closesAt: '2026-04-01T00:00:00Z' });
    expect(met.status).toBe(422);
    expect(met.body.error).toBe(`poll ${poll.id} can be extended only after it closed without its quorum`);
    expect((await r.api('GET', `/polls/${poll.id}`, tokens.pinghu!)).body).toMatchObject({ status: 'closed', extended: false });
  });
});

describe('a poll\'s own minimum group size and quorum', () => {
  it('are kept as given and decide the results', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 0, member: 3, employee: 4 }, { minGroupSize: 3, quorum: { minShare: 1, minAnswers: 3 } });
    const view = (await r.api('GET', `/polls/${poll.id}`, tokens.pinghu!)).body;
    expect(view).toMatchObject({ minGroupSize: 3, quorum: { minShare: 1, minAnswers: 3, required: 7 } });
    let n = 0;
    for (const { code } of poll.codes.slice(0, 6)) expect(await say(r, `own-${app.id}-${n++}`, `测评 ${code} 1 1`)).toContain('已提交');
    await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!);
    const res = (await r.api('GET', `/polls/${poll.id}/results`, tokens.pinghu!)).body;
    // 6 of 7: the default quorum (60 %, 5) would be met, this poll's (all of them) is not.
    expect(res).toMatchObject({ valid: 6, quorumMet: false, quorum: { required: 7, roster: 7 } });
    // 3 members are shown with a minimum of 3 (the default 5 would hide them).
    expect(res.groups.member).toEqual({ answers: 3, counts: { overall: { veryPleased: 3 }, workStyle: { veryPleased: 3 } } });
    expect((await r.api('GET', `/applications/${app.id}`, tokens.pinghu!)).body.satisfaction).toBeNull();
  });
});

describe('listing and suggesting', () => {
  it('lists the polls of the region newest first, a page at a time, by status and application', async () => {
    const { app } = await pinghuApplication(r);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await createPoll(r, tokens.pinghu!, app.id, { owner: 0, member: 0, employee: 5 })).id);
      r.clock.advance(1_000);
    }
    expect((await r.api('POST', `/polls/${ids[0]}/close`, tokens.pinghu!)).status).toBe(200);
    const first = await r.api('GET', `/polls?applicationId=${app.id}&limit=2`, tokens.pinghu!);
    expect(first.status).toBe(200);
    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    const second = await r.api('GET', `/polls?applicationId=${app.id}&limit=2&cursor=${first.body.nextCursor}`, tokens.pinghu!);
    expect(second.body.items.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeUndefined();
    expect(second.body.items[0].outcome).toMatchObject({ quorumMet: false });
    const open = await r.api('GET', `/polls?applicationId=${app.id}&status=open`, tokens.pinghu!);
    expect(open.body.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    // The street reads them too (same region); Nanjing sees none.
    expect((await r.api('GET', `/polls?applicationId=${app.id}`, tokens.danghu!)).body.items).toHaveLength(3);
    expect((await r.api('GET', `/polls?applicationId=${app.id}`, tokens.nanjing!)).body.items).toEqual([]);
    const bad = await r.api('GET', '/polls?status=pending', tokens.pinghu!);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('status is open or closed');
    expect((await r.api('GET', '/polls?cursor=bm9wZQ', tokens.pinghu!)).body.error).toContain('cursor is not one this API returned');
  });

  it('suggests the group sizes from the organisation record and the policy defaults, refused as creating is', async () => {
    const { app } = await pinghuApplication(r);
    const res = await r.api('GET', `/polls/suggestion?applicationId=${app.id}`, tokens.pinghu!);
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toEqual({ suggestedGroups: { owner: 1, member: 0, employee: 40 }, minGroupSize: 5, quorum: { minShare: 0.6, minAnswers: 5 } });
    expect((await r.api('GET', `/polls/suggestion?applicationId=${app.id}`, tokens.danghu!)).status).toBe(403);
    expect((await r.api('GET', '/polls/suggestion?applicationId=nope', tokens.pinghu!)).status).toBe(404);
    expect((await r.api('GET', '/polls/suggestion', tokens.pinghu!)).body.error).toContain('give applicationId, or certificateNumber and year');
  });
});

describe('codes', () => {
  it('regression: the poll codes CSV had English headers in the zh-CN console', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 1, member: 1, employee: 1 });
    const rows = (raw: string) => raw.replace(/^\uFEFF/, '').trim().split('\n').map((l) => l.split(','));
    const byCode = new Map(poll.codes.map((c) => [c.code, c]));
    const check = (raw: string, header: string[], names: Record<string, string>) => {
      const [head, ...body] = rows(raw);
      expect(head).toEqual(header);
      expect(body).toHaveLength(3);
      // Same columns in every language; the last one is the stable group id a script can rely on.
      for (const [name, code, url, group] of body) {
        expect(byCode.get(code!)).toEqual({ group, code, url });
        expect(name).toBe(names[group!]);
      }
    };
    const zh = ['组别', '测评码', '链接', '组别代码'];
    const en = ['Group', 'Code', 'Link', 'Group id'];
    const zhNames = { owner: '业主', member: '党员', employee: '员工' };
    const enNames = { owner: 'Owner', member: 'Party member', employee: 'Employee' };
    check((await r.api('GET', `/polls/${poll.id}/codes?format=csv`, tokens.pinghu!)).raw, zh, zhNames);
    check((await r.api('GET', `/polls/${poll.id}/codes?format=csv&lang=en`, tokens.pinghu!)).raw, en, enNames);
    const download = (lang: string) => fetch(`${r.app.url}/admin/api/polls/${poll.id}/codes?format=csv`, { headers: { authorization: `Bearer ${tokens.pinghu!}`, 'accept-language': lang } }).then((res) => res.text());
    check(await download('en-GB,en;q=0.9'), en, enNames);
    check(await download('zh-CN,zh;q=0.9,en;q=0.8'), zh, zhNames);
    const bad = await r.api('GET', `/polls/${poll.id}/codes?format=csv&lang=fr`, tokens.pinghu!);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('lang is zh-CN (the default) or en');
  });

  it('regression: the printable code sheet was in Chinese whatever the admin\'s language', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 1, member: 1, employee: 2 });
    const templates = loadTemplates('templates') as Record<string, { polls: { codeSheet: Record<string, string>; codesFile: { groups: Record<string, string> } } }>;
    const fill = (text: string, params: Record<string, string>) => text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => params[k]!);
    // The sheet is HTML: the template's quotes come out escaped.
    const html = (text: string) => text.replace(/"/g, '&quot;');
    const check = (raw: string, lang: 'zh-CN' | 'en') => {
      const words = templates[lang]!.polls;
      expect(raw).toContain(`<html lang="${words.codeSheet.htmlLang}">`);
      expect(raw).toContain(`<title>${fill(words.codeSheet.title!, { poll: poll.id })}</title>`);
      expect(raw.split(`<div class="title">${words.codeSheet.cardTitle}</div>`)).toHaveLength(5);
      for (const c of poll.codes) {
        expect(raw).toContain(`<div class="group">${words.codesFile.groups[c.group]}</div><div class="code">${c.code}</div>`);
        expect(raw).toContain(`<div class="hint">${html(fill(words.codeSheet.hint!, { code: c.code }))}</div>`);
      }
      expect(raw.match(/<svg/g)).toHaveLength(4);
      expect(raw).not.toContain('<script');
    };
    const sheet = (query: string, acceptLanguage?: string) =>
      fetch(`${r.app.url}/admin/api/polls/${poll.id}/codes?format=html${query}`, { headers: { authorization: `Bearer ${tokens.pinghu!}`, ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}) } }).then((res) => res.text());
    const zh = await sheet('');
    check(zh, 'zh-CN');
    expect(zh).toContain(`测评 ${poll.codes[0]!.code}`);
    const en = await sheet('&lang=en');
    check(en, 'en');
    // The respondent's hint names the command as typed in English, and no Chinese is left on the English sheet.
    expect(en).toContain(`poll ${poll.codes[0]!.code}`);
    expect(en.replace(/<svg[\s\S]*?<\/svg>/g, '')).not.toMatch(/[\u4e00-\u9fff]/);
    check(await sheet('', 'en-GB,en;q=0.9'), 'en');
    check(await sheet('&lang=zh-CN', 'en-GB,en;q=0.9'), 'zh-CN');

    // A bad lang is refused before the codes are read: a clear message, and no look at the codes audited.
    const actor = tokens.pinghu!.split('_')[1];
    const looks = async () => (await r.api('GET', `/audit?target=poll:${poll.id}&actor=${actor}`, tokens.pinghu!)).body.items.length as number;
    const before = await looks();
    const bad = await r.api('GET', `/polls/${poll.id}/codes?format=html&lang=fr`, tokens.pinghu!);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('lang: lang is zh-CN (the default) or en');
    expect(bad.raw).not.toContain(poll.codes[0]!.code);
    expect(await looks()).toBe(before);
  });

  it('are for the admin who runs the poll only, as JSON, CSV and a printable sheet with QR codes, every look audited', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 1, member: 2, employee: 3 });
    expect(poll.codes).toHaveLength(6);
    expect(poll.codes[0]).toEqual({ group: 'owner', code: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{10}$/), url: expect.stringMatching(/\/p\/[0-9A-Z]{10}$/) });
    expect(poll.codes.map((c) => c.group)).toEqual(['owner', 'member', 'member', 'employee', 'employee', 'employee']);

    const other = await r.api('GET', `/polls/${poll.id}/codes`, tokens.pinghu2!);
    expect(other.status).toBe(403);
    expect(other.body.error).toBe(`only the admin who runs poll ${poll.id} may see its codes`);
    // The stable code the console words the refusal by (app/polls/refusals.ts).
    expect(other.body.code).toBe('notPollOwner');

    const csv = await r.api('GET', `/polls/${poll.id}/codes?format=csv`, tokens.pinghu!);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.raw.startsWith('\uFEFF组别,测评码,链接,组别代码\n')).toBe(true);
    expect(csv.raw).toContain(poll.codes[5]!.code);
    const html = await r.api('GET', `/polls/${poll.id}/codes?format=html`, tokens.pinghu!);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.headers.get('content-security-policy')).not.toContain('script-src');
    expect(html.raw).toContain('@page { size: A4');
    expect(html.raw.match(/<svg/g)).toHaveLength(6);
    expect(html.raw).not.toContain('<script');
    // To be printed (the console's 打印卡片): one script, which opens the print dialog, allowed by its hash alone.
    const printed = await r.api('GET', `/polls/${poll.id}/codes?format=html&print=1`, tokens.pinghu!);
    const script = /<script>([^<]*)<\/script>/.exec(printed.raw)?.[1];
    expect(script).toBe("addEventListener('load',()=>print())");
    const hash = createHash('sha256').update(script!, 'utf8').digest('base64');
    const directives = printed.headers.get('content-security-policy')!.split(';').map((d) => d.trim());
    expect(directives.filter((d) => d.startsWith('script-src'))).toEqual([`script-src 'sha256-${hash}'`]);
    expect(printed.raw.match(/<script/g)).toHaveLength(1);
    const badPrint = await r.api('GET', `/polls/${poll.id}/codes?format=html&print=yes`, tokens.pinghu!);
    expect(badPrint.status).toBe(400);
    expect(badPrint.body.error).toBe('print: print is 1 (open the print dialog) or left out');
    const csvPrint = await r.api('GET', `/polls/${poll.id}/codes?format=csv&print=1`, tokens.pinghu!);
    expect(csvPrint.status).toBe(400);
    expect(csvPrint.body.error).toBe('print: print=1 goes with format=html, the printable sheet');

    // Codes are stored sealed and found by HMAC: no plaintext code anywhere in the database.
    const stored = JSON.stringify(await r.db.collection('poll_codes').find({ pollId: poll.id }).toArray());
    for (const c of poll.codes) expect(stored).not.toContain(c.code);

    // The audit trail is region-wide: each admin's own entries are read with `actor` (the id inside the token).
    const actor = (token: string) => token.split('_')[1];
    const audit = await r.api('GET', `/audit?target=poll:${poll.id}&actor=${actor(tokens.pinghu!)}`, tokens.pinghu!);
    expect(audit.body.items.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`)).toEqual(expect.arrayContaining(['viewPollCodes:done']));
    // Each look, in each format: the JSON of createPoll and the CSV and the two sheets above (to read, to print).
    const looks = audit.body.items.filter((e: { action: string; outcome: string }) => e.action === 'viewPollCodes' && e.outcome === 'done');
    expect(looks.map((e: { detail: { format: string } }) => e.detail.format).sort()).toEqual(['csv', 'html', 'html', 'json']);
    const audit2 = await r.api('GET', `/audit?target=poll:${poll.id}&actor=${actor(tokens.pinghu2!)}`, tokens.pinghu2!);
    expect(audit2.body.items.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`)).toEqual(['viewPollCodes:refused']);
  });
});

describe('closing and results', () => {
  it('records the rate on the application as a system action and the pipeline advances at ≥ 80 %', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 1, member: 5, employee: 6 });
    const byGroup = (g: string) => poll.codes.filter((c) => c.group === g).map((c) => c.code);
    let n = 0;
    await answerInChat(r, `ow${app.id}`, byGroup('owner')[0]!, '1');
    for (const code of byGroup('member')) await answerInChat(r, `m${app.id}${n++}`, code, n <= 4 ? '1' : '3', n === 1 ? '支部活动多，联系电话 13812345678' : '跳过');
    for (const code of byGroup('employee').slice(0, 5)) await answerInChat(r, `e${app.id}${n++}`, code, '2', n === 7 ? '员工的建议' : '跳过');

    expect((await r.api('GET', `/polls/${poll.id}/results`, tokens.pinghu!)).status).toBe(422);
    const closed = await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!);
    expect(closed.status, closed.raw).toBe(200);
    const res = await r.api('GET', `/polls/${poll.id}/results`, tokens.pinghu!);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rate: 10 / 11, valid: 11, quorumMet: true });
    // Owner alone could be subtracted from the total: members (the next-smallest) are hidden with them.
    expect(res.body.groups).toEqual({ owner: { hidden: true }, member: { hidden: true }, employee: { answers: 5, counts: { overall: { pleased: 5 }, workStyle: { pleased: 5 } } } });
    expect(res.body.comments).toEqual([{ group: 'employee', text: '员工的建议' }]);

    const after = (await r.api('GET', `/applications/${app.id}`, tokens.pinghu!)).body;
    expect(after.satisfaction).toBeCloseTo(10 / 11);
    expect(after.stage).toBe('comprehensiveReview');
    expect(after.history.slice(-2).map((e: { action: string; actor: { kind: string } }) => `${e.action}:${e.actor.kind}`)).toEqual(['recordSatisfaction:system', 'advance:system']);

    // The street reads the aggregate only.
    const street = await r.api('GET', `/polls/${poll.id}/results`, tokens.danghu!);
    expect(street.status).toBe(200);
    expect(street.body).toMatchObject({ rate: 10 / 11, valid: 11, quorumMet: true, aggregateOnly: true });
    expect(street.body.groups).toBeUndefined();
    expect(street.body.comments).toBeUndefined();
    expect((await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!)).status).toBe(409);
  });

  it('the rated worker is told the recorded rate only: no answer, comment or group count reaches their chat', async () => {
    const { app, workerUserId } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 0, member: 5, employee: 5 });
    const comment = `只给管理员看的意见${app.id}`;
    let n = 0;
    for (const { code } of poll.codes) expect(await say(r, `told-${app.id}-${n}`, `测评 ${code} ${n++ < 8 ? '1' : '3'} 2 ${comment}`)).toContain('已提交');
    expect((await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!)).status).toBe(200);
    const pushes = (await (await fetch(`${r.app.url}/sim/api/pushes?userId=${encodeURIComponent(workerUserId)}`)).json()) as { replies?: { text: string }[] };
    const seen = [(pushes.replies ?? []).map((x) => x.text).join('\n'), await say(r, workerUserId, '进度')].join('\n');
    expect(seen).toMatch(/满意率 80(\.0)?%/);
    expect(seen).not.toContain(comment);
    for (const word of ['很满意', '比较满意', '一般', '不满意', '员工组', '党员组']) expect(seen, word).not.toContain(word);
  });

  it('below the bar the rate is recorded and the application stays, with the reason kept', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 0, member: 0, employee: 6 });
    let n = 0;
    for (const code of poll.codes.map((c) => c.code)) await answerInChat(r, `lo${app.id}${n++}`, code, n <= 4 ? '1' : '4');
    await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!);
    const after = (await r.api('GET', `/applications/${app.id}`, tokens.pinghu!)).body;
    expect(after.satisfaction).toBeCloseTo(4 / 6);
    expect(after.stage).toBe('satisfactionSurvey');
    const view = (await r.api('GET', `/polls/${poll.id}`, tokens.pinghu!)).body;
    expect(view.outcome.note).toMatch(/the application stays: .*satisfaction 66\.67 % is below the 80 % the intermediate level requires$/);
  });

  it('a poll that misses its quorum says so, records nothing and can be extended once', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 1, member: 5, employee: 10 });
    await answerInChat(r, `q${app.id}`, poll.codes[3]!.code, '1');
    await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!);
    const res = (await r.api('GET', `/polls/${poll.id}/results`, tokens.pinghu!)).body;
    // One answer: its rate would be that answer (regression test in test/domain/polls/results.test.ts).
    expect(res).toMatchObject({ rate: null, valid: 1, quorumMet: false, quorum: { required: 10, roster: 16 } });
    expect((await r.api('GET', `/applications/${app.id}`, tokens.pinghu!)).body.satisfaction).toBeNull();
    const ext = await r.api('POST', `/polls/${poll.id}/extend`, tokens.pinghu!, { closesAt: '2026-04-01T00:00:00Z' });
    expect(ext.status, ext.raw).toBe(200);
    expect(ext.body).toMatchObject({ status: 'open', extended: true, closesAt: '2026-04-01T00:00:00.000Z', total: { answered: 1 } });
    await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!);
    const again = await r.api('POST', `/polls/${poll.id}/extend`, tokens.pinghu!, { closesAt: '2026-05-01T00:00:00Z' });
    expect(again.status).toBe(422);
    expect(again.body.error).toBe(`poll ${poll.id} was extended once already`);
  });

  it('an annual poll stores its rate with the year\'s annual record', async () => {
    const worker = await r.worker();
    const cert = await r.issue({ workerId: worker.id, policyId: 'pinghu', level: 'intermediate', regionCode: '330482001', scope: 'county', scopeRegionCode: '330482' }, '3304822026Z00001');
    const res = await r.api('POST', '/polls', tokens.pinghu!, { subject: { certificateNumber: cert.number, year: 2026 }, groups: { owner: 0, member: 0, employee: 5 }, closesAt: '2026-03-20T00:00:00Z' });
    expect(res.status, res.raw).toBe(201);
    const codes = (await r.api('GET', `/polls/${res.body.id}/codes`, tokens.pinghu!)).body.codes as { code: string }[];
    let n = 0;
    for (const { code } of codes) await answerInChat(r, `an${n++}`, code, '2');
    await r.api('POST', `/polls/${res.body.id}/close`, tokens.pinghu!);
    const record = await r.db.collection('annual_records').findOne({ certificateNumber: cert.number, year: 2026 });
    expect(record?.satisfaction).toMatchObject({ pollId: res.body.id, rate: 1, valid: 5, quorumMet: true });
  });
});

describe('regressions', () => {
  it('regression: every guarded write of an answer scanned all codes and polls (the embedded server plans only a bare _id by its index)', async () => {
    const { app } = await pinghuApplication(r);
    await createPoll(r, tokens.pinghu!, app.id);
    const db = r.db.db!;
    // Each step of a submit filters on {_id, status, …}: without a secondary index that starts with _id and holds
    // status, mongo-java-server reads every document of the collection to find the one.
    for (const name of ['polls', 'poll_codes']) {
      const keys = (await db.collection(name).indexes()).map((i) => JSON.stringify(i.key));
      expect(keys, name).toContain(JSON.stringify({ _id: 1, status: 1 }));
    }
  });

  it('regression: results with two or more comments shown answered 500 (the shuffle\'s random source was out of range)', async () => {
    const { createMongoPollStore } = await import('../../src/store/mongo/pollStore.ts');
    const { app } = await pinghuApplication(r);
    const p = await r.api('POST', '/polls', tokens.pinghu!, { subject: { applicationId: app.id }, groups: { owner: 0, member: 0, employee: 10 }, closesAt: '2026-03-20T00:00:00Z' });
    const store = createMongoPollStore(r.db);
    for (let n = 0; n < 6; n++) await store.applyAnswer(p.body.id, `sid-${n}`, 'employee', { overall: 'pleased', workStyle: 'pleased' }, n < 3 ? `意见 ${n}` : undefined);
    await r.api('POST', `/polls/${p.body.id}/close`, tokens.pinghu!);
    const res = await r.api('GET', `/polls/${p.body.id}/results`, tokens.pinghu!);
    expect(res.status, res.raw).toBe(200);
    expect(res.body.comments.map((c: { text: string }) => c.text).sort()).toEqual(['意见 0', '意见 1', '意见 2']);
  });

  it('regression: the outcome note the console shows in zh-CN carried the English stage id (and the guard\'s English reason)', async () => {
    const outcome = async (answers: string[]) => {
      const { app } = await pinghuApplication(r);
      const poll = await createPoll(r, tokens.pinghu!, app.id, { owner: 0, member: 0, employee: answers.length });
      let n = 0;
      for (const [i, c] of poll.codes.entries()) await say(r, `note${app.id}${n++}`, `测评 ${c.code} ${answers[i]} ${answers[i]}`);
      await r.api('POST', `/polls/${poll.id}/close`, tokens.pinghu!);
      return { ...(await r.api('GET', `/polls/${poll.id}`, tokens.pinghu!)).body.outcome, id: poll.id };
    };
    const advanced = await outcome(['1', '1', '1', '1', '2', '2']);
    expect(advanced.note).toMatch(/advanced to comprehensiveReview$/);
    expect(advanced.notes['zh-CN']).toBe('已记录满意度 100 %，申请已进入“审核并颁发资格证书”阶段。');
    expect(advanced.notes.en).toBe('Recorded 100 %; the application advanced to “Review and certificate issue”.');
    const stays = await outcome(['1', '1', '1', '1', '4', '4']);
    expect(stays.notes['zh-CN']).toBe('已记录满意度 66.7 %，申请仍在“满意度调查”阶段：满意度 66.7 % 低于中级要求的 80 %');
    expect(stays.notes['zh-CN']).not.toMatch(/[a-z]{4,}/);
    const results = (await r.api('GET', `/polls/${stays.id}/results`, tokens.pinghu!)).body;
    expect(results.notes['zh-CN']).toBe(stays.notes['zh-CN']);
  });
});
