/**
 * Regression: "an acknowledged registration was lost when `npm start` was killed" (the H2 store committed about once
 * a second, so a SIGKILL of the app and its database child within that second lost writes already confirmed to the
 * user). The app is started as `npm start` would start it, on one data directory, and killed with SIGKILL together
 * with its database child at delays from 0 ms to 1 s after a reply arrived; after every restart each reply that had
 * arrived must be found in the data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../../../src/store/embedded/launcher.ts';
import { registrationScript } from '../../support/appHarness.ts';
import { makeIdNumber } from '../../support/engineHarness.ts';
import { CHILD_START_TIMEOUT_MS, killGroup, prepareChildApp, type PreparedChild, type RunningChild } from '../../support/childApp.ts';

const START_TIMEOUT_MS = CHILD_START_TIMEOUT_MS;

async function say(app: RunningChild, userId: string, text: string): Promise<string> {
  const res = await fetch(`${app.baseUrl}/sim/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, text }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { replies: { text: string }[] };
  return body.replies.map((r) => r.text).join('\n');
}

/** One kill: a user answers `messages` registration messages (all of them: a finished registration), then the wait. */
interface Round {
  userId: string;
  idNumber: string;
  messages: number;
  delayMs: number;
}

const FULL = registrationScript('').length + 1; // the script up to the summary, then 确认
// Every second round kills right after "注册成功" (the reported case), the others in the middle of the flow.
const DELAYS_MS = [0, 0, 1, 5, 20, 50, 100, 250, 500, 1_000];
const ROUNDS: Round[] = DELAYS_MS.map((delayMs, i) => ({
  userId: `durable-${i}`,
  idNumber: makeIdNumber('320102', '19850312', String(100 + i)),
  messages: i % 2 === 0 ? FULL : 3 + ((i * 5) % (FULL - 4)),
  delayMs,
}));

describe('embedded H2 database: an acknowledged write survives SIGKILL of the app and its database', () => {
  const dirs: string[] = [];
  const prepared: PreparedChild[] = [];
  const prepare = (dataDir: string): PreparedChild => {
    const child = prepareChildApp(dataDir);
    prepared.push(child);
    return child;
  };
  afterAll(async () => {
    await Promise.all(prepared.map((child) => child.discard()));
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(
    'regression: an acknowledged registration was lost when the app and its database were killed within a second of the reply',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'redcollar-durable-'));
      dirs.push(dataDir);

      // Each round's app process loads its modules while the round before still runs (most of a start on a loaded
      // machine), and opens the data directory only after that round's kill.
      let next = prepare(dataDir);
      for (const round of ROUNDS) {
        const app = await next.start();
        next = prepare(dataDir);
        try {
          const script = [...registrationScript(round.idNumber), '确认'];
          let last = '';
          for (const text of script.slice(0, round.messages)) last = await say(app, round.userId, text);
          if (round.messages === FULL) expect(last).toContain('注册成功');
          if (round.delayMs > 0) await sleep(round.delayMs);
        } finally {
          await killGroup(app);
        }
      }

      // Read the data file directly: every reply that reached the user is a committed turn (the conversation's
      // version counts them) and every "注册成功" a stored worker.
      const db = await startEmbeddedMongo({ backend: 'h2', dataDir, startTimeoutMs: START_TIMEOUT_MS });
      const client = await new MongoClient(`${db.uri.replace(/\/$/, '')}/redcollar`).connect();
      try {
        const found = [];
        for (const round of ROUNDS) {
          const conversation = await client.db().collection('conversations').findOne({ channel: 'sim', userId: round.userId });
          const worker = await client.db().collection('workers').findOne({ channel: 'sim', userId: round.userId });
          found.push({ userId: round.userId, turns: conversation?.version ?? 0, registered: worker !== null });
        }
        expect(found).toEqual(ROUNDS.map((r) => ({ userId: r.userId, turns: r.messages, registered: r.messages === FULL })));
      } finally {
        await client.close();
        await db.stop();
      }

      // And the app itself, started again on the same directory, knows the worker.
      const app = await next.start();
      try {
        expect(await say(app, ROUNDS[0]!.userId, '我的信息')).toContain('张三');
      } finally {
        await killGroup(app);
      }
    },
    300_000,
  );
});
