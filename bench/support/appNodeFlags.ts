/**
 * The V8 flags `npm start` runs the app with (package.json's `start`, and the `bench:*` scripts that run the app in
 * their own process), for the benches that start app processes of their own. `test/tools/appNodeFlags.unit.test.ts`
 * keeps the scripts and this list the same.
 *
 * --max-semi-space-size=32: twice V8's default young generation. Most of what a message allocates (about 140 KB on
 * the Telegram path, bench:channels with BENCH_HEAP_PROFILE) dies within the turn, so a larger young generation
 * scavenges half as often for about the same survivors: Node's GC time at half the saturated rate fell by about a
 * quarter in alternated bench:channels rounds (README "Performance").
 */
export const APP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** The heap-size flags this process runs with (command line or NODE_OPTIONS), for the benches' header line. */
export const heapFlagsOfThisProcess = (): string[] =>
  [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].filter((a) => /^--max-(semi|old)-space-size=/.test(a));
