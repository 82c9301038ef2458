/**
 * What a newcomer still tripped over in the console (issue 11), in a real browser against the whole app: Chinese
 * names on the English pages, the reminder settings' typed region code, the 年检/考核 tables cut off at phone width,
 * an empty certificates page before any search, a test send's raw `unreachable:noChannel`, and a notice held by
 * quiet hours without a word about it. The app's clock is held at 23:00 China time (quiet hours). Screenshots at
 * 1280 and 375 px in test-results/console/newcomer-*.png.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, PHONE, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';

const CITY = { username: 'nanjing-cui3', password: 'city-password-1' };
const CERT = 'MP2026001';
const NEWER = 'MP2026002';
const WUXI = 'WX2026001';

/**
 * The next 23:00 in China (15:00 UTC) after now: inside the quiet hours, and ahead of the real time, since the
 * session cookie's expiry comes from the app's clock and the browser drops a cookie expired by its own.
 */
function nextChinaNight(now: Date): Date {
  const at = new Date(now);
  at.setUTCHours(15, 0, 0, 0);
  if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

/** Data, not labels: names of people, organisations, regions and the notice's Chinese text stay Chinese in en. */
const NOTE = '年度党务工作台账缺失，组织生活记录不全，需在三十日内补齐后复查';
const REASON = '台账已补齐，复查通过';
const DATA = ['南京市两新工委', '南京市', '玄武区', '钱多多', '钱*多', '赵强', '赵*', '某某科技有限公司', '今晚的培训通知', NOTE, REASON, '中文'];

/** In-page source: the Chinese runs left in the page's text once the data above is taken out. */
const CHINESE_LEFT = `(() => {
  let text = document.body.innerText;
  for (const d of ${JSON.stringify(DATA)}) text = text.split(d).join(' ');
  return [...new Set([...text.matchAll(/[\\u3400-\\u9fff\\u3000-\\u303f\\uff00-\\uffef]+/g)].map((m) => m[0]))];
})()`;

describe('what a newcomer trips over in the console', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let token = '';
  let applicationId = '';
  let broadcastId = '';
  let draftId = '';
  const pageErrors: string[] = [];
  const ui = consolePage(() => page, { prefix: 'newcomer-' });
  const { dataTest, shoot } = ui;
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    r = await startAdminApiApp('newcomer_browser', { env: { SIM_ENABLED: 'true' }, startAt: nextChinaNight(new Date()) });
    base = r.app.url;
    token = (await r.account({ ...CITY, regionCode: '320100', name: '南京市两新工委' })).token;
    const worker = await r.worker({ name: '钱多多', role: 'secretary' });
    await r.worker({ name: '赵强', role: 'staff' });
    applicationId = (await r.seed({ level: 'intermediate', workerId: worker.id, regionCode: '320102', stage: 'qualificationReview' })).id;
    await r.issue({ level: 'intermediate', workerId: worker.id, regionCode: '320102', issuedOn: `${year}-01-10`, validUntil: `${year + 3}-01-09` }, CERT);
    await r.issue({ level: 'intermediate', workerId: 'someone-else', regionCode: '320102', issuedOn: `${year}-01-20`, validUntil: `${year + 3}-01-19` }, NEWER);
    await r.issue({ level: 'intermediate', workerId: 'in-wuxi', regionCode: '320205', issuedOn: `${year}-02-01`, validUntil: `${year + 3}-01-31` }, WUXI);
    const recorded = await r.api('POST', `/certificates/${CERT}/inspections`, token, { year, passed: false, note: NOTE });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
    const corrected = await r.api('POST', `/certificates/${CERT}/inspections/${year}/correction`, token, { passed: true, reason: REASON });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);

    // A notice sent at 23:00: its recipients wait for the quiet hours to end.
    const made = await r.api('POST', '/broadcasts', token, { text: { 'zh-CN': '今晚的培训通知', en: 'Tonight’s training notice' }, segment: {} });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    broadcastId = made.body.id;
    expect((await r.api('POST', `/broadcasts/${broadcastId}/send`, token)).status).toBe(200);
    for (let i = 0; i < 20; i++) {
      const held = await r.api('GET', `/broadcasts/${broadcastId}/recipients?status=pending`, token);
      if (held.body.items?.some((x: { reason?: string }) => x.reason === 'quietHours')) break;
      await r.app.scheduler.catchUp(0);
    }
    // A draft whose test send goes to a channel this app has not enabled.
    draftId = (await r.api('POST', '/broadcasts', token, { text: { 'zh-CN': '今晚的培训通知' }, segment: {} })).body.id;
    expect((await r.api('PUT', '/broadcasts/test-target', token, { channel: 'telegram', userId: '12345' })).status).toBe(200);

    browser = await launchTestBrowser({ viewport: DESK });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await ui.login(base, CITY);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  /** Opens a console page and waits for a mark of its content; Chinese unless asked (the language is remembered). */
  async function open(path: string, ready: string, lang: 'zh' | 'en' = 'zh') {
    await page.goto(`${base}/console/${path}`);
    await dataTest(`lang-${lang}`).click();
    await dataTest(ready).first().waitFor();
  }

  it('regression: the en dashboard and reports named stages, levels and waiting times in Chinese', async () => {
    await open('dashboard', 'chart-stage', 'en');
    for (const chart of ['chart-stage', 'chart-level', 'chart-waiting']) await dataTest(`${chart}-toggle`).click();
    await eventually(() => dataTest('chart-stage-table').textContent()).toContain('Qualification review');
    expect(await dataTest('chart-level-table').textContent()).toContain('Intermediate');
    expect(await dataTest('chart-waiting-table').textContent()).toContain('0–3 days');
    await eventually(() => page.evaluate<string[]>(CHINESE_LEFT)).toEqual([]);
    expect(await shoot('dashboard-en')).toBe(0);

    await open('reports', 'counts-table', 'en');
    await eventually(() => dataTest('counts-table').textContent()).toContain('Intermediate');
    expect(await page.evaluate<string[]>(CHINESE_LEFT)).toEqual([]);
    expect(await shoot('reports-en')).toBe(0);
  });

  it('regression: other en pages showed Chinese brackets and colons (玄武区（320102）, “Saved filters：”)', { timeout: 120_000 }, async () => {
    const pages: [string, string][] = [
      ['applications', 'queue-open'],
      [`applications/${applicationId}`, 'history'],
      ['certificates', 'cert-table'],
      [`certificates/${CERT}`, 'cert-region'],
      ['audit', 'audit-table'],
      ['accounts', 'accounts-table'],
      ['broadcasts', 'bc-table'],
      [`broadcasts/${broadcastId}`, 'bc-counts'],
      ['reminders', 'settings-card'],
      ['reminders/rotation', 'rotation-days'],
      ['broadcasts/new', 'bc-text-zh'],
      ['polls', 'polls-status'],
      ['training', 'session-new'],
      ['password', 'pw-current'],
    ];
    for (const [path, ready] of pages) {
      await open(path, ready, 'en');
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate<string[]>(CHINESE_LEFT), path).toEqual([]);
      // At phone width some lists turn into cards: those are checked too.
      await page.setViewportSize(PHONE);
      expect(await page.evaluate<string[]>(CHINESE_LEFT), `${path} at ${PHONE.width} px`).toEqual([]);
      await shoot(`en-${path.replace(/\//g, '_').replace(applicationId, 'id').replace(broadcastId, 'id')}`);
    }
    await open(`certificates/${CERT}`, 'cert-region', 'en');
    expect(await dataTest('cert-region').textContent()).toBe('玄武区 (320102)');
    await dataTest('lang-zh').click();
    await eventually(() => dataTest('cert-region').textContent()).toBe('玄武区（320102）');
  });

  it('regression: the 年检 table was cut off at phone width: each record is a card with its correction and action in sight', async () => {
    await open(`certificates/${CERT}`, 'annual-table-inspection');
    await page.setViewportSize(PHONE);
    const cards = dataTest('annual-cards-inspection');
    await cards.waitFor();
    expect(await cards.textContent()).toContain(REASON);
    const correct = dataTest('annual-correct-inspection');
    const box = await correct.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    expect(await ui.fitsPhone()).toBe(0);
    expect(await shoot('certificate')).toBe(0);
  });

  it('regression: the certificates page was empty until a search; it lists the region’s newest first and says what to search by', async () => {
    await open('certificates', 'cert-table');
    expect(await dataTest('cert-list-title').textContent()).toBe('本地区最近发放的证书');
    const numbers = await dataTest('cert-table').locator('tbody tr td:first-child').allTextContents();
    expect(numbers.map((n) => n.trim())).toEqual([NEWER, CERT]);
    expect(await shoot('certificates-recent')).toBe(0);
    await dataTest('cert-q').fill('ZZ9999');
    await dataTest('cert-search').click();
    await eventually(() => page.locator('.el-empty__description').textContent()).toContain('请按证书编号（开头几位即可，如 MP2026）或持证人全名查询');
    expect(await dataTest('cert-list-title').textContent()).toBe('查询结果');
    await shoot('certificates-nomatch');
  });

  it('regression: the reminder settings’ region was a typed code; it is picked from the admin’s region and below, by keyboard', async () => {
    await open('reminders', 'settings-card');
    await eventually(() => dataTest('settings-source').textContent()).toContain('政策默认设置');
    // The region is a picker now, not a text box for a code.
    const picker = page.locator('.reminders-region input');
    expect(await picker.count()).toBe(1);
    await picker.click();
    await page.keyboard.type('玄武');
    const suggestion = page.locator('.rc-region-popper .el-cascader__suggestion-item', { hasText: '玄武区' });
    await suggestion.first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await eventually(() => picker.inputValue()).toContain('玄武区');
    await dataTest('settings-cap').locator('input').fill('2');
    await dataTest('settings-save').click();
    await eventually(() => dataTest('settings-source').textContent()).toContain('本地区设置');
    const stored = await r.db.collection('reminder_settings').findOne({ _id: '320102' as never });
    expect(stored).toMatchObject({ settings: { dailyCap: 2 } });
    expect(await shoot('reminders')).toBe(0);
  });

  it('regression: a test send said “测试消息未发出：unreachable:noChannel”', async () => {
    await open(`broadcasts/${draftId}/edit`, 'bc-test-send');
    await dataTest('bc-test-send').click();
    const result = dataTest('bc-test-result');
    await eventually(() => result.textContent()).toContain('无法触达');
    expect(await result.textContent()).toContain('该渠道未启用');
    expect(await result.textContent()).not.toContain('unreachable');
    await shoot('test-send');
  });

  it('regression: a notice held by quiet hours said nothing about it; the detail says they wait and until when', async () => {
    await open(`broadcasts/${broadcastId}`, 'bc-counts');
    const banner = dataTest('bc-quiet');
    await eventually(() => banner.textContent()).toContain('免打扰');
    // 23:00 China time: the quiet hours end the next morning, China time.
    const morning = new Date(r.clock.now().getTime() + 12 * 3_600_000).toISOString().slice(0, 10);
    expect(await banner.textContent()).toMatch(new RegExp(`${morning} 0\\d:\\d\\d`));
    expect(await shoot('broadcast-quiet')).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
