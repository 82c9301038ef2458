/**
 * The console's missing pieces in a real browser: a city administrator records a 年检 and a 年度考核 from the
 * certificate page (with confirmation and a note), sees an API refusal in words, and a county administrator, whose
 * tier may only read, is offered nothing and told why; the account form's region is picked from the tree of
 * regions below, by keyboard, at desk and phone width. Screenshots at 1280 and 375 px in test-results/console/.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';

const CITY = { username: 'nanjing-cui2', password: 'city-password-1' };
const COUNTY = { username: 'xuanwu-cui2', password: 'county-password-2' };
const PROVINCE = { username: 'jiangsu-cui2', password: 'province-password-3' };
const CERT = 'MP2026001';
const CLOSING = 'MP2026002';

describe('certificate records and the account region picker in the browser', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];
  const ui = consolePage(() => page, { prefix: 'cui2-' });
  const { dataTest, shoot } = ui;
  const year = String(new Date().getUTCFullYear());
  let applicationId = '';

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    r = await startAdminApiApp('missing_pieces_browser', { startAt: new Date() });
    base = r.app.url;
    await r.account({ ...CITY, regionCode: '320100', name: '南京市两新工委' });
    await r.account({ ...COUNTY, regionCode: '320102', name: '玄武区两新工委' });
    await r.account({ ...PROVINCE, regionCode: '320000', name: '江苏省两新工委' });
    const worker = await r.worker({ name: '钱多多' });
    applicationId = (await r.seed({ level: 'intermediate', workerId: worker.id, regionCode: '320102', stage: 'qualificationReview' })).id;
    const issuedOn = `${year}-01-10`;
    await r.issue({ level: 'intermediate', workerId: worker.id, regionCode: '320102', issuedOn, validUntil: `${Number(year) + 3}-01-09` }, CERT);
    await r.issue({ level: 'intermediate', workerId: 'other-worker', regionCode: '320102', issuedOn, validUntil: `${Number(year) + 3}-01-09` }, CLOSING);
    browser = await launchTestBrowser({ viewport: DESK });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  const confirmBox = () => page.locator('.el-message-box__btns .el-button--primary').click();

  it('records a failed 年检 with a note, after a confirmation; the certificate is suspended and the table says so', async () => {
    await ui.login(base, CITY);
    await page.goto(`${base}/console/certificates/${CERT}`);
    await dataTest('annual-record-inspection').click();
    await dataTest('annual-dialog').locator('.el-radio-button', { hasText: '未通过' }).click();
    await page.locator('#annual-text').fill('年度党务工作台账缺失');
    await shoot('certificate-record-dialog');
    await dataTest('annual-save').click();
    // The confirmation names the year and the result before anything is sent.
    const box = page.locator('.el-message-box');
    await box.waitFor();
    expect(await box.textContent()).toContain(`${year} 年，未通过`);
    await confirmBox();
    await eventually(() => dataTest('annual-table-inspection').textContent()).toContain('年度党务工作台账缺失');
    expect(await dataTest('annual-table-inspection').textContent()).toContain('未通过');
    await eventually(() => dataTest('cert-status').textContent()).toBe('暂停');
    const stored = await r.db.collection('annual_records').findOne({ certificateNumber: CERT });
    expect(stored?.inspection).toMatchObject({ passed: false, note: '年度党务工作台账缺失' });
  });

  it('records a 年度考核 grade and can be cancelled at the confirmation without sending anything', async () => {
    await dataTest('annual-record-assessment').click();
    await dataTest('annual-grade').click();
    await page.locator('.el-select-dropdown__item', { hasText: '优秀' }).click();
    await dataTest('annual-save').click();
    await page.locator('.el-message-box__btns .el-button', { hasText: '取消' }).click();
    expect(await dataTest('annual-table-assessment').textContent()).not.toContain('优秀');
    await dataTest('annual-save').click();
    await confirmBox();
    await eventually(() => dataTest('annual-table-assessment').textContent()).toContain('优秀');
    expect(await shoot('certificate-recorded')).toBe(0);
  });

  it("shows the API's refusal in words in the dialog, keeping what was typed", async () => {
    await page.goto(`${base}/console/certificates/${CLOSING}`);
    await dataTest('annual-record-inspection').click();
    await page.locator('#annual-text').fill('复核');
    // Revoked by someone else after the page was opened: the API refuses the new 年检.
    await r.db.collection('certificates').updateOne({ _id: CLOSING } as Record<string, unknown>, { $set: { status: 'revoked' } });
    await dataTest('annual-save').click();
    await confirmBox();
    await eventually(() => dataTest('annual-error').textContent()).toContain('证书已撤销，不再年检');
    expect(await page.locator('#annual-text').inputValue()).toBe('复核');
    await shoot('certificate-refused');
    await dataTest('annual-dialog').locator('.el-dialog__footer .el-button', { hasText: '取消' }).click();
    await dataTest('annual-dialog').waitFor({ state: 'hidden' });
  });

  it('offers a tier that may only read no record or correction, and says why in its language', async () => {
    await dataTest('logout').click();
    await page.waitForURL(/\/console\/login/);
    await ui.login(base, COUNTY);
    await page.goto(`${base}/console/certificates/${CERT}`);
    await dataTest('annual-read-only').waitFor();
    expect(await dataTest('annual-read-only').textContent()).toContain('县级管理员只能查看、不能办理');
    expect(await dataTest('annual-record-inspection').count()).toBe(0);
    expect(await dataTest('annual-correct-inspection').count()).toBe(0);
    await dataTest('lang-en').click();
    await eventually(() => dataTest('annual-read-only').textContent()).toContain('a county admin may read but not act on them');
    expect(await dataTest('annual-table-inspection').textContent()).toContain('Failed');
    await shoot('certificate-read-only-en');
    await dataTest('lang-zh').click();
  });

  it('picks the new account’s region from the tree of regions below, by keyboard, and creates it there', async () => {
    await dataTest('logout').click();
    await page.waitForURL(/\/console\/login/);
    await ui.login(base, CITY);
    await page.goto(`${base}/console/accounts`);
    await dataTest('accounts-table').waitFor();
    await dataTest('account-create').click();
    await page.locator('#new-username').fill('qinhuai-cui2');
    await page.locator('#new-name').fill('秦淮区两新工委');
    // The tree holds the regions below only: Nanjing's districts, not Wuxi beside it.
    const regionInput = page.locator('.rc-new-region input');
    await regionInput.click();
    const menu = page.locator('.rc-region-popper .el-cascader-menu').first();
    await eventually(() => menu.isVisible()).toBe(true);
    expect(await menu.textContent()).toContain('玄武区');
    expect(await menu.textContent()).not.toMatch(/无锡|南京市/);
    await page.keyboard.press('Escape');
    await eventually(() => menu.isVisible()).toBe(false);
    // By keyboard: Tab from the name into the picker, type part of a name, pick the suggestion with the arrow keys.
    await page.locator('#new-name').focus();
    await page.keyboard.press('Tab');
    await eventually(() => page.evaluate<boolean>('!!document.activeElement?.closest(".rc-new-region")')).toBe(true);
    await page.keyboard.type('秦淮');
    const suggestion = page.locator('.rc-region-popper .el-cascader__suggestion-item', { hasText: '秦淮区' });
    await suggestion.first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await eventually(() => regionInput.inputValue()).toContain('秦淮区');
    await shoot('accounts-region-picker');
    await dataTest('account-create-confirm').click();
    await dataTest('secret').waitFor();
    await eventually(() => dataTest('accounts-table').textContent()).toContain('qinhuai-cui2');
    const created = await r.db.collection('admins').findOne({ username: 'qinhuai-cui2' });
    expect(created?.regionCode).toBe('320104');
  });

  it('opens the region tree (cities, then their counties) at phone width without the page scrolling sideways', async () => {
    await dataTest('logout').click();
    await page.waitForURL(/\/console\/login/);
    await ui.login(base, PROVINCE);
    await page.goto(`${base}/console/accounts`);
    await dataTest('accounts-table').waitFor();
    await page.setViewportSize({ width: 375, height: 740 });
    await dataTest('account-create').click();
    await page.locator('.rc-new-region').click();
    await page.locator('.rc-region-popper .el-cascader-node', { hasText: '南京市' }).first().click();
    await eventually(() => page.locator('.rc-region-popper .el-cascader-menu').nth(1).textContent()).toContain('玄武区');
    await page.screenshot({ path: `${SHOTS}/cui2-accounts-region-tree-375.png`, fullPage: true });
    expect(await ui.fitsPhone()).toBe(0);
    await page.keyboard.press('Escape');
    expect(pageErrors).toEqual([]);
  });

  it('shows no raw ids (camelCase or dotted) on any page in English at phone width, and no page scrolls sideways', async () => {
    // Still the province administrator of the test before: every page of the region and its levels.
    await page.setViewportSize(DESK);
    await page.goto(`${base}/console/dashboard`);
    await dataTest('lang-en').click();
    const pages = ['dashboard', 'applications', `applications/${applicationId}`, 'certificates', `certificates/${CERT}`, 'reports', 'accounts', 'password', 'polls', 'training', 'broadcasts', 'reminders', 'reminders/rotation'];
    const found: Record<string, string[]> = {};
    const overflow: Record<string, number> = {};
    for (const path of pages) {
      await page.goto(`${base}/console/${path}`);
      await page.locator('.rc-page').first().waitFor();
      await eventually(() => page.locator('.rc-state[role="status"]').count()).toBe(0);
      const name = path.replace(/\//g, '_');
      overflow[path] = await shoot(`en-${name}`);
      const text = await page.evaluate<string>('document.body.innerText');
      const raw = [...new Set(text.match(/\b[a-z]+[A-Z][A-Za-z]+\b|\b[a-z]+\.[a-z][A-Za-z]+\b/g) ?? [])];
      if (raw.length) found[path] = raw;
    }
    expect(found).toEqual({});
    expect(Object.values(overflow).every((px) => px === 0), JSON.stringify(overflow)).toBe(true);
    await dataTest('lang-zh').click();
    // Thirteen pages, each photographed twice: one test, long by its size, not by waiting.
  }, 240_000);
});
