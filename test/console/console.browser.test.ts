/**
 * The admin console in a real browser (Chromium from test/support/browser.ts, driven by playwright-core) against
 * the whole app started in-process on its own test database, with the console as `npm start` builds it. One
 * admin's day, in order: log in, change the first password, the dashboard (charts drawn, funnel numbers equal to
 * the conversations this test had with the simulator), filter the queue, open and advance an application with a
 * note, lose a race to another session (409) without losing the typed note, download the allowance report,
 * switch language, log out and be refused. Every page is photographed at 1280 and 375 px into
 * test-results/console/ for review.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, paintedPixelsScript, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';
import { simSay } from '../support/httpApp.ts';

const USERNAME = 'nanjing';
const FIRST_PASSWORD = 'temporary-pass-1';
const NEW_PASSWORD = 'a-much-better-secret-2';

/** The funnel this test's conversations make (see `converse`): per registration step, what each count must be. */
const EXPECTED_FUNNEL = {
  name: { reached: 3, answered: 2, retries: 0, gaveUp: 1 },
  mobile: { reached: 2, answered: 1, retries: 1, gaveUp: 1 },
  idNumber: { reached: 1, answered: 0, retries: 0, gaveUp: 0 },
};

/** Three workers in the simulator: one stops at the name, one types a bad number and cancels, one gets further. */
async function converse(url: string): Promise<void> {
  const say = (user: string, text: string) => simSay(url, user, text);
  for (const user of ['fa', 'fb', 'fc']) await say(user, '注册');
  await say('fa', '取消');
  await say('fb', '张三');
  await say('fb', '123');
  await say('fb', '取消');
  await say('fc', '李四');
  await say('fc', '13800138000');
}

/**
 * What runs inside the page, as source text: the test files are compiled for Node (no DOM types), and the
 * page's CSP does not govern scripts evaluated by the test driver.
 */
const IN_PAGE = {
  paintedPixels: paintedPixelsScript('chart'),
  reportCsp: `document.addEventListener('securitypolicyviolation', (e) => {
    window.reportCspViolation(e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber);
  });`,
  meStatus: "fetch('/admin/api/me').then((r) => r.status)",
  inlineScript: `(() => {
    const script = document.createElement('script');
    script.textContent = 'document.title = "inline ran"';
    document.body.appendChild(script);
  })()`,
};

