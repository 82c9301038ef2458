/**
 * The web simulator page (/sim) in a real browser: Chromium (test/support/browser.ts) driven by playwright-core, against the
 * whole app started in-process on its own test database. A conversation is completed by clicking the choice
 * buttons the page renders, the way a person demoing the bot would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser, type TestBrowser } from '../../support/browser.ts';
import { testDbUri } from '../../support/db.ts';

const REPLY_TIMEOUT_MS = 15_000;
const XSS = '<img src=x onerror=alert(1)>';

interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

async function startApp(dataDir: string): Promise<RunningApp> {
  const { startRedcollar } = await import('../../../src/main.ts');
  return startRedcollar({
    PORT: '0',
    HOST: '127.0.0.1',
    MONGODB_URI: testDbUri('sim-page'),
    // Required with MONGODB_URI (src/config.ts); a throwaway key for a throwaway database.
    PII_KEY: randomBytes(32).toString('base64'),
    SIM_ENABLED: 'true',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
  });
}

/** Bot and system messages: one of them is added for every answer from the server, good or bad. */
const ANSWERS = '.msg.bot, .msg.system';

/**
 * Runs `act` (which sends one message) and waits until the page has shown the server's answer to it.
 * Polled from here rather than with waitForFunction, which evaluates strings in the page: the page's CSP
 * (no 'unsafe-eval') rightly refuses that.
 */
async function answered(page: Page, act: () => Promise<void>): Promise<void> {
  const before = await page.locator(ANSWERS).count();
  await act();
  await expect
    .poll(async () => (await page.locator(ANSWERS).count()) > before && !(await page.locator('#send').isDisabled()), {
      timeout: REPLY_TIMEOUT_MS,
    })
    .toBe(true);
}

async function typeAndSend(page: Page, text: string): Promise<void> {
  await answered(page, async () => {
    await page.fill('#message-input', text);
    await page.press('#message-input', 'Enter');
  });
}

async function clickChoice(page: Page, label: string): Promise<void> {
  await answered(page, () => page.locator('.choices button', { hasText: label }).click());
}

async function clickQuick(page: Page, label: string): Promise<void> {
  await answered(page, () => page.locator('.quick button', { hasText: label }).click());
}

/** Texts of the bot messages after the newest user message: what the bot said in its last turn. */
async function lastBotTurn(page: Page): Promise<string> {
  const messages = await page
    .locator('.msg.bot, .msg.user')
    .evaluateAll((nodes) => nodes.map((node) => ({ bot: node.classList.contains('bot'), text: node.textContent ?? '' })));
  let start = messages.length;
  while (start > 0 && messages[start - 1]?.bot) start--;
  return messages
    .slice(start)
    .map((m) => m.text)
    .join('\n');
}

async function choiceLabels(page: Page): Promise<string[]> {
  return page.locator('.choices button:not(.choices-send)').allTextContents();
}

