import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { status } from './report.ts';

/**
 * BENCH_CPU_PROFILE=<dir>: V8's sampling profiler over one run, through the inspector in this process (the
 * profiler's own cost lands in the CPU figures of that run, so compare profiled runs only with profiled runs).
 * BENCH_HEAP_PROFILE=<dir>: V8's sampling heap profiler over the same runs, counting what was allocated and already
 * collected too (so it shows where the young generation's garbage comes from, not only what stays).
 * Returns the function that stops them and writes `<dir>/<name>.cpuprofile` / `.heapprofile` (open in Chrome DevTools).
 */
export async function startCpuProfile(name: string): Promise<() => Promise<void>> {
  const cpuDir = process.env.BENCH_CPU_PROFILE;
  const heapDir = process.env.BENCH_HEAP_PROFILE;
  if (!cpuDir && !heapDir) return async () => undefined;
  const session = new Session();
  session.connect();
  if (cpuDir) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  if (heapDir) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  return async () => {
    if (cpuDir) write(cpuDir, `${name}.cpuprofile`, (await session.post('Profiler.stop')).profile);
    if (heapDir) write(heapDir, `${name}.heapprofile`, (await session.post('HeapProfiler.stopSampling')).profile);
    session.disconnect();
  };
}

function write(dir: string, fileName: string, profile: unknown): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, fileName);
  writeFileSync(file, JSON.stringify(profile));
  status(`profile of the run written to ${file}`);
}
