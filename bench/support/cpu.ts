import { readdirSync, readFileSync } from 'node:fs';
import { fmt } from './report.ts';

/** CPU accounting for the benchmarks: this process and its child JVMs, read from /proc (Linux; zeros elsewhere). */

/** The pids of this process's child JVMs. */
export function childJavaPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return Number(rest[1]) === process.pid && stat.includes('(java)');
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}
/** CPU time (ms) of a process; ticks assumed 100 Hz. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return 0;
  }
}
/**
 * CPU time (ms) of a JVM's JIT compiler threads (C1, C2). Shown apart because it is warm-up: with C2 (before the
 * launcher's JVM flags left it out) it was still compiling the server's hot paths during the measured seconds of a
 * bench, more CPU per message than the server threads' own work. Summed over the threads alive now, so a compiler
 * thread that ended takes its time with it (the launcher keeps their number fixed).
 */
export function procJitCpuMs(pid: number): number {
  let total = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
        if (!/^C[12] CompilerThre/.test(stat.slice(stat.indexOf('(') + 1))) continue;
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += (Number(rest[11]) + Number(rest[12])) * 10;
      } catch {
        // The thread ended meanwhile.
      }
    }
  } catch {
    return 0;
  }
  return total;
}
export interface CpuMark {
  at: number;
  node: number;
  /** Of `node`, in the kernel (socket writes to the database and the clients, mostly). */
  nodeSys: number;
  jvm: number;
  jit: number;
  pids: number[];
}
export function cpuMark(pids: number[]): CpuMark {
  const u = process.cpuUsage();
  return { at: performance.now(), node: (u.user + u.system) / 1000, nodeSys: u.system / 1000, jvm: pids.reduce((a, p) => a + procCpuMs(p), 0), jit: pids.reduce((a, p) => a + procJitCpuMs(p), 0), pids };
}
export function cpuSince(m: CpuMark): string {
  const now = cpuMark(m.pids);
  const wall = now.at - m.at;
  const pct = (x: number) => `${fmt((x / wall) * 100)} %`;
  return `node ${pct(now.node - m.node)}, JVM ${m.pids.length ? pct(now.jvm - m.jvm) : 'n/a'} of one core`;
}

export interface CpuPerMessage {
  /** This process (app, plus the load generator when it runs in the same process), ms per message. */
  node: number;
  /** Of `node`, the kernel's share (system time). */
  nodeSys: number;
  /** The database child JVM(s), ms per message. */
  db: number;
  /** Of `db`, the JIT compiler threads (warm-up, see procJitCpuMs). */
  dbJit: number;
  total: number;
}
/** CPU time per message since `m`: this process's CPU plus the database children's, divided by `messages`. */
export function cpuPerMessage(m: CpuMark, messages: number): CpuPerMessage {
  const now = cpuMark(m.pids);
  const n = Math.max(1, messages);
  const node = (now.node - m.node) / n;
  const db = (now.jvm - m.jvm) / n;
  return { node, nodeSys: (now.nodeSys - m.nodeSys) / n, db, dbJit: (now.jit - m.jit) / n, total: node + db };
}
