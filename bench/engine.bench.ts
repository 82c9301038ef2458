/**
 * `npm run bench:engine`: throughput and latency figures for the registration flow. Prints, asserts nothing.
 *
 *   1. Pure engine: runTurn + the real actions over an in-memory worker repository, one user after another on
 *      one core. Target ≥ 50,000 turns/s.
 *   2. End to end: the real app (startRedcollar) on the embedded in-memory database (2b) and on the H2 file
 *      database that `npm start` uses, where every write is made durable before it is acknowledged (2c), driven through the
 *      simulator HTTP API by 200 concurrent users; saturated throughput and latency, then latency under an
 *      open-loop arrival rate of half that maximum. Targets: messages/s ≥ 50 % of the raw database rate for a
 *      comparable findOneAndUpdate, and p99 ≤ 100 ms at half rate.
 *
 * The raw database rate is measured on a second embedded memory server started just for it (RunningApp does not
 * expose the app's database URI), before the app starts, so the two JVMs never compete for CPU.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import { parse as parseYaml } from 'yaml';
import { createActions } from '../src/app/actions/registry.ts';
import type { ActionRegistry } from '../src/app/actions/types.ts';
import { loadContent, type Content } from '../src/app/loadContent.ts';
import { newConversation, runTurn } from '../src/engine/index.ts';
import type { ConversationState, Inbound, TurnContext } from '../src/engine/types.ts';
import { startRedcollar, type RunningApp } from '../src/main.ts';
import { createMemoryWorkerRepository } from '../test/support/memoryWorkerRepository.ts';
import { createMemoryOrganizationRepository } from '../test/support/memoryOrganizationRepository.ts';
import { startEmbeddedMongo, type EmbeddedMongo } from '../tools/embedded-mongo/launcher.ts';
import { post } from './support/http.ts';
import { openLoop, saturate } from './support/load.ts';
import { exitSoonAfterStop, fmt, heading, ms, out, percentile, row, runBench, sortNum, status } from './support/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

// Durations (ms). Total run time ≈ 2 JVM starts + the sum of these ≈ 50 s.
const ENGINE_WARMUP_MS = 1_500;
const ENGINE_MEASURE_MS = 5_000;
const RAW_WARMUP_MS = 4_000; // the JVM needs seconds of traffic before its JIT settles (≈500 ops/s in the first 3 s, ≈4,000 after)
const RAW_MEASURE_MS = 5_000;
const RAW_IN_FLIGHT = 64;
const RAW_KEYS = 200;
const E2E_USERS = 200;
const E2E_MAX_SOCKETS = 64;
const E2E_WARMUP_MS = 6_000;
const E2E_SATURATED_MS = 8_000;
const E2E_HALF_RATE_MS = 8_000;

// ---------------------------------------------------------------------------------------------------------------
// CPU accounting

/** CPU time (ms) of this process and of child JVMs, from /proc (Linux; zeros elsewhere). Ticks assumed 100 Hz. */
function childJavaPids(): number[] {
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
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return 0;
  }
}
interface CpuMark {
  at: number;
  node: number;
  jvm: number;
  pids: number[];
}
function cpuMark(pids: number[]): CpuMark {
  const u = process.cpuUsage();
  return { at: performance.now(), node: (u.user + u.system) / 1000, jvm: pids.reduce((a, p) => a + procCpuMs(p), 0), pids };
}
function cpuSince(m: CpuMark): string {
  const now = cpuMark(m.pids);
  const wall = now.at - m.at;
  const pct = (x: number) => `${fmt((x / wall) * 100)} %`;
  return `node ${pct(now.node - m.node)}, JVM ${m.pids.length ? pct(now.jvm - m.jvm) : 'n/a'} of one core`;
}

// ---------------------------------------------------------------------------------------------------------------
// The script: the user messages of test/transcripts/registration.yaml, with the ID numbers made distinct per user

const transcript = parseYaml(readFileSync(join(ROOT, 'test', 'transcripts', 'registration.yaml'), 'utf8')) as { turns: { user: string | number }[] };
const TEMPLATE = transcript.turns.map((t) => String(t.user));
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const checkDigit = (body17: string) => CHECK[[...body17].reduce((acc, d, i) => acc + Number(d) * ID_WEIGHTS[i]!, 0) % 11]!;
const isValidId = (s: string) => /^\d{17}[\dX]$/.test(s) && checkDigit(s.slice(0, 17)) === s[17];
const isIdShaped = (s: string) => /^\d{17}[\dX]$/.test(s);