describe('admin console in the browser', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let appId: string;
  let otherToken: string;
  const pageErrors: string[] = [];
  const requested: string[] = [];
  const chartsLoaded = () => requested.some((url) => /\/console\/assets\/charts-[\w-]+\.js$/.test(url));
  const cspViolations: string[] = [];

  const { dataTest, shoot, fitsPhone } = consolePage(() => page);

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    r = await startAdminApiApp('console_browser', { env: { SIM_ENABLED: 'true' }, startAt: new Date() });
    base = r.app.url;
    await r.account({ username: USERNAME, password: FIRST_PASSWORD, regionCode: '320100', name: '南京市两新工委', mustChangePassword: true });
    otherToken = (await r.account({ username: 'nanjing2', password: 'other-password-3', regionCode: '320100', name: '南京市两新工委（二）' })).token;
    const worker = await r.worker({ name: '李红', mobile: '13712345678' });
    appId = (await r.seed({ level: 'intermediate', workerId: worker.id, stage: 'qualificationReview' })).id;
    // A second application, in another stage, for the filter to leave out.
    await r.seed({ level: 'intermediate', workerId: (await r.worker({ name: '王芳' })).id, stage: 'declaration' });
    await converse(base);

    browser = await launchTestBrowser({ viewport: DESK });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => void requested.push(request.url()));
    // Every CSP refusal in any page of the session, reported from the page itself (a binding, which the CSP
    // does not govern, installed before the console's own scripts run).
    await page.exposeBinding('reportCspViolation', (_source, text: string) => void cspViolations.push(text));
    await page.addInitScript(IN_PAGE.reportCsp);
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('login: a wrong password is refused with the reason, the right one leads to the forced password change', async () => {
    const res = await page.goto(`${base}/console/`);
    expect(res?.status()).toBe(200);
    await page.waitForURL(/\/console\/login/);
    await dataTest('username').fill(USERNAME);
    await dataTest('password').fill('not-the-password');
    await dataTest('login-submit').click();
    await eventually(() => dataTest('login-error').textContent()).toContain('用户名或密码错误');
    await shoot('login');

    await dataTest('password').fill(FIRST_PASSWORD);
    await dataTest('login-submit').click();
    await page.waitForURL(/\/console\/password/);
    expect(await dataTest('forced-change').textContent()).toContain('请先修改密码');
    // Any other page sends the admin back here until the password is changed.
    await page.goto(`${base}/console/applications`);
    await page.waitForURL(/\/console\/password/);
    await shoot('password');
    // ECharts is loaded by the pages that draw charts, not before.
    expect(requested.some((url) => url.includes('/console/assets/index-'))).toBe(true);
    expect(chartsLoaded()).toBe(false);
  });

  it('changes the first password, with the rules checked before sending', async () => {
    await dataTest('pw-current').fill(FIRST_PASSWORD);
    await dataTest('pw-next').fill('short');
    await dataTest('pw-repeat').fill('short');
    await dataTest('pw-submit').click();
    expect(await dataTest('pw-error').textContent()).toContain('至少 10 位');
    await dataTest('pw-next').fill(NEW_PASSWORD);
    await dataTest('pw-repeat').fill(NEW_PASSWORD);
    await dataTest('pw-submit').click();
    await page.waitForURL(/\/console\/dashboard/);
  });

  it("the dashboard draws its charts and shows the funnel of this test's conversations", async () => {
    await dataTest('chart-stage').locator('canvas').first().waitFor();
    // Drawn: some pixels of every chart canvas are not transparent.
    const painted = await page.evaluate<number[]>(IN_PAGE.paintedPixels);
    expect(chartsLoaded()).toBe(true);
    expect(painted.length).toBeGreaterThanOrEqual(3);
    for (const n of painted) expect(n).toBeGreaterThan(100);

    // Its numbers as a table too: the stage chart's table lists the two seeded applications' stages.
    await dataTest('chart-stage-toggle').click();
    const stageTable = await dataTest('chart-stage-table').textContent();
    expect(stageTable).toContain('资格审查');

    await dataTest('funnel-flow').click();
    await page.locator('.el-select-dropdown__item', { hasText: /^党务工作者注册$/ }).click();
    // The API flushes the counters before it reads them; the table's rows carry their step id.
    const rowOf = async (step: string) => {
      const cells = await page.locator(`[data-test="funnel-table"] tr.rc-step-${step}`).first().locator('td').allTextContents();
      return { reached: Number(cells[1]), answered: Number(cells[2]), retries: Number(cells[3]), gaveUp: Number(cells[4]) };
    };
    await eventually(() => rowOf('name')).toEqual(EXPECTED_FUNNEL.name);
    expect(await rowOf('mobile')).toEqual(EXPECTED_FUNNEL.mobile);
    expect(await rowOf('idNumber')).toEqual(EXPECTED_FUNNEL.idNumber);
    await shoot('dashboard');
    expect(await fitsPhone()).toBe(0);
  });

  it('filters the queue by stage and opens the application', async () => {
    await page.goto(`${base}/console/applications`);
    await dataTest('queue-table').waitFor();
    await eventually(() => page.locator('[data-test="queue-table"] .el-table__body tr').count()).toBe(2);
    // regression: the queue had no search by name; the applicant's full name finds their applications only.
    await dataTest('filter-name').fill('王芳');
    await dataTest('filter-search').click();
    await page.waitForURL(/name=/);
    await eventually(() => page.locator('[data-test="queue-table"] .el-table__body tr').count()).toBe(1);
    expect(await dataTest('queue-table').textContent()).toContain('王*');
    await dataTest('filter-name').fill('');
    // regression: the stage filter was a text field that wanted an id (qualificationReview); it offers names now.
    await dataTest('filter-stage').click();
    await page.locator('.el-select-dropdown__item', { hasText: /^资格审查$/ }).click();
    await dataTest('filter-search').click();
    await page.waitForURL(/stage=qualificationReview/);
    await eventually(() => page.locator('[data-test="queue-table"] .el-table__body tr').count()).toBe(1);
    // Names in the list are masked as the API masks them (李*).
    expect(await dataTest('queue-table').textContent()).toContain('李*');
    await shoot('queue');
    expect(await fitsPhone()).toBe(0);
    await dataTest('queue-open').first().click();
    await page.waitForURL(new RegExp(`/console/applications/${appId}$`));
    await dataTest('detail-stage').waitFor();
    // regression: the application page showed stage ids (trainingTest) instead of their names
    expect(await dataTest('detail-stage').textContent()).toBe('资格审查');
    // regression: declared facts showed true/false; yes and no are words of the page's language.
    expect(await dataTest('facts').textContent()).toContain('否');
    expect(await dataTest('facts').textContent()).not.toMatch(/true|false/);
    // Eligibility with its reasons, in the policy's words.
    expect(await dataTest('eligibility').textContent()).toContain('中共正式党员');
  });

  it('advances the application with a note after confirming', async () => {
    await dataTest('action-advance').click();
    await dataTest('action-note').fill('材料齐全，同意进入培训测试');
    await dataTest('action-confirm').click();
    await eventually(() => dataTest('detail-stage').textContent()).toBe('培训测试');
    expect(await dataTest('history').textContent()).toContain('材料齐全，同意进入培训测试');
    expect(await dataTest('history').textContent()).toContain('资格审查 → 培训测试');
    await shoot('application');
    expect(await fitsPhone()).toBe(0);
  });

  it('gets a 409 when another session changed it first, keeps the typed note, and succeeds after reloading', async () => {
    const before = await r.api('GET', `/applications/${appId}`, otherToken);
    await dataTest('action-return').click();
    const note = '请补充近三年的培训证明';
    await dataTest('action-note').fill(note);
    // Meanwhile another admin of the same committee records a score through the API.
    const other = await r.api('POST', `/applications/${appId}/score`, otherToken, { score: 90, expectedVersion: before.body.version });
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    await dataTest('action-confirm').click();
    await dataTest('conflict').waitFor();
    expect(await dataTest('conflict').textContent()).toContain('已被他人修改');
    await shoot('application-conflict');
    expect(await dataTest('action-note').inputValue()).toBe(note);
    await dataTest('conflict-reload').click();
    await dataTest('conflict').waitFor({ state: 'detached' });
    expect(await dataTest('action-note').inputValue()).toBe(note);
    // Wait for the answer to this click, then for the page to show it (not for a fixed time).
    const [answer] = await Promise.all([page.waitForResponse((res) => res.url().endsWith(`/applications/${appId}/transitions`) && res.request().method() === 'POST'), dataTest('action-confirm').click()]);
    expect(answer.status(), await answer.text()).toBe(200);
    await eventually(() => dataTest('history').textContent()).toContain(note);
    const after = await r.api('GET', `/applications/${appId}`, otherToken);
    expect(after.body).toMatchObject({ status: 'returned', testScore: 90 });
  });

  it('downloads the allowance report as xlsx', async () => {
    await page.goto(`${base}/console/reports`);
    await dataTest('allowance-summary').waitFor();
    await shoot('reports');
    const [download] = await Promise.all([page.waitForEvent('download'), dataTest('download-xlsx').click()]);
    expect(download.suggestedFilename()).toMatch(/^allowance-\d{4}\.xlsx$/);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(path);
    // An .xlsx is a zip: it starts with PK.
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('the other pages open with their states and fit a phone', async () => {
    // Regression: the audit page showed raw action ids and outcomes (login, done) instead of their names.
    await page.goto(`${base}/console/audit`);
    await dataTest('audit-table').waitFor();
    const auditText = (await dataTest('audit-table').textContent()) ?? '';
    expect(auditText).toContain('登录');
    expect(auditText).toContain('成功');
    expect(auditText).not.toMatch(/\blogin\b|\bdone\b/);
    for (const [path, name, ready] of [
      ['/console/certificates', 'certificates', '.el-card'],
      ['/console/audit', 'audit', '[data-test="audit-table"], .el-empty, .el-alert'],
      ['/console/accounts', 'accounts', '.el-tabs'],
    ] as const) {
      await page.goto(`${base}${path}`);
      await page.locator(ready).first().waitFor();
      await shoot(name);
      expect(await fitsPhone(), path).toBe(0);
    }
    // At phone width the side menu is behind a button.
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.locator('.rc-aside').isVisible()).toBe(false);
    await dataTest('menu-button').click();
    await page.locator('.el-drawer .el-menu-item', { hasText: '申报审核' }).click();
    await page.waitForURL(/\/console\/applications/);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('switches the language on the page, and it stays switched', async () => {
    await page.goto(`${base}/console/dashboard`);
    await dataTest('lang-en').click();
    await eventually(() => page.locator('.rc-brand-name').textContent()).toBe('Red Collar Service Platform');
    expect(await page.locator('.rc-aside').textContent()).toContain('Review queue');
    await page.reload();
    await eventually(() => page.locator('.rc-brand-name').textContent()).toBe('Red Collar Service Platform');
    await dataTest('lang-zh').click();
    await eventually(() => page.locator('.rc-brand-name').textContent()).toBe('红领服务平台');
  });

  it('logs out, and the API then refuses the old session', async () => {
    await dataTest('logout').click();
    await page.waitForURL(/\/console\/login/);
    const status = await page.evaluate<number>(IN_PAGE.meStatus);
    expect(status).toBe(401);
    await page.goto(`${base}/console/applications`);
    await page.waitForURL(/\/console\/login/);
  });

  it('ran with no script errors and no CSP violations (and the CSP refuses an inline script)', async () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
    // The watch works, and the policy is strict: a script element with inline code is refused and reported.
    await page.evaluate(IN_PAGE.inlineScript);
    await eventually(() => cspViolations.length).toBeGreaterThan(0);
    expect(cspViolations[0]).toMatch(/^script-src/);
    expect(await page.title()).not.toBe('inline ran');
  });
});
