import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveChromium } from './browser.ts';

describe('resolveChromium', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('refuses a CHROMIUM_PATH that is not an executable instead of falling back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redcollar-browser-test-'));
    dirs.push(dir);
    const notExecutable = join(dir, 'chromium');
    await writeFile(notExecutable, 'not a browser', { mode: 0o644 });
    await expect(resolveChromium({ CHROMIUM_PATH: notExecutable })).rejects.toThrow(
      new RegExp(`CHROMIUM_PATH is set to ${notExecutable}, which is not an executable file.*@sparticuz/chromium`),
    );
    await expect(resolveChromium({ CHROMIUM_PATH: join(dir, 'missing') })).rejects.toThrow(/not an executable file/);
  });

  it('uses CHROMIUM_PATH first when it is set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redcollar-browser-test-'));
    dirs.push(dir);
    const fake = join(dir, 'my-chrome');
    await writeFile(fake, '#!/bin/sh\n', { mode: 0o755 });
    const resolved = await resolveChromium({ CHROMIUM_PATH: fake });
    expect(resolved.source).toBe('CHROMIUM_PATH');
    expect(resolved.executablePath).toBe(fake);
    expect(resolved.args).toContain('--headless');
  });
});