/** GB 11643 ID number #n: region 320102, birth date 1970-01-01 + ⌊n/1000⌋ days, sequence n mod 1000 (7.3 M distinct). */
function idBody(n: number): string {
  const birth = new Date(Date.UTC(1970, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `320102${birth}${String(n % 1000).padStart(3, '0')}`;
}
function idFor(n: number, valid: boolean): string {
  const body = idBody(n);
  const good = checkDigit(body);
  if (valid) return body + good;
  return body + (good === '0' ? '1' : good === 'X' ? '0' : String((Number(good) + 1) % 10)); // any other digit is wrong
}
/** The registration transcript's messages for user #n (the valid ID replaced, and the wrong-check-digit one too). */
function scriptFor(n: number): string[] {
  return TEMPLATE.map((text) => (isIdShaped(text) ? idFor(n, isValidId(text)) : text));
}
const SUCCESS = '注册成功';

// ---------------------------------------------------------------------------------------------------------------
// Part 1: the pure engine

interface EngineCounts {
  turns: number;
  steps: number;
  registrations: number;
  successes: number;
  stateBytes: number;
}

async function playEngineUser(c: Content, actions: ActionRegistry, n: number, now: Date, counts: EngineCounts, measureState: boolean): Promise<void> {
  let state: ConversationState = newConversation('bench', `u${n}`, 'zh-CN', now);
  const ctx: TurnContext = {
    now,
    translator: c.translator,
    defaultLocale: 'zh-CN',
    sessionTimeoutMs: 30 * 60_000,
    capabilities: { images: false },
    data: { regions: c.regions },
  };
  let succeeded = false;
  for (const text of scriptFor(n)) {
    let result = runTurn(c.flows, state, { type: 'text', text }, ctx);
    counts.steps++;
    if (!succeeded) succeeded = result.outbound.some((m) => m.text.includes(SUCCESS));
    while (result.awaitingAction) {
      const action = actions[result.awaitingAction.name];
      if (!action) throw new Error(`no action ${result.awaitingAction.name}`);
      const s = result.state;
      let inbound: Inbound;
      try {
        const value = await action(result.awaitingAction.args, { channel: s.channel, userId: s.userId, locale: s.locale, now });
        inbound = { type: 'actionResult', ok: true, value };
      } catch (err) {
        inbound = { type: 'actionResult', ok: false, value: null, error: (err as Error).message };
      }
      result = runTurn(c.flows, result.state, inbound, ctx);
      counts.steps++;
      if (!succeeded) succeeded = result.outbound.some((m) => m.text.includes(SUCCESS));
    }
    state = { ...result.state, version: result.state.version + 1 };
    counts.turns++;
    if (measureState) {
      const { channel: _c, userId: _u, flowId: _f, flowVersion: _v, stepId: _s, locale: _l, updatedAt: _t, version: _n, ...sealed } = state;
      counts.stateBytes = Math.max(counts.stateBytes, Buffer.byteLength(JSON.stringify(sealed)));
    }
  }
  counts.registrations++;
  if (succeeded) counts.successes++;
}

/**
 * The engine alone: the same scripts, with every action answered from a recording of one real run (the action
 * sequence of the script is the same for every user), synchronously. This is runTurn's own throughput.
 */
async function recordActionResults(c: Content, now: Date): Promise<Inbound[]> {
  const recorded: Inbound[] = [];
  const real = createActions({ workers: createMemoryWorkerRepository(), organizations: createMemoryOrganizationRepository(), regions: c.regions });
  const recording: ActionRegistry = Object.fromEntries(
    Object.entries(real).map(([name, action]) => [
      name,
      async (args: Parameters<typeof action>[0], ctx: Parameters<typeof action>[1]) => {
        const value = await action(args, ctx);
        recorded.push({ type: 'actionResult', ok: true, value });
        return value;
      },
    ]),
  );
  await playEngineUser(c, recording, 0, now, { turns: 0, steps: 0, registrations: 0, successes: 0, stateBytes: 0 }, false);
  return recorded;
}

function playEngineUserReplayed(c: Content, replies: Inbound[], n: number, ctx: TurnContext, counts: EngineCounts): void {
  let state: ConversationState = newConversation('bench', `u${n}`, 'zh-CN', ctx.now);
  let next = 0;
  for (const text of scriptFor(n)) {
    let result = runTurn(c.flows, state, { type: 'text', text }, ctx);
    counts.steps++;
    while (result.awaitingAction) {
      result = runTurn(c.flows, result.state, replies[next++]!, ctx);
      counts.steps++;
    }
    state = { ...result.state, version: result.state.version + 1 };
    counts.turns++;
  }
  counts.registrations++;
}

async function benchEngineOnly(): Promise<void> {
  heading('1a. Engine only — runTurn through the registration flow, one core (action results replayed)');
  const c = loadContent({ root: ROOT, defaultLocale: 'zh-CN' });
  const now = new Date('2026-03-01T02:00:00Z');
  const replies = await recordActionResults(c, now);
  const ctx: TurnContext = { now, translator: c.translator, defaultLocale: 'zh-CN', sessionTimeoutMs: 30 * 60_000, capabilities: { images: false }, data: { regions: c.regions } };
  const zero = (): EngineCounts => ({ turns: 0, steps: 0, registrations: 0, successes: 0, stateBytes: 0 });
  let n = 0;
  status(`engine-only warm-up ${ENGINE_WARMUP_MS / 1000} s`);
  for (const end = performance.now() + ENGINE_WARMUP_MS; performance.now() < end; n++) playEngineUserReplayed(c, replies, n, ctx, zero());
  status(`engine-only measuring ${ENGINE_MEASURE_MS / 1000} s`);
  const counts = zero();
  const t0 = performance.now();
  let elapsed = 0;
  while ((elapsed = performance.now() - t0) < ENGINE_MEASURE_MS) playEngineUserReplayed(c, replies, n++, ctx, counts);
  const turnsPerS = counts.turns / (elapsed / 1000);
  row('registrations played', fmt(counts.registrations));
  row('turns/s (one user message = one turn)', fmt(turnsPerS));
  row('mean time per turn', `${fmt((elapsed * 1000) / counts.turns, 1)} µs`);
  row('target ≥ 50,000 turns/s', turnsPerS >= 50_000 ? 'PASS' : 'BELOW');
}

async function benchEngine(): Promise<void> {
  heading('1b. Engine with the real actions — registration flow, one core (in-memory worker repository)');
  const c = loadContent({ root: ROOT, defaultLocale: 'zh-CN' });
  const now = new Date('2026-03-01T02:00:00Z');
  const fresh = () => createActions({ workers: createMemoryWorkerRepository(), organizations: createMemoryOrganizationRepository(), regions: c.regions });
  const zero = (): EngineCounts => ({ turns: 0, steps: 0, registrations: 0, successes: 0, stateBytes: 0 });

  let n = 0;
  status(`engine warm-up ${ENGINE_WARMUP_MS / 1000} s`);
  const warm = zero();
  let actions = fresh();
  for (const end = performance.now() + ENGINE_WARMUP_MS; performance.now() < end; n++) await playEngineUser(c, actions, n, now, warm, n < 3);

  status(`engine measuring ${ENGINE_MEASURE_MS / 1000} s`);
  actions = fresh();
  const counts = zero();
  const t0 = performance.now();
  let elapsed = 0;
  while ((elapsed = performance.now() - t0) < ENGINE_MEASURE_MS) {
    // A fresh repository every 5,000 users keeps its maps from growing without bound (users never collide anyway).
    if (counts.registrations % 5_000 === 4_999) actions = fresh();
    await playEngineUser(c, actions, n++, now, counts, false);
  }
  const turnsPerS = counts.turns / (elapsed / 1000);
  row('user messages (turns) per script', fmt(TEMPLATE.length));
  row('registrations played', fmt(counts.registrations), `${fmt(counts.successes)} reached "${SUCCESS}"`);
  row('measured for', `${fmt(elapsed / 1000, 2)} s`);
  row('turns/s (one user message = one turn)', fmt(turnsPerS));
  row('engine steps incl. action resumptions/s', fmt(counts.steps / (elapsed / 1000)), `(${fmt(counts.steps / counts.turns, 2)} runTurn calls per turn)`);
  row('mean time per turn', `${fmt((elapsed * 1000) / counts.turns, 1)} µs`);
  row('largest sealed state (JSON, warm-up users)', `${fmt(warm.stateBytes)} B`);
  row('(the 50,000 target is for the engine alone, 1a)', '');
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2a: the raw embedded database, a comparable findOneAndUpdate

async function benchRawDb(): Promise<number> {
  status('starting a second embedded memory server for the raw database measurement');
  let mongo: EmbeddedMongo | undefined;
  let client: MongoClient | undefined;
  try {
    mongo = await startEmbeddedMongo({ backend: 'memory' });
    client = new MongoClient(`${mongo.uri}bench`, { maxPoolSize: RAW_IN_FLIGHT });
    await client.connect();
    const coll = client.db('bench').collection<{ _id: string; sealed?: string; version?: number; updatedAt?: Date }>('conversations');
    const payload = 'x'.repeat(2048); // ~2 KB document, like a sealed conversation
    let ops = 0;
    let errors = 0;
    const run = async (ms: number): Promise<number> => {
      ops = 0;
      const t0 = performance.now();
      const end = t0 + ms;
      await Promise.all(
        Array.from({ length: RAW_IN_FLIGHT }, async (_, w) => {
          for (let i = w; performance.now() < end; i += RAW_IN_FLIGHT) {
            try {
              await coll.findOneAndUpdate(
                { _id: `k${i % RAW_KEYS}` },
                { $set: { sealed: payload, updatedAt: new Date() }, $inc: { version: 1 } },
                { upsert: true, returnDocument: 'after' },
              );
              ops++;
            } catch {
              errors++;
            }
          }
        }),
      );
      return performance.now() - t0;
    };
    status(`raw findOneAndUpdate warm-up ${RAW_WARMUP_MS / 1000} s`);
    await run(RAW_WARMUP_MS);
    status(`raw findOneAndUpdate measuring ${RAW_MEASURE_MS / 1000} s`);
    const cpu = cpuMark([mongo.pid]);
    const elapsed = await run(RAW_MEASURE_MS);
    const cpuText = cpuSince(cpu);
    const rate = ops / (elapsed / 1000);
    heading('2a. Raw embedded database — comparable findOneAndUpdate (mongodb driver)');
    out('  (a second mongo-java-server, memory backend, started for this: RunningApp does not expose the app\'s');
    out('   database URI; measured before the app starts so the two JVMs do not share the CPU)');
    row('operation', 'upsert by _id', `$set 2 KB string + $inc version, ${RAW_KEYS} keys, returnDocument after`);
    row('in flight', fmt(RAW_IN_FLIGHT));
    row('raw ops/s', fmt(rate), `${fmt(ops)} ops in ${fmt(elapsed / 1000, 2)} s, ${fmt(errors)} errors`);
    row('CPU while measuring', '', cpuText);
    return rate;
  } finally {
    await client?.close().catch(() => undefined);
    await mongo?.stop().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2b: end to end through the simulator API

interface E2eStats {
  latencies: number[];
  messages: number;
  registrations: number;
  successes: number;
  non200: Map<number, number>;
  networkErrors: number;
  busyReplies: number;
  internalErrorReplies: number;
  firstError: string | null;
  /** Script positions (1-based) of the messages sent, to show the message mix. */
  minPos: number;
  maxPos: number;
}
const newStats = (): E2eStats => ({
  latencies: [],
  messages: 0,
  registrations: 0,
  successes: 0,
  non200: new Map(),
  networkErrors: 0,
  busyReplies: 0,
  internalErrorReplies: 0,
  firstError: null,
  minPos: Infinity,
  maxPos: 0,
});

const BUSY = '上一条消息还在处理中';
const INTERNAL_ERROR = '系统暂时出现问题';

/** One simulated user, part-way through the registration script. Users carry over from phase to phase. */
interface SimUser {
  userId: string;
  script: string[];
  i: number;
  success: boolean;
}
let nextUser = 1_000_000; // e2e users get numbers far from the engine's, though they share no repository anyway
const RUN_TAG = Date.now().toString(36);
function newSimUser(): SimUser {
  const n = nextUser++;
  return { userId: `b${RUN_TAG}-${n}`, script: scriptFor(n), i: 0, success: false };
}

/**
 * Sends the user's next message and records the outcome (latency from `startedAt`). Returns the user to continue
 * with: the same one, or a fresh one when this message finished the script.
 */
async function sendNext(agent: http.Agent, base: URL, user: SimUser, stats: E2eStats, startedAt: number): Promise<SimUser> {
  const pos = ++user.i;
  const text = user.script[pos - 1]!;
  try {
    const res = await post(agent, base, '/sim/api/messages', Buffer.from(JSON.stringify({ userId: user.userId, text })), { 'content-type': 'application/json' });
    if (res.status === 200) {
      if (res.body.includes(SUCCESS)) user.success = true;
      if (res.body.includes(BUSY)) stats.busyReplies++;
      if (res.body.includes(INTERNAL_ERROR)) stats.internalErrorReplies++;
    } else {
      stats.non200.set(res.status, (stats.non200.get(res.status) ?? 0) + 1);
      stats.firstError ??= `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
    }
  } catch (err) {
    stats.networkErrors++;
    stats.firstError ??= `network: ${(err as Error).message}`;
  }
  stats.messages++;
  stats.latencies.push(performance.now() - startedAt);
  stats.minPos = Math.min(stats.minPos, pos);
  stats.maxPos = Math.max(stats.maxPos, pos);
  if (user.i < user.script.length) return user;
  stats.registrations++;
  if (user.success) stats.successes++;
  return newSimUser();
}

function printErrors(stats: E2eStats): void {
  const non200 = [...stats.non200.values()].reduce((a, b) => a + b, 0);
  const detail = [...stats.non200.entries()].map(([s, c]) => `${c}× HTTP ${s}`).join(', ');
  row('replies with status 200', `${fmt(stats.messages - non200 - stats.networkErrors)} / ${fmt(stats.messages)}`);
  row('errors (non-200 + network)', fmt(non200 + stats.networkErrors), [detail, stats.networkErrors ? `${stats.networkErrors}× network` : ''].filter(Boolean).join('; '));
  row('200 replies saying "busy" / "internal error"', `${fmt(stats.busyReplies)} / ${fmt(stats.internalErrorReplies)}`);
  if (stats.firstError) out(`    first error: ${stats.firstError}`);
}

function printMix(stats: E2eStats): void {
  row('messages', fmt(stats.messages), `script positions ${stats.minPos}–${stats.maxPos} of ${TEMPLATE.length}; ${fmt(stats.registrations)} registrations finished, ${fmt(stats.successes)} with "${SUCCESS}"`);
}

/** Counts the app's mongoose operations (all connections share the mongoose singleton) while `fn` runs. */
async function countMongooseOps<T>(fn: () => Promise<T>): Promise<{ result: T; ops: Map<string, number> }> {
  const ops = new Map<string, number>();
  mongoose.set('debug', (collection: string, method: string) => {
    const k = `${collection}.${method}`;
    ops.set(k, (ops.get(k) ?? 0) + 1);
  });
  try {
    return { result: await fn(), ops };
  } finally {
    mongoose.set('debug', false);
  }
}

type E2eBackend = 'memory' | 'h2';
const BACKEND_LABEL: Record<E2eBackend, string> = {
  memory: 'embedded memory database',
  h2: 'embedded H2 file database, as `npm start` runs',
};

async function benchE2e(rawRate: number, backend: E2eBackend, section: string): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'redcollar-bench-'));
  let app: RunningApp | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: E2E_MAX_SOCKETS });
  try {
    status(`starting the app (startRedcollar, ${BACKEND_LABEL[backend]})`);
    const t = performance.now();
    try {
      app = await startRedcollar({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        EMBEDDED_MONGO_BACKEND: backend,
        DATA_DIR: dataDir,
        SESSION_TIMEOUT_MINUTES: '30',
      });
    } catch (err) {
      heading(`${section}. End to end — the app FAILED TO START`);
      out(`  startRedcollar failed: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
      return;
    }
    const startMs = performance.now() - t;
    const base = new URL(app.url);
    const jvmPids = childJavaPids();

    // Sanity and op count: one user plays the whole script alone, with the app's mongoose operations counted.
    status('e2e sanity: one user, the whole script');
    const sanity = newStats();
    const { ops } = await countMongooseOps(async () => {
      for (let u = newSimUser(), first = u; u === first; ) u = await sendNext(agent, base, u, sanity, performance.now());
    });
    const opsTotal = [...ops.values()].reduce((a, b) => a + b, 0);
    const sanitySorted = sortNum(sanity.latencies);

    const users = Array.from({ length: E2E_USERS }, newSimUser);
    status(`e2e warm-up ${E2E_WARMUP_MS / 1000} s (${E2E_USERS} users)`);
    const warm = newStats();
    await saturate((u, t) => sendNext(agent, base, u, warm, t), users, E2E_WARMUP_MS);

    status(`e2e saturated ${E2E_SATURATED_MS / 1000} s (${E2E_USERS} users, closed loop)`);
    const sat = newStats();
    const satCpu = cpuMark(jvmPids);
    const satElapsed = await saturate((u, t) => sendNext(agent, base, u, sat, t), users, E2E_SATURATED_MS);
    const satCpuText = cpuSince(satCpu);
    const maxRate = sat.messages / (satElapsed / 1000);
    const satSorted = sortNum(sat.latencies);

    const halfRate = maxRate / 2;
    status(`e2e open loop at ${fmt(halfRate)} msg/s for ${E2E_HALF_RATE_MS / 1000} s`);
    const half = newStats();
    const halfCpu = cpuMark(jvmPids);
    const ol = await openLoop((u, t) => sendNext(agent, base, u, half, t), users, halfRate, E2E_HALF_RATE_MS);
    const halfCpuText = cpuSince(halfCpu);
    const halfSorted = sortNum(half.latencies);

    heading(`${section}. End to end — POST /sim/api/messages, ${E2E_USERS} users registering at once (${BACKEND_LABEL[backend]})`);
    row('app start (incl. JVM)', `${fmt(startMs / 1000, 2)} s`);
    row('client', 'http keep-alive', `maxSockets ${E2E_MAX_SOCKETS}; latency = issued → reply read, incl. client-side queueing`);
    row('sanity: one user alone, whole script (cold)', sanity.successes === 1 ? 'registered' : 'NOT registered', `${sanity.messages} messages, p50 ${ms(percentile(sanitySorted, 50))}, max ${ms(sanitySorted.at(-1) ?? NaN)}, ${sanity.non200.size + sanity.networkErrors ? 'with errors' : 'all 200'}`);
    row('app database operations per message', fmt(opsTotal / Math.max(1, sanity.messages), 2), `(mongoose, sanity user; agenda's own polling not counted)`);
    out(`    ${[...ops.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    row('warm-up (discarded)', `${fmt(E2E_WARMUP_MS / 1000, 1)} s`, `${fmt(warm.messages)} messages, p99 ${ms(percentile(sortNum(warm.latencies), 99))}`);
    out();
    out('  Saturated (closed loop: each user sends its next message as soon as the reply arrives)');
    printMix(sat);
    row('messages/s', fmt(maxRate), `over ${fmt(satElapsed / 1000, 2)} s`);
    row('raw findOneAndUpdate ops/s (2a)', fmt(rawRate));
    const ratio = maxRate / rawRate;
    row('messages/s ÷ raw ops/s', `${fmt(ratio * 100, 1)} %`, `target ≥ 50 %: ${ratio >= 0.5 ? 'PASS' : 'BELOW'}`);
    row('latency p50', ms(percentile(satSorted, 50)));
    row('latency p99', ms(percentile(satSorted, 99)));
    row('latency max', ms(satSorted.at(-1) ?? NaN));
    row('CPU (node = app + load generator)', '', satCpuText);
    printErrors(sat);
    out();
    out(`  Half the maximum rate (open loop: one arrival every ${fmt(1000 / halfRate, 2)} ms, each user sequential)`);
    row('target rate', `${fmt(halfRate)} msg/s`);
    row('issued / completed rate', fmt(ol.issued), `${fmt(half.messages / (ol.elapsed / 1000))} msg/s over ${fmt(ol.elapsed / 1000, 2)} s; max backlog (no idle user) ${fmt(ol.maxBacklog)}`);
    printMix(half);
    row('latency p50 (from scheduled time)', ms(percentile(halfSorted, 50)));
    const p99 = percentile(halfSorted, 99);
    row('latency p99 (from scheduled time)', ms(p99), `target p99 ≤ 100 ms: ${p99 <= 100 ? 'PASS' : 'BELOW'}`);
    row('latency max', ms(halfSorted.at(-1) ?? NaN));
    row('CPU (node = app + load generator)', '', halfCpuText);
    printErrors(half);
  } finally {
    agent.destroy();
    status('stopping the app');
    await app?.stop().catch((err) => out(`  error while stopping the app: ${(err as Error).message}`));
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** BENCH_ONLY=engine | e2e | e2e-h2 runs one part (for profiling with --cpu-prof); unset runs everything. */
const ONLY = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  await runBench('bench:engine', async () => {
    if (!ONLY || ONLY === 'engine') {
      await benchEngineOnly();
      await benchEngine();
    }
    if (!ONLY || ONLY === 'e2e' || ONLY === 'e2e-h2') {
      const rawRate = await benchRawDb();
      if (ONLY !== 'e2e-h2') await benchE2e(rawRate, 'memory', '2b');
      // H2 is what `npm start` runs on, so the cost of durable commits shows here and not in 2b.
      if (ONLY !== 'e2e') await benchE2e(rawRate, 'h2', '2c');
    }
  });
}

await main();
exitSoonAfterStop();
