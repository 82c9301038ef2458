/**
 * Part 2d of bench:engine: more instances, more throughput. The embedded memory server is started once; one and
 * then two app processes (`node src/main.ts`, as `npm start` runs) reach it through MONGODB_URI, and one load
 * generator (this process) spreads the users over them, as a load balancer would.
 *
 *   Scaling: 200 users in a closed loop over POST /sim/api/messages, first all on one instance, then every
 *   message to the next instance in turn (a user's messages land on both), then each user on one instance (a
 *   balancer that routes by chat); messages/s, latency, CPU per message.
 *   Correctness: 1,000 users × 20 messages (the registration, ending "注册成功"), every message delivered twice at
 *   once, to both instances (a retry landing on the other one while the first delivery runs): no answer lost or
 *   doubled, and every conversation ends where one instance alone puts it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPiiCipher } from '../../src/infra/piiCipher.ts';
import { APP_NODE_FLAGS } from '../support/appNodeFlags.ts';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/store/embedded/launcher.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { createMongoConversationStore } from '../../src/store/mongo/conversationStore.ts';
import { makeIdNumber } from '../../test/support/engineHarness.ts';
import { registrationScript } from '../../test/support/registrationScript.ts';
import { conversationPosition, spreadOverInstances, type Deliver } from '../../test/support/spreadOverInstances.ts';
import { procCpuMs } from '../support/cpu.ts';
import { post } from '../support/http.ts';
import { MAX_CONNECTIONS } from '../support/loadDriver.ts';
import { saturate } from '../support/load.ts';
import { fmt, heading, ms, out, percentile, row, sortNum, status } from '../support/report.ts';
import { ROOT, scriptFor } from './script.ts';

const USERS = 200;
const WARMUP_MS = 5_000;
const SATURATED_MS = 8_000;
const SPREAD = { users: 1_000, copies: 2, concurrentUsers: 200 };

const BUSY = '上一条消息还在处理中';
const INTERNAL_ERROR = '系统暂时出现问题';

interface AppProcess {
  base: URL;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** `node --import tsx src/main.ts` with `npm start`'s flags, on the shared database; resolves once /readyz answers 200. */
