/**
 * The polls pages of the console in a real browser, against the whole app: the admin who runs Pinghu's polls
 * creates one for an application (group sizes suggested from the organisation's record), sees and downloads its
 * codes, respondents answer through the simulator, the progress bars and the burst flag show it, the admin closes
 * the poll (with a confirmation) and reads the results: rate, per-group table and bar chart, the small groups shown
 * as 「人数不足，不予显示」, the comment with its mobile number masked; then in English. Every page is photographed
 * at 1280 and 375 px into test-results/console/.
 */
import { mkdir, readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, paintedPixelsScript, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';
import { simSay } from '../support/httpApp.ts';
import { pinghuApplication } from '../polls/pollSupport.ts';

const PASSWORD = 'pinghu-polls-pass-1';
const IN_PAGE = {
  paintedPixels: paintedPixelsScript('poll-chart'),
  codes: (id: string) => `fetch('/admin/api/polls/${id}/codes').then((r) => r.json())`,
};

describe('console: satisfaction polls in the browser', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let appId: string;
  let pollId: string;
  const pageErrors: string[] = [];
  const requested: string[] = [];
  const chartsLoaded = () => requested.some((url) => /\/console\/assets\/charts-[\w-]+\.js$/.test(url));
  const ui = consolePage(() => page);
  const { dataTest, shoot } = ui;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    r = await startAdminApiApp('console_polls', { env: { SIM_ENABLED: 'true' }, startAt: new Date() });
    base = r.app.url;
    await r.account({ username: 'pinghu', password: PASSWORD, regionCode: '330482', name: '平湖市两新工委' });
    appId = (await pinghuApplication(r)).app.id;
    // A browser outside China: the closing time is still shown and taken in China time (regression below).
    browser = await launchTestBrowser({ viewport: DESK, timezoneId: 'America/New_York' });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => void requested.push(request.url()));
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    // Headless Chromium has no print dialog: count the calls instead (an init script runs whatever the page's CSP).
    await browser.context.addInitScript(() => {
      const w = globalThis as unknown as { printAsked: number; print: () => void };
      w.printAsked = 0;
      w.print = () => void (w.printAsked += 1);
    });
  }, 240_000);

  /** Clicks 打印卡片: the tab it opens, checked to have asked for the print dialog; answers the sheet's HTML as served. */
  async function printedSheet(): Promise<string> {
    const opened = page.context().waitForEvent('page');
    await dataTest('poll-sheet').click();
    const tab = await opened;
    await tab.waitForLoadState('load');
    expect(tab.url()).toMatch(/\/admin\/api\/polls\/[A-Za-z0-9]+\/codes\?.*print=1/);
    await eventually(() => tab.evaluate(() => (globalThis as unknown as { printAsked?: number }).printAsked ?? 0)).toBe(1);
    const html = await page.evaluate((url) => fetch(url).then((r) => r.text()), tab.url());
    await tab.close();
    return html;
  }

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('creates a poll from the application page, the group sizes suggested by the organisation record', async () => {
    await ui.login(base, { username: 'pinghu', password: PASSWORD });
    // Login lands on the dashboard, which fetches the chart chunk once its figures arrive: wait for that request
    // itself before counting what the poll pages request (a quiet network for 500 ms came before it under load).
    await eventually(() => chartsLoaded()).toBe(true);
    requested.length = 0;

    await page.goto(`${base}/console/applications/${appId}`);
    await dataTest('app-polls').click();
    await page.waitForURL(/\/console\/polls\?applicationId=/);
    await dataTest('polls-create').click();
    expect(await dataTest('poll-application').inputValue()).toBe(appId);
    // regression: the closing time was shown and read in the browser's zone (12:00 in New York for midnight in China).
    const closes = await dataTest('poll-closes-item').locator('input').inputValue();
    expect(closes).toMatch(/^\d{4}-\d{2}-\d{2} 00:00$/);
    await dataTest('poll-suggest').click();
    await eventually(() => dataTest('poll-suggest-hint').textContent()).toContain('员工 40 人');
    expect(await dataTest('poll-group-employee').locator('input').inputValue()).toBe('40');
    // A smaller roster than the record, as the admin may set: 6 party members, 8 employees.
    await dataTest('poll-group-member').locator('input').fill('6');
    await dataTest('poll-group-employee').locator('input').fill('8');
    await dataTest('poll-group-employee').locator('input').blur();
    expect(await shoot('polls-create')).toBe(0);
    await dataTest('poll-create-confirm').click();
    await page.waitForURL(/\/console\/polls\/[A-Za-z0-9]+$/);
    pollId = /polls\/([A-Za-z0-9]+)$/.exec(page.url())![1]!;
    const created = await page.evaluate(`fetch('/admin/api/polls/${pollId}').then((r) => r.json())`) as { closesAt: string };
    expect(new Date(created.closesAt).toISOString()).toBe(new Date(`${closes.replace(' ', 'T')}:00+08:00`).toISOString());
    await eventually(() => dataTest('poll-answered-employee').textContent()).toBe('0 / 8');
    expect(await dataTest('poll-status').textContent()).toContain('进行中');
    expect(await dataTest('poll-results').textContent()).toContain('测评结束后才显示结果');
    expect(chartsLoaded()).toBe(false);
    expect(await shoot('polls-new')).toBe(0);
  });

  it('shows and downloads the codes for the admin who runs the poll', async () => {
    await dataTest('poll-show-codes').click();
    await eventually(() => dataTest('poll-codes-table').locator('tbody tr').count()).toBe(15);
    const download = page.waitForEvent('download');
    await dataTest('poll-csv').click();
    const csv = await readFile((await (await download).path())!, 'utf8');
    // The console's language (zh-CN): group names in Chinese, the stable id in the last column.
    expect(csv.split('\n').filter((l) => /^员工,.*,employee$/.test(l))).toHaveLength(8);
    // regression: 打印卡片 downloaded the sheet instead of printing it. It opens in a tab of its own, whose print
    // dialog opens once loaded (its CSP lets that one script run), in the console's language whatever the browser asks.
    const sheet = await printedSheet();
    expect(sheet).toContain('<html lang="zh-CN">');
    expect(sheet).toMatch(/发送“测评 [0-9A-Z]{10}”/);
    expect(await shoot('polls-codes')).toBe(0);
  });

  it('shows the answers per group as progress bars, and flags the burst', async () => {
    const { codes } = await page.evaluate<{ codes: { group: string; code: string }[] }>(IN_PAGE.codes(pollId));
    const of = (g: string) => codes.filter((c) => c.group === g).map((c) => c.code);
    let n = 0;
    const say = (text: string) => simSay(base, `poll-resp-${n++}`, text);
    for (const [i, code] of of('employee').slice(0, 6).entries()) {
      const reply = await say(`测评 ${code} ${i < 5 ? '1 1' : '3 3'}${i === 0 ? ' 请联系13812345678了解情况' : ''}`);
      expect(reply.map((x) => x.text).join('')).toContain('已提交');
    }
    for (const code of of('member').slice(0, 5)) await say(`测评 ${code} 2 2 党员意见`);
    await say(`测评 ${of('owner')[0]!} 1 1`);
    await page.reload();
    await eventually(() => dataTest('poll-answered-employee').textContent()).toBe('6 / 8');
    expect(await dataTest('poll-answered-member').textContent()).toBe('5 / 6');
    expect(await dataTest('poll-answered-owner').textContent()).toBe('1 / 1');
    expect(await dataTest('poll-flag').first().textContent()).toContain('员工组');
    expect(await shoot('polls-progress')).toBe(0);
  });

  it('closes after a confirmation and shows the results: table, chart, hidden groups, masked comments', async () => {
    await dataTest('poll-close').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await eventually(() => dataTest('poll-status').textContent()).toContain('已结束');
    // 11 of 12 chose 很满意 or 比较满意.
    expect(await dataTest('poll-rate').textContent()).toBe('91.7%');
    // regression: the note carried the English stage id; it names the stage the application moved to.
    await eventually(() => dataTest('poll-note').textContent()).toContain('申请已进入“审核并颁发资格证书”阶段');
    expect(await dataTest('poll-note').textContent()).not.toContain('comprehensiveReview');
    const table = await dataTest('poll-results-table').textContent();
    // The owner is never shown; hiding them alone would let the members' count... so the smallest shown group too.
    expect(await dataTest('poll-hidden').count()).toBe(2);
    expect(table).toContain('人数不足，不予显示');
    expect(table).toContain('员工');
    await dataTest('poll-chart').locator('canvas').first().waitFor();
    expect(chartsLoaded()).toBe(true);
    const painted = await page.evaluate<number[]>(IN_PAGE.paintedPixels);
    expect(painted.length).toBe(1);
    expect(painted[0]).toBeGreaterThan(100);
    const comments = await dataTest('poll-comments').textContent();
    expect(comments).toContain('请联系138****5678了解情况');
    expect(comments).not.toContain('13812345678');
    // The hidden members' comments are not shown.
    expect(comments).not.toContain('党员意见');
    expect(await shoot('polls-results')).toBe(0);
  });

  it('reads the same in English, and the list shows the closed poll with its rate', async () => {
    await dataTest('lang-en').click();
    await eventually(() => dataTest('poll-results-table').textContent()).toContain('Too few answers to show');
    expect(await dataTest('poll-note').textContent()).toContain('advanced to “Review and certificate issue”');
    expect(await shoot('polls-results-en')).toBe(0);
    // The printable sheet follows the console's language as the CSV does.
    const sheet = await printedSheet();
    expect(sheet).toContain('<html lang="en">');
    expect(sheet).toMatch(/send &quot;poll [0-9A-Z]{10}&quot;/);
    await page.goto(`${base}/console/polls`);
    await eventually(() => dataTest('polls-table').textContent()).toContain('91.7%');
    expect(await dataTest('polls-table').textContent()).toContain('Closed');
    expect(await shoot('polls-list-en')).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
