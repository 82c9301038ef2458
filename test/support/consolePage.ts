/**
 * What every console browser test does with its page: find elements by `data-test`, photograph a page at desk and
 * phone width, check that the phone-width page does not scroll sideways, and log in through the form. One place, so
 * that the widths, the screenshot folder and the login steps are the same in every test file.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../../tools/console-build.ts';

/** Screenshots land here (ignored by git); look at them after a run. */
export const SHOTS = join(ROOT, 'test-results', 'console');

/**
 * How long the tests wait for the page to show something: Playwright's waits (page.setDefaultTimeout) and
 * `eventually` alike. Long because CI is a loaded 2-core machine where one server round trip can take seconds; the
 * tests check what the page ends up showing, never how fast.
 */
export const UI_TIMEOUT_MS = 20_000;

/**
 * `expect.poll` with the UI's deadline. Vitest's own default gives up after 1 s, which a page waiting for the
 * server misses under load: the browser tests must use this (test/console/browserWaits.unit.test.ts checks).
 */
export function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: UI_TIMEOUT_MS, interval: 100 });
}

export const DESK = { width: 1280, height: 800 } as const;
export const PHONE = { width: 375, height: 740 } as const;

/** How far the document scrolls sideways; tables must scroll inside their own box instead, so 0 is right. */
const SIDEWAYS_OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

/**
 * In-page source (the tests compile for Node, without DOM types): per canvas inside the elements whose data-test
 * is `chartId`, how many pixels are not transparent — a drawn chart has some.
 */
export function paintedPixelsScript(chartId: string): string {
  return `[...document.querySelectorAll('[data-test="${chartId}"] canvas')].map((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  })`;
}

export interface ConsolePage {
  dataTest(id: string): Locator;
  /** Saves `<prefix><name>-1280.png` and `-375.png` and answers the page's sideways overflow at phone width. */
  shoot(name: string): Promise<number>;
  /** The page's sideways overflow at phone width, in pixels (the viewport goes back to desk width after). */
  fitsPhone(): Promise<number>;
  /** Logs in through the form and waits for the dashboard. */
  login(base: string, who: { username: string; password: string }): Promise<void>;
}

/**
 * `page` is a getter because the tests open their browser in `beforeAll`, after these helpers are made.
 * `prefix` keeps one file's screenshots apart from another's when they photograph pages of the same name.
 */
export function consolePage(page: () => Page, options: { prefix?: string } = {}): ConsolePage {
  const prefix = options.prefix ?? '';
  const overflowAtPhone = async (): Promise<number> => {
    await page().setViewportSize(PHONE);
    return page().evaluate<number>(SIDEWAYS_OVERFLOW);
  };
  return {
    dataTest: (id) => page().locator(`[data-test="${id}"]`),
    async shoot(name) {
      await page().setViewportSize(DESK);
      await page().screenshot({ path: join(SHOTS, `${prefix}${name}-${DESK.width}.png`), fullPage: true });
      await page().setViewportSize(PHONE);
      await page().screenshot({ path: join(SHOTS, `${prefix}${name}-${PHONE.width}.png`), fullPage: true });
      const overflow = await overflowAtPhone();
      await page().setViewportSize(DESK);
      return overflow;
    },
    async fitsPhone() {
      const overflow = await overflowAtPhone();
      await page().setViewportSize(DESK);
      return overflow;
    },
    async login(base, who) {
      await page().goto(`${base}/console/login`);
      await page().locator('[data-test="username"]').fill(who.username);
      await page().locator('[data-test="password"]').fill(who.password);
      await page().locator('[data-test="login-submit"]').click();
      await page().waitForURL(/\/console\/dashboard/);
    },
  };
}
