/**
 * Accounts and tokens in a real browser, as a city administrator uses them: create an account for a county below
 * through the form (its temporary password shown once, and it works), be refused one for a city beside, create a
 * script token (shown once, it works) and revoke it (it stops working); then, signed in as a county administrator,
 * open another county's application by its URL and be refused with the API's reason, nothing of it shown.
 * Screenshots at 1280 and 375 px in test-results/console/.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';

const CITY = { username: 'nanjing-admin', password: 'city-password-1' };
const COUNTY = { username: 'xuanwu-admin', password: 'county-password-2' };

describe('accounts and tokens in the browser', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let otherCountyApp: string;
  const pageErrors: string[] = [];

  const ui = consolePage(() => page);
  const { dataTest, shoot } = ui;
  const login = (who: { username: string; password: string }) => ui.login(base, who);
  /** The account form's region picker, searched by code and chosen with the keyboard. */
  const pickRegion = async (code: string) => {
    await page.locator('.rc-new-region input').click();
    await page.keyboard.type(code);
    await page.locator('.rc-region-popper .el-cascader__suggestion-item').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
  };

  /** The API as a script calls it, with a bearer token. */
  const meWith = async (token: string) => (await fetch(`${base}/admin/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    r = await startAdminApiApp('accounts_browser', { startAt: new Date() });
    base = r.app.url;
    await r.account({ ...CITY, regionCode: '320100', name: '南京市两新工委' });
    await r.account({ ...COUNTY, regionCode: '320102', name: '玄武区两新工委' });
    const worker = await r.worker({ name: '赵敏' });
    otherCountyApp = (await r.seed({ level: 'junior', workerId: worker.id, regionCode: '320104', stage: 'qualificationReview' })).id;
    browser = await launchTestBrowser({ viewport: DESK });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('creates an account for a county below through the form; its temporary password is shown once and works', async () => {
    await login(CITY);
    await page.goto(`${base}/console/accounts`);
    await dataTest('accounts-table').waitFor();
    await dataTest('account-create').click();
    await page.locator('#new-username').fill('qinhuai-admin');
    await page.locator('#new-name').fill('秦淮区两新工委');
    await pickRegion('320104');
    await shoot('accounts-create');
    await dataTest('account-create-confirm').click();
    await dataTest('secret').waitFor();
    const shown = (await dataTest('secret').textContent()) ?? '';
    expect(shown).toContain('临时密码（只显示一次）');
    const temporary = shown.split('：').at(-1)!.trim();
    expect(temporary.length).toBeGreaterThanOrEqual(10);
    await eventually(() => dataTest('accounts-table').textContent()).toContain('qinhuai-admin');
    expect(await dataTest('accounts-table').textContent()).toContain('秦淮区');
    await shoot('accounts-created');

    // It works once, for the first login, which must change it.
    const session = await fetch(`${base}/admin/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'qinhuai-admin', password: temporary }) });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ mustChangePassword: true, account: { regionCode: '320104' } });

    // Shown once: after a reload the page no longer has it.
    await page.reload();
    await dataTest('accounts-table').waitFor();
    expect(await dataTest('secret').count()).toBe(0);
    expect(await page.content()).not.toContain(temporary);
  });

  it('refuses an account for a city beside its own, naming both regions, and creates nothing', async () => {
    await dataTest('account-create').click();
    await page.locator('#new-username').fill('wuxi-admin');
    await page.locator('#new-name').fill('无锡市两新工委');
    // The picker offers only regions below; the API still refuses one beside when a page sends it anyway.
    await page.locator('.rc-new-region input').click();
    const menu = page.locator('.rc-region-popper .el-cascader-menu').first();
    await eventually(() => menu.isVisible()).toBe(true);
    expect(await menu.textContent()).not.toContain('无锡');
    await page.keyboard.press('Escape');
    const error = await page.evaluate(async () => {
      const session = (await (await fetch('/admin/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/admin/api/accounts', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ username: 'wuxi-admin', name: '无锡市两新工委', regionCode: '320200' }),
      });
      return { status: res.status, body: await res.json() };
    }) as { status: number; body: { error: string } };
    expect(error.status).toBe(403);
    expect(error.body.error).toMatch(/320200/);
    expect(error.body.error).toMatch(/320100/);
    await page.keyboard.press('Escape');
    expect(await dataTest('accounts-table').textContent()).not.toContain('wuxi-admin');
    const listed = (await r.db.collection('admins').find({ username: 'wuxi-admin' }).toArray()).length;
    expect(listed).toBe(0);
  });

  it('creates a script token (shown once, it works) and revokes it (it stops working)', async () => {
    await page.locator('.el-tabs__item', { hasText: '接口令牌' }).click();
    await page.locator('#token-label').fill('nightly export');
    await dataTest('token-create').click();
    await eventually(() => dataTest('secret').textContent()).toMatch(/rca_\S+/);
    const token = /rca_\S+/.exec((await dataTest('secret').textContent()) ?? '')![0];
    expect(await meWith(token)).toBe(200);
    await eventually(() => dataTest('tokens-table').textContent()).toContain('nightly export');
    await shoot('accounts-token');

    // The account's own first token is listed too: revoke the row of this one.
    const row = page.locator('[data-test="tokens-table"] .el-table__body tr', { hasText: 'nightly export' });
    await row.locator('[data-test="token-revoke"]').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await row.locator('[data-test="token-revoked"]').waitFor();
    expect(await meWith(token)).toBe(401);
  });

  it("refuses a county admin another county's application opened by its URL (403), showing nothing of it", async () => {
    await dataTest('logout').click();
    await page.waitForURL(/\/console\/login/);
    await login(COUNTY);
    const refused = page.waitForResponse((res) => res.url().endsWith(`/admin/api/applications/${otherCountyApp}`));
    await page.goto(`${base}/console/applications/${otherCountyApp}`);
    expect((await refused).status()).toBe(403);
    const alert = page.locator('.el-alert--error');
    await alert.waitFor();
    // In the admin's language, the API's English reason not shown raw.
    expect(await alert.textContent()).toContain('无权查看');
    expect(await alert.textContent()).not.toContain('outside your region');
    expect(await page.content()).not.toContain('赵');
    await shoot('application-refused');
    expect(pageErrors).toEqual([]);
  });
});
