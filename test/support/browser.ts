/**
 * The one way browser tests get a Chromium. Resolution order, first match wins:
 *   1. CHROMIUM_PATH, when set: an explicit choice, so a wrong path is an error rather than a silent fallback;
 *   2. /usr/bin/chromium, Debian's package (`apt-get install chromium`);
 *   3. the headless Chromium shipped inside the npm package @sparticuz/chromium (a devDependency), so that
 *      `npm ci && npm test` passes on a machine with no browser installed.
 */
import { createRequire } from 'node:module';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Flags for every source: no sandbox (tests run as root), and nothing that talks to Google. */
const COMMON_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * @sparticuz/chromium's recommended flags switch off web security for serverless scraping; a test of our own
 * pages' security headers and CSP must run in a browser that enforces them.
 */
const UNSAFE_PACKAGED_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials']);

export type ChromiumSource = 'CHROMIUM_PATH' | 'debian' | '@sparticuz/chromium';

export interface ResolvedChromium {
  source: ChromiumSource;
  executablePath: string;
  args: string[];
}

const HOW_TO =
  'Browser tests look for Chromium in this order: CHROMIUM_PATH (a Chromium or Chrome executable), ' +
  `${DEBIAN_CHROMIUM} (Debian: \`apt-get install chromium\`), then the binary shipped in the npm package ` +
  '@sparticuz/chromium (installed by `npm ci`).';

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isErrnoCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/**
 * Unpacks the packaged Chromium once per package version into its own directory under the system temp dir.
 * The package itself unpacks into the bare temp dir (/tmp/chromium), not atomically and not per version: a
 * parallel test worker could start a half-written binary, and a leftover from another version would be used.
 * So it unpacks into a private staging directory, which is then renamed into place: the first rename wins,
 * and a directory that exists is complete.
 */
async function unpackPackagedChromium(): Promise<ResolvedChromium> {
  // Its package.json is not exported: found from the entry point, which lives two levels below it.
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const { version } = JSON.parse(await readFile(join(dirname(entry), '..', '..', 'package.json'), 'utf8')) as { version: string };
  const { default: Packaged } = await import('@sparticuz/chromium');
  const systemTmp = tmpdir();
  const target = join(systemTmp, `redcollar-chromium-${version}`);
  const executablePath = join(target, 'chromium');
  const args = [...Packaged.args.filter((arg) => !UNSAFE_PACKAGED_ARGS.has(arg)), ...COMMON_ARGS];
  if (await isExecutable(executablePath)) return { source: '@sparticuz/chromium', executablePath, args };

  const staging = await mkdtemp(`${target}-staging-`);
  const savedTmp = process.env.TMPDIR;
  try {
    // The package unpacks into os.tmpdir(), which reads TMPDIR on every call; nothing else in this test
    // worker runs while a file's beforeAll awaits this.
    process.env.TMPDIR = staging;
    await Packaged.executablePath();
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  try {
    await rename(staging, target);
  } catch (error) {
    if (!isErrnoCode(error, 'ENOTEMPTY', 'EEXIST')) throw error;
    // Another worker got there first with the same version: use its copy.
    await rm(staging, { recursive: true, force: true });
  }
  return { source: '@sparticuz/chromium', executablePath, args };
}

export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedChromium> {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) {
    if (!(await isExecutable(explicit))) {
      throw new Error(`CHROMIUM_PATH is set to ${explicit}, which is not an executable file. ${HOW_TO}`);
    }
    return { source: 'CHROMIUM_PATH', executablePath: explicit, args: COMMON_ARGS };
  }
  if (await isExecutable(DEBIAN_CHROMIUM)) return { source: 'debian', executablePath: DEBIAN_CHROMIUM, args: COMMON_ARGS };
  try {
    return await unpackPackagedChromium();
  } catch (error) {
    throw new Error(`No Chromium found: the one in @sparticuz/chromium could not be unpacked (${String(error)}). ${HOW_TO}`);
  }
}

export interface TestBrowser {
  chromium: ResolvedChromium;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A browser with a fresh profile directory of its own, removed again by close(). */
export async function launchTestBrowser(options: { viewport?: { width: number; height: number }; timezoneId?: string } = {}): Promise<TestBrowser> {
  const resolved = await resolveChromium();
  const profile = await mkdtemp(join(tmpdir(), 'redcollar-browser-profile-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: resolved.executablePath,
      headless: true,
      args: resolved.args,
      ...(options.viewport ? { viewport: options.viewport } : {}),
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw new Error(
      `Chromium from ${resolved.source} (${resolved.executablePath}) did not start: ${String(error)}. ${HOW_TO}`,
    );
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    chromium: resolved,
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
