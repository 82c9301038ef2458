/**
 * The broadcast pages in a real browser against the whole app (its broadcast API, delivery jobs and the sim
 * channel) on its own test database: compose a notice to a small segment of seeded workers, dry run it, send
 * it, watch the detail page's live progress reach done, read the breakdown, and count what each worker's sim
 * chat received. Every page is photographed at 1280 and 375 px into test-results/console/broadcasts-*.png.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';
import { simSay } from '../support/httpApp.ts';

/** Delivery runs as agenda jobs on a loaded machine: the page is given time to see it finish, never asserted on it. */
const DELIVERY_TIMEOUT_MS = 90_000;
const USERNAME = 'nanjing';
const PASSWORD = 'broadcast-pass-12';
/** The admin's own sim chat, bound for test sends from the compose page. */
const ADMIN_CHAT = 'bc-admin-chat';

/**
 * The app's clock, held still at the next 10:00 in China: outside the quiet hours whatever time the test runs
 * at, and not in the past, since the session cookie's expiry is set from the app's clock and a browser drops a
 * cookie that expired by its own.
 */
function nextChinaMorning(now: Date): Date {
  const at = new Date(now);
  at.setUTCHours(2, 0, 0, 0);
  if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}


describe('broadcast pages in the browser', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let approverToken: string;
  /** The segment: the secretaries (two); the staff member must get nothing. */
  const secretaries: { name: string; userId: string }[] = [];
  let staff: { name: string; userId: string };
  const pageErrors: string[] = [];
  const ui = consolePage(() => page, { prefix: 'broadcasts-' });
  const { dataTest, shoot, fitsPhone } = ui;

  /** What the bot pushed to one sim user since the last look (the sim outbox hands each push out once). */
  async function pushes(userId: string): Promise<string[]> {
    const res = await fetch(`${base}/sim/api/pushes?userId=${encodeURIComponent(userId)}`);
    const body = (await res.json()) as { replies: { text: string }[] };
    return body.replies.map((m) => m.text);
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    // An approval threshold of one: this two-recipient notice waits for a second admin, whose approval the
    // detail page must pick up by itself.
    r = await startAdminApiApp('bc_browser', { env: { SIM_ENABLED: 'true', BROADCAST_APPROVAL_THRESHOLD: '1' }, startAt: nextChinaMorning(new Date()) });
    base = r.app.url;
    await r.account({ username: USERNAME, password: PASSWORD, regionCode: '320100', name: '南京市两新工委' });
    approverToken = (await r.account({ username: 'nanjing2', password: 'approver-pass-34', regionCode: '320100', name: '南京市两新工委（二）' })).token;
    for (const name of ['李红', '王芳']) {
      const w = await r.worker({ name, role: 'secretary' });
      secretaries.push({ name, userId: w.userId });
    }
    const s = await r.worker({ name: '赵强', role: 'staff' });
    staff = { name: '赵强', userId: s.userId };

    browser = await launchTestBrowser({ viewport: DESK });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await ui.login(base, { username: USERNAME, password: PASSWORD });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('composes a notice with a placeholder, to the secretaries on the sim channel, and dry runs it', async () => {
    await page.goto(`${base}/console/broadcasts/new`);
    await dataTest('bc-text-zh').fill('同志：本月 20 日举办党务工作者培训，请准时参加。');
    // The caret to the start, so the placeholder goes in front (no DOM types here: the element is typed by hand).
    await dataTest('bc-text-zh').evaluate((el) => (el as unknown as { setSelectionRange(from: number, to: number): void }).setSelectionRange(0, 0));
    await dataTest('bc-insert-name').click();
    await eventually(() => dataTest('bc-preview').textContent()).toContain('张三同志：本月 20 日');
    expect(await dataTest('bc-text-zh').inputValue()).toMatch(/^\{name\}同志/);

    await dataTest('seg-roles').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '党组织书记' }).click();
    await page.keyboard.press('Escape');
    await dataTest('seg-channel-sim').click();

    // A test send first: this admin has no chat bound, so the 409 is explained and the binding offered here.
    await dataTest('bc-test-send').click();
    await eventually(() => dataTest('bc-test-result').textContent()).toContain('尚未绑定聊天账号');
    await dataTest('bc-bind-channel').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '模拟器' }).click();
    await dataTest('bc-bind-user').fill(ADMIN_CHAT);
    await dataTest('bc-bind-submit').click();
    await eventually(() => dataTest('bc-test-result').textContent()).toContain('测试消息已通过 模拟器 发到你的账号');
    const test = await pushes(ADMIN_CHAT);
    expect(test).toHaveLength(1);
    expect(test[0]).toContain('同志：本月 20 日');

    await dataTest('bc-dry-run').click();
    await dataTest('dry-run-table').waitFor();
    expect(await dataTest('dry-run-total').textContent()).toContain('共 2 位接收人');
    const simRow = await page.locator('[data-test="dry-run-table"] .el-table__body tr', { hasText: '模拟器' }).locator('td').allTextContents();
    // Channel, recipients, reachable now, then per way: the sim reaches both directly.
    expect(simRow.slice(0, 3).map((c) => c.trim())).toEqual(['模拟器', '2', '2']);
    await shoot('compose');
    expect(await fitsPhone()).toBe(0);
  });

  it('sends after a confirmation that names the recipient count and the approval it needs; waits for the approval', async () => {
    await dataTest('bc-send').click();
    await dataTest('bc-confirm-count').waitFor();
    expect(await dataTest('bc-confirm-count').textContent()).toContain('2 位接收人');
    expect(await dataTest('bc-approval').textContent()).toContain('超过审批阈值 1');
    await shoot('confirm');
    await dataTest('bc-confirm-send').click();
    await page.waitForURL(/\/console\/broadcasts\/[A-Za-z0-9_-]+$/);

    await dataTest('status-awaitingApproval').waitFor();
    // The creator is not offered the approval (a second admin must give it).
    expect(await dataTest('bc-approve').count()).toBe(0);
    expect(await dataTest('bc-cancel').count()).toBe(1);
    await shoot('awaiting');
    expect(await pushes(secretaries[0]!.userId)).toEqual([]);
  });

  it('another admin approves; the detail page, asking again by itself, follows it to done and stops asking', async () => {
    const id = page.url().split('/').pop()!;
    const approved = await r.api('POST', `/broadcasts/${id}/approve`, approverToken);
    expect(approved.status).toBe(200);

    await dataTest('status-done').waitFor({ timeout: DELIVERY_TIMEOUT_MS });
    const count = async (state: string) => Number((await dataTest(`bc-count-${state}`).locator('.rc-bc-count-n').textContent())?.trim());
    expect(await count('sent')).toBe(2);
    for (const state of ['pending', 'sending', 'failed', 'skipped', 'unknown']) expect(await count(state)).toBe(0);
    expect(await dataTest('progress-percent').textContent()).toContain('100% (2/2)');
    expect(await dataTest('bc-polling').textContent()).toContain('已停止自动刷新');
    await eventually(() => page.locator('[data-test="bc-recipients"] .el-table__body tr').count()).toBe(2);
    expect(await dataTest('bc-recipients').textContent()).toContain('已送达');
    await shoot('detail');
    expect(await fitsPhone()).toBe(0);
  });

  it('each secretary received the notice once, with their own name; the staff member nothing', async () => {
    for (const s of secretaries) {
      const got = await pushes(s.userId);
      expect(got).toHaveLength(1);
      expect(got[0]).toContain(`${s.name}同志：本月 20 日`);
    }
    expect(await pushes(staff.userId)).toEqual([]);
    // The test send went to the admin's chat only, and the broadcast itself did not go there.
    expect(await pushes(ADMIN_CHAT)).toEqual([]);
  });

  it('the list shows it done with its progress, filters by status, and reads in English', async () => {
    await page.goto(`${base}/console/broadcasts`);
    await dataTest('bc-table').waitFor();
    await eventually(() => page.locator('[data-test="bc-table"] .el-table__body tr').count()).toBe(1);
    expect(await dataTest('bc-table').textContent()).toContain('已完成');
    await shoot('list');
    expect(await fitsPhone()).toBe(0);

    await dataTest('bc-filter-status').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '草稿' }).click();
    await page.waitForURL(/status=draft/);
    await eventually(() => page.locator('[data-test="bc-table"] .el-table__body tr').count()).toBe(0);

    await dataTest('lang-en').click();
    await page.goto(`${base}/console/broadcasts`);
    await dataTest('bc-table').waitFor();
    await page.locator('[data-test="bc-open"]').first().click();
    // The list's rows carry status tags too: wait for the detail page itself, not for a tag the list also shows.
    await page.waitForURL(/\/console\/broadcasts\/[A-Za-z0-9_-]+$/);
    await dataTest('bc-counts').waitFor();
    expect(await page.locator('main').textContent()).toContain('Breakdown');
    await shoot('detail-en');
    expect(pageErrors).toEqual([]);
  });

  it('the recipients table says why a recipient was skipped and what lies behind it (which mute), in English and in Chinese', async () => {
    expect((await simSay(base, staff.userId, '退订 通知')).map((x) => x.text).join('\n')).toContain('已退订');
    const id = (await r.api('POST', '/broadcasts', approverToken, { text: { 'zh-CN': '{name}：年检材料请于月底前提交。' }, segment: { roles: ['staff'] } })).body.id as string;
    expect((await r.api('POST', `/broadcasts/${id}/send`, approverToken)).body.status).toBe('sending');
    await page.goto(`${base}/console/broadcasts/${id}`);
    await dataTest('status-done').waitFor({ timeout: DELIVERY_TIMEOUT_MS });
    await eventually(() => page.locator('[data-test="bc-recipients"] .el-table__body tr').count()).toBe(1);
    const row = page.locator('[data-test="bc-recipients"] .el-table__body tr').first();
    expect(await row.textContent()).toContain('Muted');
    expect(await row.locator('[data-test="bc-recipient-detail"]').textContent()).toBe('They muted training notices ("退订 通知")');
    await shoot('detail-skipped-en');
    await dataTest('lang-zh').click();
    await eventually(() => row.locator('[data-test="bc-recipient-detail"]').textContent()).toBe('本人已退订培训通知（退订 通知）');
    expect(await row.textContent()).toContain('已免打扰');
    expect(await shoot('detail-skipped')).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
