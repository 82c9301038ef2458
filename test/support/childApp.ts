import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './engineHarness.ts';

export const CHILD_START_TIMEOUT_MS = 60_000;

export interface RunningChild {
  child: ChildProcess;
  baseUrl: string;
}

/**
 * Starts `src/main.ts` in its own process group (so that one signal reaches the app and its database child) on
 * the embedded database in `dataDir`; resolves with its URL once the start-up banner names the simulator.
 */
export async function startChildApp(dataDir: string, extraEnv: Record<string, string> = {}): Promise<RunningChild> {
  return waitForBanner(spawnApp(['src/main.ts'], 'ignore', dataDir, extraEnv));
}

/** A child app that has loaded its modules and starts (database first, as `npm start` does) when told to. */
export interface PreparedChild {
  start(): Promise<RunningChild>;
  /** Ends the child if it still runs (one never started, when a test fails before it needs it). */
  discard(): Promise<void>;
}

/**
 * Spawns the app to start later (test/support/startOnSignal.ts): it loads its modules now, while the caller still
 * works with the previous process, and opens `dataDir` only on start(), so the two never hold the data together.
 */
export function prepareChildApp(dataDir: string, extraEnv: Record<string, string> = {}): PreparedChild {
  const pending = spawnApp(['test/support/startOnSignal.ts'], 'pipe', dataDir, extraEnv);
  return {
    start: () => {
      pending.child.stdin!.end('start\n');
      return waitForBanner(pending);
    },
    discard: async () => {
      if (pending.child.exitCode !== null || pending.child.signalCode !== null) return;
      pending.child.stdin!.end();
      await killGroup({ child: pending.child, baseUrl: '' }).catch(() => undefined);
    },
  };
}

interface Spawned {
  child: ChildProcess;
  stderr: () => string;
}

function spawnApp(entry: string[], stdin: 'ignore' | 'pipe', dataDir: string, extraEnv: Record<string, string>): Spawned {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', EMBEDDED_MONGO_BACKEND: 'h2', ...extraEnv };
  delete env.MONGODB_URI;
  const child = spawn(process.execPath, ['--import', 'tsx', ...entry], { cwd: ROOT, env, detached: true, stdio: [stdin, 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

function waitForBanner({ child, stderr }: Spawned): Promise<RunningChild> {
  return new Promise<RunningChild>((resolveChild, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start within ${CHILD_START_TIMEOUT_MS} ms; stderr:\n${stderr()}`)), CHILD_START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /Simulator: (http:\/\/\S+)\/sim/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolveChild({ child, baseUrl: match[1]! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with code ${code} before it was ready; stderr:\n${stderr()}`));
    });
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to the whole group (node and java at the same instant), then wait until every member is gone. */
export async function killGroup(app: RunningChild): Promise<void> {
  const pgid = app.child.pid!;
  process.kill(-pgid, 'SIGKILL');
  for (let i = 0; groupAlive(pgid); i++) {
    if (i > 500) throw new Error(`process group ${pgid} still alive 5 s after SIGKILL`);
    await sleep(10);
  }
}