describe('web simulator page', () => {
  let app: RunningApp | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let tempDir: string | undefined;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'redcollar-sim-page-'));
    app = await startApp(join(tempDir, 'data'));
    // Phone width: the page must work there.
    browser = await launchTestBrowser({ viewport: { width: 375, height: 740 } });
    page = browser.page;
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const response = await page.goto(`${app.url}/sim`);
    expect(response?.status()).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('starts as a random sim user, fits a phone screen and shows no script errors', async () => {
    expect(await page.title()).toContain('模拟器');
    expect(await page.inputValue('#user-id')).toMatch(/^sim-[0-9a-f]+$/);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('walks from the menu to the registration questions by clicking choices', async () => {
    await typeAndSend(page, '菜单');
    expect(await page.locator('.msg.user').last().textContent()).toBe('菜单');
    expect(await choiceLabels(page)).toEqual(expect.arrayContaining(['注册', '我的信息', '我能申报什么', '资格申报', '办理进度', '我的证书', '帮助']));

    await clickChoice(page, '办理进度');
    expect(await lastBotTurn(page)).toContain('还没有注册');
    expect(await page.locator('.msg.user').last().textContent()).toBe('办理进度');
    // The menu's buttons went with the click: only the newest bot reply offers choices.
    expect(await page.locator('.choices button', { hasText: '办理进度' }).count()).toBe(0);

    await clickQuick(page, '菜单');
    expect(await choiceLabels(page)).toContain('注册');
    await clickChoice(page, '注册');
    expect(await lastBotTurn(page)).toContain('姓名');

    await typeAndSend(page, '张三');
    expect(await lastBotTurn(page)).toContain('手机号');
  });

  it('shows message text literally, never as markup', async () => {
    await typeAndSend(page, XSS);
    expect(await page.locator('.msg.user').last().textContent()).toBe(XSS);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('regression: web addresses in messages were plain text, not clickable links', async () => {
    await typeAndSend(page, '核验 https://bot.example.org/verify/3201002026C00001。另见 javascript:alert(1) <b>x</b>');
    const links = await page.locator('.msg.user').last().locator('a').evaluateAll((nodes) => nodes.map((a) => ({ href: a.getAttribute('href'), text: a.textContent, target: a.getAttribute('target'), rel: a.getAttribute('rel') })));
    expect(links).toEqual([{ href: 'https://bot.example.org/verify/3201002026C00001', text: 'https://bot.example.org/verify/3201002026C00001', target: '_blank', rel: 'noopener noreferrer' }]);
    expect(await page.locator('.msg.user').last().textContent()).toBe('核验 https://bot.example.org/verify/3201002026C00001。另见 javascript:alert(1) <b>x</b>');
    expect(await page.locator('.msg b').count()).toBe(0);
  });

  it('keeps one transcript per user id and switches between them', async () => {
    const first = await page.inputValue('#user-id');
    const firstCount = await page.locator('.msg').count();
    expect(firstCount).toBeGreaterThan(0);

    await page.fill('#user-id', `${first}-other`);
    await page.press('#user-id', 'Enter');
    expect(await page.locator('.msg').count()).toBe(0);
    // A new user is in no flow: the bot understands the menu choice from scratch.
    await typeAndSend(page, '菜单');
    expect(await choiceLabels(page)).toContain('注册');

    await page.fill('#user-id', first);
    await page.press('#user-id', 'Enter');
    expect(await page.locator('.msg').count()).toBe(firstCount);
    expect(await page.locator('.msg.user', { hasText: '张三' }).count()).toBe(1);

    await page.click('#new-user');
    const fresh = await page.inputValue('#user-id');
    expect(fresh).toMatch(/^sim-[0-9a-f]+$/);
    expect(fresh).not.toBe(first);
    expect(await page.locator('.msg').count()).toBe(0);
  });

  it('shows server and network errors inline as system messages', async () => {
    // A user id the server refuses: a real 400 with the server's reason.
    await page.fill('#user-id', 'not a valid id!');
    await page.press('#user-id', 'Enter');
    await typeAndSend(page, '菜单');
    const refused = await page.locator('.msg.system').last().textContent();
    expect(refused).toContain('400');
    expect(refused).toContain('userId');
    await page.click('#new-user');

    await page.route('**/sim/api/messages', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'boom' }) }),
    );
    await typeAndSend(page, '菜单');
    expect(await page.locator('.msg.system').last().textContent()).toContain('500');

    await page.unroute('**/sim/api/messages');
    await page.route('**/sim/api/messages', (route) => route.abort('connectionrefused'));
    await typeAndSend(page, '菜单');
    expect(await page.locator('.msg.system').last().textContent()).toContain('Network error');
    await page.unroute('**/sim/api/messages');

    // The page recovers once the server answers again.
    await typeAndSend(page, '菜单');
    expect(await choiceLabels(page)).toContain('注册');
    expect(pageErrors).toEqual([]);
  });
});
