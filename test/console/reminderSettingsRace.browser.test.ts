/**
 * The reminder settings form and a region's settings that answer late, in a real browser against the whole app:
 * the chosen region's answer is held back (route interception) while the admin types a daily cap, and what they
 * typed is what is saved. Screenshots at 1280 and 375 px in test-results/console/reminder-race-*.png.
 */
import { mkdir } from 'node:fs/promises';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';

const CITY = { username: 'nanjing-race', password: 'city-password-race-1' };
/** The city's own cap: what the district inherits, and what a late answer would put back into the form. */
const CITY_CAP = 7;

describe('reminder settings: a region whose settings answer late', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];
  const ui = consolePage(() => page, { prefix: 'reminder-race-' });
  const { dataTest, shoot } = ui;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    r = await startAdminApiApp('reminder_race_browser', { startAt: new Date() });
    base = r.app.url;
    const { token } = await r.account({ ...CITY, regionCode: '320100', name: '南京市两新工委' });
    const city = await r.api('GET', '/reminders/settings', token);
    expect(city.status, JSON.stringify(city.body)).toBe(200);
    const saved = await r.api('PUT', '/reminders/settings', token, { ...city.body.settings, dailyCap: CITY_CAP });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    browser = await launchTestBrowser({ viewport: DESK });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('regression: a cap typed right after picking the region was overwritten by the late answer and saved as the default', async () => {
    await ui.login(base, CITY);
    // Only the district's settings are held; the page's first answer (the city's) comes at once.
    let arrived!: () => void;
    const held = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/admin\/api\/reminders\/settings\?(?:.*&)?region=320102(?:&|$)/, async (route: Route) => {
      if (route.request().method() !== 'GET') return route.continue();
      arrived();
      await released;
      return route.continue();
    });
    await page.goto(`${base}/console/reminders`);
    await eventually(() => dataTest('settings-source').textContent()).toContain('本地区设置');
    const cap = dataTest('settings-cap').locator('input');
    expect(await cap.inputValue()).toBe(String(CITY_CAP));

    const picker = page.locator('.reminders-region input');
    await picker.click();
    await page.keyboard.type('玄武');
    // Picked with the mouse: Enter in the form's picker would also submit the form.
    await page.locator('.rc-region-popper .el-cascader__suggestion-item', { hasText: '玄武区' }).first().click();
    await held;

    // The admin types the cap as soon as the page lets them and moves on (Tab: the box takes the number). The
    // answer is let go only once that is done or the page refuses it for now (the box disabled while the region
    // loads): never before a typing it would undo.
    const typing = cap.fill('2').then(() => cap.press('Tab'));
    const refusedForNow = (async () => {
      if (!(await cap.isDisabled())) await new Promise<never>(() => undefined);
    })();
    await Promise.race([typing, refusedForNow]);
    await shoot('loading');
    release();
    await typing;
    await eventually(() => dataTest('settings-source').textContent()).toContain('沿用');
    // The district's answer has been shown; the cap is still what the admin typed.
    expect(await cap.inputValue()).toBe('2');
    await dataTest('settings-save').click();
    await eventually(() => dataTest('settings-source').textContent()).toContain('本地区设置');
    const stored = await r.db.collection('reminder_settings').findOne({ _id: '320102' as never });
    expect(stored).toMatchObject({ settings: { dailyCap: 2 } });
    expect(await cap.inputValue()).toBe('2');
    expect(await shoot('saved')).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
