/**
 * `npm start`, the benches that run the app in their own process, and the app processes bench:engine 2d starts
 * all run Node with the same V8 flags, so a bench measures the app as it is deployed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_NODE_FLAGS } from '../../bench/support/appNodeFlags.ts';

const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The flags of the `node` command of a script that runs `file` (the last command when there are several). */
function nodeFlagsRunning(script: string, file: string): string[] {
  const command = script.split('&&').map((c) => c.trim()).find((c) => c.includes(file));
  if (!command) throw new Error(`the script does not run ${file}: ${script}`);
  const words = command.replace(/^exec\s+/, '').split(/\s+/);
  expect(words[0], `${file} is started with node, so that the flags can be given`).toBe('node');
  return words.slice(1, words.indexOf(file)).filter((w) => w.startsWith('--max-'));
}

describe("the app's Node flags", () => {
  it('npm start runs src/main.ts with them', () => {
    expect(nodeFlagsRunning(scripts.start!, 'src/main.ts')).toEqual([...APP_NODE_FLAGS]);
  });

  it.each(['engine', 'channels', 'polls'])('bench:%s runs with them (the app runs inside the bench process)', (name) => {
    expect(nodeFlagsRunning(scripts[`bench:${name}`]!, `bench/${name}.bench.ts`)).toEqual([...APP_NODE_FLAGS]);
  });
});
