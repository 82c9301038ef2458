/**
 * The browser tests wait for what the page shows with the UI's deadline (`eventually` in
 * test/support/consolePage.ts), never with vitest's own `expect.poll` default of 1 s.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const HERE = import.meta.dirname;

describe('browser test waits', () => {
  it('regression: the polls page test gave up on 已结束 after 1 s under load (expect.poll without the UI deadline)', async () => {
    const files = (await readdir(HERE)).filter((name) => name.endsWith('.browser.test.ts'));
    expect(files.length).toBeGreaterThan(0);
    const offenders: string[] = [];
    for (const name of files) {
      const lines = (await readFile(join(HERE, name), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (/\bexpect\.poll\(/.test(line)) offenders.push(`${name}:${i + 1}: ${line.trim()}`);
      });
    }
    // Use `eventually(() => …)` from test/support/consolePage.ts instead.
    expect(offenders).toEqual([]);
  });
});
