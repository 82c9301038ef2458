import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { createPoll, pinghuApplication } from './pollSupport.ts';

/** The /p/<code> web page: server-rendered, strict CSP with no script, works with plain form posts, CSRF-safe. */
let r: AdminApiApp;
let token: string;
beforeAll(async () => {
  r = await startAdminApiApp('poll_page');
  token = await r.token('平湖市两新工委', '330482');
});
afterAll(() => r?.stop());

const post = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) }).then(async (res) => ({ status: res.status, headers: res.headers, html: await res.text() }));

describe('the poll web page', () => {
  it('shows the questions as a plain form, then a review with change and submit, then the end text', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const url = `${r.app.url}/p/${poll.codes[0]!.code}`;
    const res = await fetch(url);
    const html = await res.text();
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(html).not.toMatch(/<script|style=|onclick/);
    expect(html.match(/type="radio" name="q\.overall"/g)).toHaveLength(4);
    expect(html).toContain('name="q.workStyle"');
    expect(html).toContain('<textarea id="comment" name="comment"');
    const t = /name="t" value="([^"]+)"/.exec(html)![1]!;

    const missing = await post(url, { t, lang: 'zh-CN', step: 'review', 'q.overall': 'pleased' });
    expect(missing.status).toBe(400);
    expect(missing.html).toContain('请回答每一道选择题');
    expect(missing.html).toMatch(/value="pleased" required checked/);

    const review = await post(url, { t, lang: 'zh-CN', step: 'review', 'q.overall': 'pleased', 'q.workStyle': 'neutral', comment: '<b>好</b>' });
    expect(review.status).toBe(200);
    expect(review.html).toContain('请核对您的回答');
    expect(review.html).toContain('<dd>比较满意</dd>');
    expect(review.html).toContain('<dd>一般</dd>');
    expect(review.html).toContain('&lt;b&gt;好&lt;/b&gt;');
    expect(review.html).not.toContain('<b>好</b>');
    const edit = await post(url, { t, lang: 'zh-CN', step: 'edit', 'q.overall': 'pleased', 'q.workStyle': 'neutral', comment: '好' });
    expect(edit.html).toMatch(/name="q\.workStyle" value="neutral" required checked/);

    const done = await post(url, { t, lang: 'zh-CN', step: 'submit', 'q.overall': 'pleased', 'q.workStyle': 'neutral', comment: '好' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('已提交，感谢参与。您的回答是匿名的。');
    const again = await fetch(url);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('这个测评码已经使用过了');
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(1);
  });

  it('regression: the web page showed the chat\'s wording ("回复跳过") and the anonymity sentence twice', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 1 });
    const url = `${r.app.url}/p/${poll.codes[0]!.code}`;
    for (const lang of ['zh-CN', 'en']) {
      const html = await (await fetch(`${url}?lang=${lang}`)).text();
      const t = /name="t" value="([^"]+)"/.exec(html)![1]!;
      const review = (await post(url, { t, lang, step: 'review', 'q.overall': 'pleased', 'q.workStyle': 'neutral' })).html;
      for (const shown of [html, review]) {
        // No chat instructions on a form: nothing to reply to, no "back"/"cancel" words, no skip word.
        expect(shown).not.toMatch(/回复|跳过|返回|取消|[Rr]eply|"skip"|"back"|"cancel"/);
      }
      expect(html.match(/匿名|anonymous/g)).toHaveLength(1);
    }
  });

  it('refuses a post without the form token, or with another code\'s, changing nothing', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const [a, b] = poll.codes.map((c) => `${r.app.url}/p/${c.code}`);
    const tb = /name="t" value="([^"]+)"/.exec(await fetch(b!).then((x) => x.text()))![1]!;
    const answers = { lang: 'zh-CN', step: 'submit', 'q.overall': 'displeased', 'q.workStyle': 'displeased' };
    expect((await post(a!, answers)).status).toBe(403);
    const wrong = await post(a!, { ...answers, t: tb });
    expect(wrong.status).toBe(403);
    expect(wrong.html).toContain('表单已失效');
    const json = await fetch(a!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(answers) });
    expect(json.status).toBe(415);
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(0);
  });

  it('speaks English on request and says what is wrong with an unknown code', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const en = await fetch(`${r.app.url}/p/${poll.codes[0]!.code}?lang=en`).then((x) => x.text());
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Very satisfied');
    const unknown = await fetch(`${r.app.url}/p/ZZZZZZZZZZ`, { headers: { 'accept-language': 'en-GB' } });
    expect(unknown.status).toBe(404);
    const said = await unknown.text();
    expect(said).toContain('That poll code was not found');
    // regression: the page told the respondent to type the code again, which a page opened from a link cannot do
    expect(said).not.toContain('send it again');
    expect(said).toContain('link or QR code');
    const zh = await fetch(`${r.app.url}/p/ZZZZZZZZZZ`).then((x) => x.text());
    expect(zh).toContain('请核对测评卡上的链接或二维码');
    expect(zh).not.toContain('重新输入');
    const css = await fetch(`${r.app.url}/p/assets/poll.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  it('regression: submitting the web form again (a double click, the answer page reloaded) said the code "was used" instead of already recorded', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const url = `${r.app.url}/p/${poll.codes[0]!.code}`;
    const t = /name="t" value="([^"]+)"/.exec(await fetch(url).then((x) => x.text()))![1]!;
    const answers = { t, lang: 'zh-CN', step: 'submit', 'q.overall': 'pleased', 'q.workStyle': 'neutral', comment: '' };
    expect((await post(url, answers)).html).toContain('已提交，感谢参与');
    const again = await post(url, answers);
    expect(again.status).toBe(200);
    expect(again.html).toContain('您的回答已经记录，不会重复计入');
    expect(again.html).not.toContain('已经使用过了');
    const en = await post(url, { ...answers, lang: 'en' });
    expect(en.html).toContain('already recorded');
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(1);
    // Opening the link again, or a step other than submitting, is the used code's own message; so is another code's token.
    expect((await fetch(url)).status).toBe(409);
    const review = await post(url, { ...answers, step: 'review' });
    expect(review.status).toBe(409);
    expect(review.html).toContain('这个测评码已经使用过了');
    const other = /name="t" value="([^"]+)"/.exec(await fetch(`${r.app.url}/p/${poll.codes[1]!.code}`).then((x) => x.text()))![1]!;
    expect((await post(url, { ...answers, t: other })).status).toBe(409);
  });

  it('says a used, a closed and an expired code each in its own words, and changes nothing', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const [a, b] = poll.codes.map((c) => `${r.app.url}/p/${c.code}`);
    const tokenOf = async (url: string) => /name="t" value="([^"]+)"/.exec(await fetch(url).then((x) => x.text()))![1]!;
    const [ta, tb] = [await tokenOf(a!), await tokenOf(b!)];
    const answers = { lang: 'zh-CN', step: 'submit', 'q.overall': 'pleased', 'q.workStyle': 'pleased', comment: '' };
    expect((await post(a!, { ...answers, t: ta })).html).toContain('已提交，感谢参与');
    const used = await fetch(a!);
    expect(used.status).toBe(409);
    expect(await used.text()).toContain('这个测评码已经使用过了');

    const other = await createPoll(r, token, (await pinghuApplication(r)).app.id, { owner: 0, member: 0, employee: 3 });
    const away = Date.parse('2026-03-21T00:00:00Z') - r.clock.now().getTime();
    r.clock.advance(away);
    try {
      const expired = await fetch(`${r.app.url}/p/${other.codes[0]!.code}`);
      expect(expired.status).toBe(410);
      expect(await expired.text()).toContain('这次测评的截止时间已过');
    } finally {
      r.clock.advance(-away);
    }
    // The scheduler may have closed it at its closing time while the clock was ahead.
    expect([200, 409]).toContain((await r.api('POST', `/polls/${poll.id}/close`, token)).status);
    expect(await fetch(b!).then((x) => x.text())).toContain('这次测评已经结束');
    const late = await post(b!, { ...answers, t: tb });
    expect(late.status).toBe(410);
    expect(late.html).toContain('这次测评已经结束');
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(1);
    expect((await r.api('GET', `/polls/${other.id}`, token)).body.total.answered).toBe(0);
  });
});
