/**
 * The newcomer trial's console findings in a real browser against the whole app: the 新建培训 类型 radios are drawn
 * and an empty form is refused in Chinese; a training score of 150 is refused, not saved as 100; the certificate
 * page shows its 生效日期 and the region's name. Each page is photographed at 1280 and 375 px into
 * test-results/console/ (prefixed nf-).
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';
import { simSay } from '../support/httpApp.ts';

const DAY = 86_400_000;
const TITLE = '资格培训（中级）第一期';

describe('newcomer findings in the console', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let token: string;
  const pageErrors: string[] = [];
  const ui = consolePage(() => page, { prefix: 'nf-' });
  const { dataTest } = ui;
  const text = async (id: string) => (await dataTest(id).textContent()) ?? '';

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    r = await startAdminApiApp('nf_console_browser', { env: { SIM_ENABLED: 'true' }, startAt: new Date() });
    base = r.app.url;
    await r.account({ username: 'nanjing-nf', password: 'nf-console-pass-1234', regionCode: '320100', name: '南京市两新工委' });
    token = await r.token('检查', '320100');
    browser = await launchTestBrowser({ viewport: DESK });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await ui.login(base, { username: 'nanjing-nf', password: 'nf-console-pass-1234' });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('regression: the 新建培训 类型 radios were not drawn, and an empty form was refused in English', async () => {
    await page.goto(`${base}/console/training`);
    await dataTest('session-new').click();
    const certification = page.locator('.el-radio').filter({ hasText: '资格培训' });
    await certification.waitFor();
    expect(await page.locator('.el-dialog .el-radio').count()).toBe(2);
    await certification.click();
    await eventually(() => certification.getAttribute('class')).toContain('is-checked');
    await dataTest('session-save').click();
    await eventually(() => text('session-problem')).toContain('标题：必填');
    expect(await text('session-problem')).toContain('开始时间：必填');
    expect(await text('session-problem')).not.toContain('ISO 8601');
    expect(await text('session-problem')).not.toContain('报名截止');
    await ui.shoot('training-new');
  });

  it('regression: a typed training score of 150 was saved as 100 with 操作成功', async () => {
    const worker = await r.worker({ name: '赵敏' });
    const startsAt = new Date(r.clock.now().getTime() + 7 * DAY);
    const created = await r.api('POST', '/training/sessions', token, {
      title: TITLE, kind: 'certification', regionCode: '320100', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(), hours: 8, capacity: 30, place: '南京市委党校',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sessionId = created.body.id as string;
    const say = async (said: string) => (await simSay(base, worker.userId, said)).map((m) => [m.text, ...(m.choices ?? []).map((c) => c.label)].join('\n')).join('\n');
    expect(await say('培训')).toContain(TITLE);
    expect(await say('1')).toContain('已报名');

    await page.goto(`${base}/console/training/${sessionId}`);
    await dataTest('enrolled-table').getByText('赵敏').waitFor();
    const input = page.locator(`[data-test="score-${worker.id}"] input`);
    await input.fill('150');
    await input.blur();
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await page.locator('.el-message--error').filter({ hasText: '成绩是 0 到 100 之间的数' }).waitFor();
    const enrolments = await r.api('GET', `/training/sessions/${sessionId}/enrolments`, token);
    expect(enrolments.body.items.find((e: { workerId: string }) => e.workerId === worker.id).score).toBeNull();
    // The typed value is kept for correcting, not clamped to 100.
    expect(await input.inputValue()).toBe('150');
    await ui.shoot('training-score');
  });

  it('regression: the certificate page showed 生效日期 "—" and the region as its code', async () => {
    await r.issue({ level: 'intermediate', regionCode: '320102', issuedOn: '2026-01-10' }, 'NJ2026301');
    await page.goto(`${base}/console/certificates/NJ2026301`);
    await eventually(() => text('cert-valid-from')).toContain('2026-01-10');
    const region = await text('cert-region');
    expect(region).toContain('（320102）');
    expect(region).toMatch(/[\u4e00-\u9fff]/);
    await ui.shoot('certificate');
  });

  it('regression: an ended session sent the admin to the login page with no notice', async () => {
    // Past the 12-hour limit of every session (the app's clock; the demo clock moving did the same).
    r.clock.advance(13 * 3_600_000);
    // A move inside the console (a reload starts signed out, which is not this case): the router's own history.
    await page.evaluate("history.pushState({}, '', '/console/training'); dispatchEvent(new PopStateEvent('popstate'))");
    await page.waitForURL(/\/console\/login/);
    await eventually(() => text('session-expired')).toContain('会话已过期，请重新登录');
    await ui.shoot('session-expired');
    expect(pageErrors).toEqual([]);
  });
});
