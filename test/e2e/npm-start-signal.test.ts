/**
 * Regression: "SIGTERM to the `npm start` process left the app and its embedded database running". npm passes the
 * signal to its child only; with `tsx src/main.ts` behind `sh -c` that child was the shell, which died without
 * passing it on, and the app went on serving, orphaned, holding the data file. The script now `exec`s node, so
 * npm's child is the app itself.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/engineHarness.ts';

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('regression: SIGTERM to the npm start process left the app and its embedded database running', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'redcollar-npm-start-'));
    dirs.push(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', EMBEDDED_MONGO_BACKEND: 'h2' };
    delete env.MONGODB_URI;
    // Its own process group, so that afterwards we can see whether anything of it is left.
    const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const pgid = npm.pid!;
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        createInterface({ input: npm.stdout! }).on('line', (line) => {
          const match = /Simulator: (http:\/\/\S+)\/sim/.exec(line);
          if (match) resolveUrl(match[1]!);
        });
        npm.once('exit', (code) => reject(new Error(`npm start exited with code ${code} before it was ready`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      npm.kill('SIGTERM'); // npm's own process only, as a process manager would signal it
      // Bounded by the shutdown limit (30 s by default): everything in the group must be gone by then.
      for (let i = 0; groupAlive(pgid) && i < 400; i++) await sleep(100);
      expect(groupAlive(pgid)).toBe(false);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  }, 120_000);
});
