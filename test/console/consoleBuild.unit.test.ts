import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSourceHash, storedHash } from '../../tools/console-build.ts';

describe('console build staleness', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'redcollar-console-hash-'));
    await mkdir(join(dir, 'console', 'src'), { recursive: true });
    await mkdir(join(dir, 'console', 'dist'), { recursive: true });
    await writeFile(join(dir, 'console', 'src', 'main.ts'), 'one');
    await writeFile(join(dir, 'package-lock.json'), '{"v":1}');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const hash = () => consoleSourceHash(join(dir, 'console'), join(dir, 'package-lock.json'));

  it('changes when a console source changes, is renamed, or the dependencies change', async () => {
    const first = hash();
    expect(hash()).toBe(first);
    await writeFile(join(dir, 'console', 'src', 'main.ts'), 'two');
    const second = hash();
    expect(second).not.toBe(first);
    await rm(join(dir, 'console', 'src', 'main.ts'));
    await writeFile(join(dir, 'console', 'src', 'entry.ts'), 'two');
    const third = hash();
    expect(third).not.toBe(second);
    await writeFile(join(dir, 'package-lock.json'), '{"v":2}');
    expect(hash()).not.toBe(third);
  });

  it('ignores the build output itself, so building does not make the build stale', async () => {
    const before = hash();
    await writeFile(join(dir, 'console', 'dist', 'index.html'), '<html>');
    await writeFile(join(dir, 'console', 'dist', '.source-hash'), `${before}\n`);
    expect(hash()).toBe(before);
    expect(storedHash(join(dir, 'console', 'dist'))).toBe(before);
  });

  it('a build without index.html counts as missing', async () => {
    await rm(join(dir, 'console', 'dist', 'index.html'));
    expect(storedHash(join(dir, 'console', 'dist'))).toBeNull();
  });
});
