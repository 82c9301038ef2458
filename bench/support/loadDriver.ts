/**
 * The benches' side of the load generator child (loadChild.ts): forks it, sends it one job at a time, and reads
 * its CPU time from /proc, so a bench can print the generator's CPU apart from the app's and the database's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { procCpuMs } from './cpu.ts';
import type { LoadJob } from './loadChild.ts';
import type { ProtocolSpec } from './loadProtocols.ts';
import type { LoadRun } from './loadTypes.ts';
import type { PollLoadJob, PollLoadResult } from './pollJob.ts';

/**
 * At most this many connections to the app: Telegram's own limit for webhook deliveries (issue 15), used for
 * every protocol so that the figures compare.
 */
export const MAX_CONNECTIONS = 100;

export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadGenerator> {
    const child = fork(fileURLToPath(new URL('./loadChild.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return new LoadGenerator(child);
  }

  /** The child's CPU time so far (ms), to subtract marks. */
  cpuMs(): number {
    return procCpuMs(this.child.pid!);
  }

  private request<R>(job: LoadJob): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code}) during ${job.op}`));
      this.child.once('exit', onExit);
      this.child.once('message', (m: { ok: true; result: R } | { ok: false; error: string }) => {
        this.child.off('exit', onExit);
        if (m.ok) resolve(m.result);
        else reject(new Error(`load generator, ${job.op}: ${m.error}`));
      });
      this.child.send(job);
    });
  }

  /** Starts the fake Telegram Bot API in the child (it receives the app's replies there); its base URL. */
  async telegramApi(token: string): Promise<string> {
    return (await this.request<{ url: string }>({ op: 'telegramApi', token })).url;
  }

  users(spec: ProtocolSpec, users: number, maxSockets = MAX_CONNECTIONS): Promise<unknown> {
    return this.request({ op: 'users', spec, users, maxSockets });
  }

  /** One fresh user plays its whole script alone; `repliesPerMessage`: Telegram's sendMessage calls per position. */
  sanity(base?: string): Promise<LoadRun & { repliesPerMessage?: number[] }> {
    return this.request({ op: 'sanity', base });
  }

  saturate(ms: number, base?: string): Promise<LoadRun> {
    return this.request({ op: 'saturate', ms, base });
  }

  openLoop(rate: number, ms: number, base?: string): Promise<LoadRun> {
    return this.request({ op: 'openLoop', rate, ms, base });
  }

  poll(job: PollLoadJob): Promise<PollLoadResult> {
    return this.request({ op: 'poll', job });
  }

  async stop(): Promise<void> {
    if (!this.child.connected) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ op: 'stop' } satisfies LoadJob);
    // Its sockets and fake server are closed by then; a handle left open must not hold the bench.
    const kill = setTimeout(() => this.child.kill(), 5_000);
    await exited;
    clearTimeout(kill);
  }
}
