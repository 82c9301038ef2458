import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { status } from './report.ts';

/**
 * BENCH_CPU_PROFILE=<dir>: V8's sampling profiler over one run, through the inspector in this process (the
 * profiler's own cost lands in the CPU figures of that run, so compare profiled runs only with profiled runs).
 * Returns the function that stops it and writes `<dir>/<name>.cpuprofile` (open in Chrome DevTools).
 */
export async function startCpuProfile(name: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    status(`CPU profile of the run written to ${file}`);
  };
}
