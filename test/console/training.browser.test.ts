/**
 * The training and reminders pages of the console in a real browser against the whole app: create a session in
 * the form, see a worker's enrolment on its page, open the check-in screen, see the code change when the app's
 * clock moves (the test clock, never a real 30 s wait), check the worker in through /sim with the code shown and
 * see the count go up; then the reminders summary (table and chart) and the region's settings form, in both
 * languages. Each page is photographed at 1280 and 375 px into test-results/console/.
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../tools/console-build.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { consolePage, DESK, eventually, PHONE, SHOTS, UI_TIMEOUT_MS } from '../support/consolePage.ts';
import { simSay } from '../support/httpApp.ts';

const MINUTE = 60_000;
const TITLE = '两新组织党务工作者继续教育班';
const LATER = '下周资格培训班';
const STAGED = '初级资格培训班（培训测试阶段）';
/** A `datetime-local` value in China time. */
const chinaLocal = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);

describe('training and reminders in the console', () => {
  let r: AdminApiApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let worker: { id: string; userId: string; name: string };
  let sessionId: string;
  const pageErrors: string[] = [];
  const ui = consolePage(() => page);
  const { dataTest } = ui;
  /** The input of a form field, whether the data-test landed on the input or on its wrapper. */
  const field = (id: string) => page.locator(`input[data-test="${id}"], [data-test="${id}"] input`).first();
  const text = async (id: string) => (await dataTest(id).textContent()) ?? '';
  const say = async (text: string) => (await simSay(base, worker.userId, text)).map((m) => [m.text, ...(m.choices ?? []).map((c) => c.label)].join('\n')).join('\n');

  /** Photographs the page; at phone width nothing may scroll sideways (tables scroll inside their own box). */
  async function shoot(name: string): Promise<void> {
    expect(await ui.shoot(name), name).toBeLessThanOrEqual(0);
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ log: () => undefined });
    r = await startAdminApiApp('training_browser', { env: { SIM_ENABLED: 'true' }, startAt: new Date() });
    base = r.app.url;
    await r.account({ username: 'nanjing-training', password: 'training-pass-1234', regionCode: '320100', name: '南京市两新工委' });
    worker = await r.worker({ name: '李红' });
    browser = await launchTestBrowser({ viewport: DESK });
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await ui.login(base, { username: 'nanjing-training', password: 'training-pass-1234' });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('creates a session in the form; a bad one is refused with the API\'s reason and the form kept', async () => {
    await page.goto(`${base}/console/training`);
    await dataTest('session-new').click();
    // Starts a few minutes from now and runs an hour: check-in is open "today".
    const now = r.clock.now();
    await dataTest('f-title').fill(TITLE);
    await dataTest('f-starts').fill(chinaLocal(new Date(now.getTime() + 5 * MINUTE)));
    await dataTest('f-ends').fill(chinaLocal(new Date(now.getTime() - 5 * MINUTE)));
    await dataTest('f-place').fill('南京市委党校 3 号楼');
    await dataTest('session-save').click();
    await eventually(() => text('session-problem')).toContain('endsAt must be after startsAt');
    expect(await dataTest('f-title').inputValue()).toBe(TITLE);
    await dataTest('f-ends').fill(chinaLocal(new Date(now.getTime() + 65 * MINUTE)));
    await dataTest('session-save').click();
    await dataTest('session-table').getByText(TITLE).waitFor();
    const list = await r.api('GET', '/training/sessions', (await r.token('检查', '320100')));
    sessionId = list.body.items.find((s: { title: string }) => s.title === TITLE).id;
    await shoot('training-sessions');
  });

  it('the session page shows the enrolled worker by name', async () => {
    expect(await say('培训')).toContain(TITLE);
    expect(await say('1')).toContain('已报名');
    await page.goto(`${base}/console/training/${sessionId}`);
    await dataTest('enrolled-table').getByText(worker.name).waitFor();
    expect(await text('session-counts')).toContain('1/50');
    await shoot('training-session');
    // At phone width the enrolled are cards: the score and the attendance button are on screen, not scrolled away.
    await page.setViewportSize({ width: 375, height: 740 });
    // regression (flaky): the table's button, found before the page switched to cards, was gone when measured
    // (boundingBox null). Wait for the card list, then measure the button inside it.
    const cards = page.locator('ul.rc-card-list[data-test="enrolled-table"]');
    await cards.waitFor();
    const button = cards.locator('[data-test="mark-attendance"]');
    await button.waitFor();
    const box = await button.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(375);
    expect(await text('enrolled-table')).toContain(worker.name);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('the check-in screen: the code changes when the clock moves, a worker checks in with it and the count goes up', async () => {
    await dataTest('open-checkin').click();
    await page.waitForURL(/\/checkin$/);
    await eventually(() => text('checkin-code')).toMatch(/^\d{6}$/);
    const first = await text('checkin-code');
    expect(await text('checkin-count')).toContain('今日已签到 0 人');
    expect(await text('checkin-countdown')).toMatch(/\d+ 秒后更换签到码/);
    expect(await dataTest('checkin-qr').locator('svg').count()).toBe(1);
    // Five minutes before the start check-in is open: no warning that the chat would refuse the code.
    expect(await dataTest('checkin-closed').count()).toBe(0);
    await shoot('training-checkin');

    // The next 30-second window: the screen shows the new code without a reload.
    r.clock.advance(31_000);
    await eventually(() => text('checkin-code')).not.toBe(first);
    const shown = await text('checkin-code');
    expect(await say(`签到 ${shown}`)).toContain('签到成功');
    await eventually(() => text('checkin-count')).toContain('今日已签到 1 人');
  });

  it('the rotation page lists the region\'s workers near five years in post, in both languages', async () => {
    const inFourYearsTen = new Date(r.clock.now().getTime() + 8 * 3_600_000 - (5 * 365 - 20) * 86_400_000).toISOString().slice(0, 10);
    await r.worker({ name: '周满任', role: 'secretary', region: '320102', workStart: inFourYearsTen });
    await page.goto(`${base}/console/reminders/rotation`);
    await dataTest('rotation-list').getByText('周满任').waitFor();
    expect(await text('rotation-list')).toContain('党组织书记');
    expect(await text('rotation-list')).toContain('尚未排期');
    await shoot('reminders-rotation');
    await dataTest('lang-en').click();
    await eventually(() => text('rotation-list')).toContain('Not scheduled yet');
    await shoot('reminders-rotation-en');
    await dataTest('lang-zh').click();
  });

  it('the reminders page: the summary per kind and reason, and the region\'s settings saved', async () => {
    // A session next week: enrolling schedules its reminders (the day before, two hours before).
    const token = await r.token('南京', '320100');
    const startsAt = new Date(r.clock.now().getTime() + 7 * 24 * 60 * MINUTE);
    const created = await r.api('POST', '/training/sessions', token, { title: LATER, kind: 'continuing', regionCode: '320100', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 60 * MINUTE * 8).toISOString(), hours: 8, capacity: 5, enrolBy: startsAt.toISOString(), place: '党校' });
    expect(created.status).toBe(201);
    const menu = (await simSay(base, worker.userId, '培训')).flatMap((m) => m.choices ?? []);
    expect(await say(String(menu.findIndex((c) => c.label.includes(LATER)) + 1))).toContain('已报名');

    await page.goto(`${base}/console/reminders`);
    await dataTest('summary-table').getByText('培训开课').first().waitFor();
    expect(await text('summary-table')).toContain('待发送');
    await dataTest('chart-reminders').locator('canvas').first().waitFor();
    await eventually(() => text('settings-source')).toContain('政策默认设置');
    await shoot('reminders');

    await field('offsets-rotation').fill('24, x');
    await dataTest('settings-save').click();
    expect(await text('settings-problem')).toContain('任职满五年');
    await field('offsets-rotation').fill('42360');
    await field('settings-cap').fill('2');
    await dataTest('settings-save').click();
    await eventually(() => text('settings-source')).toContain('本地区设置');
    const saved = await r.api('GET', '/reminders/settings', token);
    expect(saved.body).toMatchObject({ source: 'region', settings: { dailyCap: 2 } });

    // regression: at 375 px the reminder kinds table scrolled sideways, its offsets' inputs out of sight; both
    // tables are cards there, every input inside the screen.
    await page.setViewportSize(PHONE);
    await dataTest('kinds-cards').waitFor();
    expect(await dataTest('kinds-table').count()).toBe(0);
    expect(await field('offsets-rotation').inputValue()).toBe('42360');
    for (const kind of ['sessionStart', 'rotation', 'abandonedConversation']) {
      const box = await field(`offsets-${kind}`).boundingBox();
      expect(box, kind).not.toBeNull();
      expect(box!.x + box!.width, kind).toBeLessThanOrEqual(PHONE.width);
    }
    expect(await text('summary-cards')).toContain('培训开课');
    expect(await text('summary-cards')).toContain('待发送');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.setViewportSize(DESK);
    await dataTest('kinds-table').waitFor();

    await dataTest('lang-en').click();
    await eventually(() => text('settings-source')).toContain('Set for this region');
    expect(await text('summary-table')).toContain('Session start');
    await shoot('reminders-en');
    await page.goto(`${base}/console/training`);
    await dataTest('session-table').getByText(TITLE).waitFor();
    await shoot('training-sessions-en');
    await dataTest('lang-zh').click();
    expect(pageErrors).toEqual([]);
  });

  it('the session form offers who may enrol by level, role and application stage; the session page shows it and its edit changes it', async () => {
    const pick = async (select: string, option: string) => {
      await dataTest(select).last().click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: option }).click();
      // A click on the dialog's title closes the dropdown (Escape would close the dialog too).
      await page.locator('.el-dialog__title:visible').click();
    };
    await page.goto(`${base}/console/training`);
    await dataTest('session-new').click();
    const startsAt = new Date(r.clock.now().getTime() + 3 * 24 * 60 * MINUTE);
    await dataTest('f-title').fill(STAGED);
    await dataTest('f-starts').fill(chinaLocal(startsAt));
    await dataTest('f-ends').fill(chinaLocal(new Date(startsAt.getTime() + 8 * 60 * MINUTE)));
    await dataTest('f-place').fill('南京市委党校 5 号楼');
    await pick('f-levels', '初级');
    await pick('f-roles', '党组织书记');
    await pick('f-stages', '培训测试');
    await shoot('training-session-audience');
    await dataTest('session-save').click();
    await dataTest('session-table').getByText(STAGED).waitFor();
    const token = await r.token('检查', '320100');
    const created = (await r.api('GET', '/training/sessions', token)).body.items.find((x: { title: string }) => x.title === STAGED);
    expect(created).toMatchObject({ levels: ['junior'], roles: ['secretary'], stages: ['trainingTest'] });

    await page.goto(`${base}/console/training/${created.id}`);
    await eventually(() => text('session-audience')).toContain('申报处于“培训测试”');
    expect(await text('session-audience')).toContain('初级');
    expect(await text('session-audience')).toContain('党组织书记');
    await dataTest('session-edit').click();
    // The dialog's audience fields fetch the catalog when they first mount; until it arrives the stage select has
    // no options and shows the stored id ("trainingTest"). Options that arrive while its dropdown is open move the
    // dropdown, and a click aimed at an item before that lands beside it: the likely cause of one CI run (3 December)
    // in which 综合评审 was not picked and the edit saved no change. The label in the tag says the options are there.
    await eventually(() => dataTest('f-stages').last().innerText()).toContain('培训测试');
    await pick('f-stages', '综合评审');
    await dataTest('edit-save').click();
    await eventually(() => text('session-audience')).toContain('申报处于“培训测试”或“综合评审”');
    expect((await r.api('GET', `/training/sessions/${created.id}`, token)).body.stages).toEqual(['trainingTest', 'comprehensiveReview']);
    await shoot('training-session-stages');
    expect(pageErrors).toEqual([]);
  });
});