async function startApp(mongoUri: string, piiKey: string, dataDir: string): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, '--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', MONGODB_URI: mongoUri, PII_KEY: piiKey, DATA_DIR: dataDir, LOG_LEVEL: 'error', SESSION_TIMEOUT_MINUTES: '30' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-2000)));
  const base = new URL(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}: ${stderr}`);
    const ok = await new Promise<boolean>((resolve) => {
      http.get(new URL('/readyz', base), (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the app did not get ready within 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Runner {
  n: number;
  userId: string;
  script: string[];
  i: number;
}

interface ClosedLoop {
  rate: number;
  p50: number;
  p99: number;
  failures: number;
  /** What the failures were, by kind (busy, internal error, HTTP status, network). */
  failureKinds: Map<string, number>;
  cpuPerMessage: { app: number; db: number };
}

/** How the load balancer picks an instance: each message to the next one, or each user always to the same one. */
type Routing = 'alternate' | 'byUser';

async function closedLoop(apps: AppProcess[], dbPid: number, tag: string, routing: Routing = 'alternate'): Promise<ClosedLoop> {
  // At most 100 connections over all instances, as the other parts (Telegram's own limit, issue 15).
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS, maxTotalSockets: MAX_CONNECTIONS });
  let n = 0;
  const fresh = (): Runner => ({ n, userId: `${tag}-${n}`, script: scriptFor(3_000_000 + n++), i: 0 });
  let turn = 0;
  const latencies: number[] = [];
  let failures = 0;
  const failureKinds = new Map<string, number>();
  const failed = (kind: string, record: boolean) => {
    if (!record) return;
    failures++;
    failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
  };
  const next = async (u: Runner, startedAt: number, record: boolean): Promise<Runner> => {
    const app = apps[routing === 'byUser' ? u.n % apps.length : turn++ % apps.length]!;
    const text = u.script[u.i++]!;
    try {
      const res = await post(agent, app.base, '/sim/api/messages', Buffer.from(JSON.stringify({ userId: u.userId, text })), { 'content-type': 'application/json' });
      if (res.status !== 200) failed(`HTTP ${res.status}`, record);
      else if (res.body.includes(BUSY)) failed('busy', record);
      else if (res.body.includes(INTERNAL_ERROR)) failed('internal error', record);
    } catch (err) {
      failed(`network: ${(err as Error).message}`, record);
    }
    if (record) latencies.push(performance.now() - startedAt);
    return u.i < u.script.length ? u : fresh();
  };
  try {
    const users = Array.from({ length: USERS }, fresh);
    await saturate((u, t) => next(u, t, false), users, WARMUP_MS);
    const cpu = () => ({ app: apps.reduce((a, p) => a + procCpuMs(p.child.pid!), 0), db: procCpuMs(dbPid) });
    const before = cpu();
    const elapsed = await saturate((u, t) => next(u, t, true), users, SATURATED_MS);
    const after = cpu();
    const sorted = sortNum(latencies);
    const count = Math.max(1, latencies.length);
    return {
      rate: latencies.length / (elapsed / 1000),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      failures,
      failureKinds,
      cpuPerMessage: { app: (after.app - before.app) / count, db: (after.db - before.db) / count },
    };
  } finally {
    agent.destroy();
  }
}

const idOf = (n: number) => makeIdNumber('320102', new Date(Date.UTC(1975, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', ''), String(n % 1000).padStart(3, '0'));
const spreadScript = (n: number) => [...registrationScript(idOf(n)), '确认'];

export async function benchTwoInstances(section: string): Promise<void> {
  let mongo: EmbeddedMongo | undefined;
  const apps: AppProcess[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'redcollar-bench-two-'));
  const piiKey = randomBytes(32).toString('base64');
  const runTag = Date.now().toString(36);
  try {
    status('2d: starting the embedded memory server once, and two app processes on it (MONGODB_URI)');
    mongo = await startEmbeddedMongo({ backend: 'memory' });
    const dbUri = `${mongo.uri}bench_two_${runTag}`;
    apps.push(await startApp(dbUri, piiKey, join(dataDir, 'a')), await startApp(dbUri, piiKey, join(dataDir, 'b')));

    status('2d: one instance, closed loop');
    const one = await closedLoop(apps.slice(0, 1), mongo.pid, `one${runTag}`);
    status('2d: two instances, closed loop, messages alternating');
    const two = await closedLoop(apps, mongo.pid, `two${runTag}`);
    status('2d: two instances, closed loop, each user on one instance');
    const twoByUser = await closedLoop(apps, mongo.pid, `sticky${runTag}`, 'byUser');

    status(`2d: ${fmt(SPREAD.users)} users × 20 messages over both instances, each delivered to both at once`);
    // `timeout`: a pooled socket idle for 4 s is closed here, before the server's 5 s keep-alive closes it under a
    // request (the agent destroys only idle sockets on it; a request in flight just sees a 'timeout' event).
    const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS, maxTotalSockets: MAX_CONNECTIONS, timeout: 4_000 });
    const send = (i: number, body: Buffer) => post(agent, apps[i]!.base, '/sim/api/messages', body, { 'content-type': 'application/json' });
    const deliver: Deliver = async (i, userId, messageId, text) => {
      try {
        const request = Buffer.from(JSON.stringify({ userId, text, messageId }));
        // A pooled socket the server closed just as it was reused: sent again with the same messageId, which the
        // dedupe makes safe (what a real client behind a load balancer does); twice at most, as the next pooled
        // socket may be just as stale on a loaded machine.
        const resend = (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? send(i, request) : Promise.reject(err));
        const res = await send(i, request).catch(resend).catch(resend);
        if (res.status !== 200) return { replies: [], duplicate: false, failure: `HTTP ${res.status}` };
        const body = JSON.parse(res.body) as { replies: { text: string }[]; duplicate?: boolean };
        const replies = body.replies.map((r) => r.text);
        const said = replies.join('\n');
        const failure = said.includes(BUSY) ? 'busy' : said.includes(INTERNAL_ERROR) ? 'internal error' : undefined;
        return { replies, duplicate: body.duplicate === true, ...(failure ? { failure } : {}) };
      } catch (err) {
        return { replies: [], duplicate: false, failure: `network: ${(err as Error).message}` };
      }
    };
    const refUser = `ref${runTag}`;
    const refId = makeIdNumber('320102', '19741231', '999');
    for (const [k, text] of [...registrationScript(refId), '确认'].entries()) await deliver(0, refUser, `${refUser}-${k}`, text);
    const userOf = (n: number) => `spread${runTag}-${n}`;
    const report = await spreadOverInstances(deliver, { ...SPREAD, instances: 2, userId: userOf, script: spreadScript });
    agent.destroy();

    status('2d: reading every conversation back');
    const connection = await connectMongo(dbUri);
    let misplaced = 0;
    let registered = 0;
    let firstMisplaced = '';
    try {
      const store = createMongoConversationStore(connection, createPiiCipher(Buffer.from(piiKey, 'base64')));
      const now = new Date();
      const reference = JSON.stringify(conversationPosition(await store.acquire('sim', refUser, 'inspect', now, 1000), refId));
      for (let n = 0; n < SPREAD.users; n++) {
        const at = JSON.stringify(conversationPosition(await store.acquire('sim', userOf(n), 'inspect', now, 1000), idOf(n)));
        if (at !== reference) {
          misplaced++;
          firstMisplaced ||= `${userOf(n)}: ${at} (one instance: ${reference})`;
        }
        if (report.lastReplies.get(userOf(n))?.join('\n').includes('注册成功')) registered++;
      }
    } finally {
      await connection.close();
    }

    heading(`${section}. Two instances — two app processes (npm start's main.ts) on one embedded memory server via MONGODB_URI`);
    row('load', `${USERS} users`, `closed loop over POST /sim/api/messages, at most ${MAX_CONNECTIONS} connections, ${SATURATED_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up`);
    for (const [label, r] of [
      ['one instance', one],
      ['two instances, each message to the next', two],
      ['two instances, each user on one', twoByUser],
    ] as const) {
      const kinds = [...r.failureKinds.entries()].map(([k, c]) => `${c}× ${k}`).join(', ');
      row(`${label}: messages/s`, fmt(r.rate), `p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ${fmt(r.failures)} failed${kinds ? ` (${kinds})` : ''}`);
      row(`${label}: CPU per message`, ms(r.cpuPerMessage.app + r.cpuPerMessage.db), `app process(es) ${ms(r.cpuPerMessage.app)} + database ${ms(r.cpuPerMessage.db)} (load generator not counted)`);
    }
    row('two ÷ one', `${fmt((two.rate / one.rate) * 100)} % / ${fmt((twoByUser.rate / one.rate) * 100)} %`, 'messages alternating / each user on one instance; one machine of 2 cores: the database and the load generator share it');
    out();
    out(`  ${fmt(SPREAD.users)} users × 20 messages, each delivered ${SPREAD.copies}× at once over both instances (${SPREAD.concurrentUsers} users at a time)`);
    row('messages / deliveries', `${fmt(report.messages)} / ${fmt(report.deliveries)}`, `${fmt(report.messages / (report.elapsedMs / 1000))} messages/s over ${fmt(report.elapsedMs / 1000, 1)} s`);
    row('answers lost / doubled / differing', `${report.lost.length} / ${report.doubled.length} / ${report.mismatched.length}`, `target 0 / 0 / 0: ${report.lost.length + report.doubled.length + report.mismatched.length === 0 ? 'PASS' : 'FAIL'}`);
    row('failed deliveries (busy, error, non-200)', fmt(report.failures.length), report.failures[0] ?? '');
    row('conversations not where one instance puts them', fmt(misplaced), `target 0: ${misplaced === 0 ? 'PASS' : 'FAIL'}${firstMisplaced ? `; first: ${firstMisplaced.slice(0, 300)}` : ''}`);
    row('registrations answered "注册成功"', `${fmt(registered)} / ${fmt(SPREAD.users)}`);
  } finally {
    for (const app of apps) await app.stop().catch(() => undefined);
    await mongo?.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
