/**
 * `npm run bench:channels`: the platform channels end to end over loopback, against the real inbound pipeline on
 * the embedded in-memory database. Prints figures, asserts nothing.
 *
 *   WeChat OA (benchWechat): safe-mode (encrypted, signed) text messages POSTed to /wechat/oa by 200 simulated
 *   users, each playing the registration script. Saturated throughput (closed loop), then latency at half that
 *   rate (open loop). Targets: p99 ≤ 200 ms at half the maximum rate; no passive reply later than the 4 s budget
 *   (a turn over budget is answered "success" and delivered through the customer-service API instead: counted).
 *
 *   Telegram (benchTelegram): updates POSTed to /telegram/webhook by 200 simulated chats playing the registration
 *   script, replies sent through node-telegram-bot-api to a fake Bot API; updates/s saturated (send limits lifted),
 *   p50/p99 update → sendMessage at half that rate, and p50/p99 under the production limits (1/s per chat, 30/s).
 *
 * The users (and Telegram's fake Bot API, where the replies end) are played by the load generator child
 * (bench/support/loadChild.ts, at most 100 connections): the CPU per message is this process's (the app) and the
 * database's, the generator's printed apart; each run prints its turns' phases and the database commands' round
 * trips against the server's own time on them (BENCH_PHASES=0: both off; BENCH_DB_TIMES=0: the database's off) and
 * ends with one verdict line per target. MAX_RUNNING_TURNS and RUNNING_TURNS_LIMIT set the gate as in the app.
 *
 * BENCH_ONLY=wechat | telegram runs one part. BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each part's
 * saturated and open-loop runs there (<part>-saturated, <part>-half, <part>-before-half .cpuprofile; open in Chrome DevTools), the start-up and the module loading
 * left out, so the profile shows the work per message only. BENCH_HEAP_PROFILE=<dir> writes a sampling heap profile of
 * the same runs (.heapprofile), counting what was allocated and already collected.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { Registry } from 'prom-client';
import { systemClock } from '../src/app/ports/clock.ts';
import { createWechatOaChannel } from '../src/channels/wechat-oa/channel.ts';
import { createMongoReplayGuard } from '../src/store/mongo/replayGuard.ts';
import { createHttpApp } from '../src/http/server.ts';
import { createLogger } from '../src/infra/logger.ts';
import { createAppInstance } from '../test/support/appHarness.ts';
import { startFakeWechatApi } from '../test/channels/wechat-common/fakeWechatApi.ts';
import { startEmbeddedMongo, type EmbeddedMongo } from '../src/store/embedded/launcher.ts';
import { createTelegramChannel } from '../src/channels/telegram/channel.ts';
import { createMongoTelegramUsers } from '../src/store/mongo/telegramUsers.ts';
import { createMongoChannelStores } from '../src/store/mongo/channelStores.ts';
import { childJavaPids } from './support/cpu.ts';
import { startCpuProfile } from './support/cpuProfile.ts';
import { LoadGenerator, MAX_CONNECTIONS } from './support/loadDriver.ts';
import type { LoadRun } from './support/loadTypes.ts';
import { measured, printCpu, printOutcomes, printPhasesOf, type MeasuredRun } from './support/measuredRun.ts';
import { PhaseRecorder } from './support/phases.ts';
import { DatabaseTimes } from './support/databaseTimes.ts';
import { BASELINES, printVerdicts } from './support/targets.ts';
import { exitSoonAfterStop, fmt, heading, ms, out, percentile, row, runBench, sortNum, status } from './support/report.ts';

// ---------------------------------------------------------------------------------------------------------------
// Shared by every channel's part: the load generator child plays the users (closed and open loops over sequential
// simulated users, at most 100 connections), this process runs the app and measures it.

/** The load every channel's part offers: the same users, connections and run lengths, so their figures compare. */
const LOAD = { users: 200, warmupMs: 6_000, saturatedMs: 8_000, halfRateMs: 8_000 };

interface LoadRuns {
  warm: LoadRun;
  sat: MeasuredRun;
  half: MeasuredRun;
  halfRate: number;
  /** The open loop at half the before's saturated rate (the load its half-rate p99 was measured at), when given. */
  beforeHalf?: MeasuredRun;
}

/** BENCH_PHASES=0 turns off the per-turn phases and the database's times (what they cost the app is then gone too). */
const PHASES_ON = process.env.BENCH_PHASES !== '0';
/** BENCH_DB_TIMES=0 keeps the phases but not the database's times (the driver's command events cost the app some CPU). */
const DB_TIMES_ON = PHASES_ON && process.env.BENCH_DB_TIMES !== '0';

/** The phases of each turn, and the database's round trips against its own times (the app needs monitorCommands). */
async function phaseRecorder(app: { connection: Connection }, mongo: EmbeddedMongo): Promise<PhaseRecorder | null> {
  if (!PHASES_ON) return null;
  const recorder = new PhaseRecorder();
  if (DB_TIMES_ON) recorder.database = await DatabaseTimes.watch(app.connection.getClient(), mongo.uri);
  return recorder;
}

/**
 * The runs every channel's part makes with the same users (after its sanity user): a warm-up (discarded), a
 * saturated closed loop, then an open loop at half the rate the closed loop reached. `label` words the progress
 * lines ("chats", "updates/s").
 */
async function warmSaturateHalf(load: LoadGenerator, recorder: PhaseRecorder | null, label: { part: string; who: string; unit: string; saturated: string }, beforeRate?: number): Promise<LoadRuns> {
  status(`${label.part}warm-up ${LOAD.warmupMs / 1000} s (${LOAD.users} ${label.who})`);
  const warm = await load.saturate(LOAD.warmupMs);

  status(`${label.part}saturated ${LOAD.saturatedMs / 1000} s (${label.saturated})`);
  const pids = childJavaPids();
  const stopProfile = await startCpuProfile(`${label.part.trim() || 'wechat'}-saturated`);
  const sat = await measured(load, pids, recorder, () => load.saturate(LOAD.saturatedMs));
  await stopProfile();

  const halfRate = sat.rate / 2;
  status(`${label.part}open loop at ${fmt(halfRate)} ${label.unit} for ${LOAD.halfRateMs / 1000} s`);
  const stopHalfProfile = await startCpuProfile(`${label.part.trim() || 'wechat'}-half`);
  const half = await measured(load, pids, recorder, () => load.openLoop(halfRate, LOAD.halfRateMs));
  await stopHalfProfile();
  if (beforeRate === undefined) return { warm, sat, half, halfRate };
  status(`${label.part}open loop at ${fmt(beforeRate / 2)} ${label.unit} (half the before's saturated rate) for ${LOAD.halfRateMs / 1000} s`);
  const stopBeforeHalfProfile = await startCpuProfile(`${label.part.trim() || 'wechat'}-before-half`);
  const beforeHalf = await measured(load, pids, recorder, () => load.openLoop(beforeRate / 2, LOAD.halfRateMs));
  await stopBeforeHalfProfile();
  return { warm, sat, half, halfRate, beforeHalf };
}

const p99Of = (run: LoadRun) => percentile(sortNum(run.samples.map((x) => x.latencyMs)), 99);

// ---------------------------------------------------------------------------------------------------------------
// WeChat Official Account

const WX_BUDGET_MS = 4_000;
const WX = { appId: 'wx1234567890abcdef', token: 'benchToken123', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', gh: 'gh_bench00000001' };
const RUN_TAG = randomBytes(3).toString('hex');

async function benchWechat(): Promise<void> {
  let mongo: EmbeddedMongo | undefined;
  const fake = await startFakeWechatApi();
  const load = await LoadGenerator.start();
  let server: http.Server | undefined;
  let app: Awaited<ReturnType<typeof createAppInstance>> | undefined;
  let drain: (() => Promise<void>) | undefined;
  try {
    status('starting the embedded memory database');
    mongo = await startEmbeddedMongo({ backend: 'memory' });
    // The pipeline exactly as the tests build it (real stores, real actions), on the system clock.
    app = await createAppInstance(`${mongo.uri}bench_wechat`, { clock: systemClock, monitorCommands: DB_TIMES_ON });
    const logger = createLogger('silent');
    const channel = createWechatOaChannel({
      config: {
        appId: WX.appId,
        secret: 'bench-secret-bench-secret',
        token: WX.token,
        aesKey: WX.aesKey,
        apiBase: fake.url,
        replyBudgetMs: WX_BUDGET_MS,
        timestampWindowSeconds: 300,
        csWindowHours: 48,
        csQuota: 5,
        templateIds: {},
      },
      handleInbound: app.handle,
      stores: createMongoChannelStores(app.connection, app.cipher, systemClock),
      replayGuard: createMongoReplayGuard(app.connection),
      logger,
      clock: systemClock,
    });
    await channel.start();
    drain = () => channel.drain();
    server = createHttpApp({ logger, metrics: new Registry(), maxBodyKb: 64, ready: async () => true, routers: [channel.routes] }).listen(0, '127.0.0.1');
    await new Promise<void>((r) => server!.once('listening', () => r()));
    // WeChat's side runs in the load generator: it encrypts and signs with @wecom/crypto, POSTs, classifies the
    // answer, and decrypts every reply of the sanity user and the last reply of each script.
    await load.users({ kind: 'wechat', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: WX.token, appId: WX.appId, aesKey: WX.aesKey, gh: WX.gh, runTag: RUN_TAG, budgetMs: WX_BUDGET_MS, firstUser: 0 }, LOAD.users);

    const ops = new Map<string, number>();
    mongoose.set('debug', (collection: string, method: string) => void ops.set(`${collection}.${method}`, (ops.get(`${collection}.${method}`) ?? 0) + 1));
    let sanity: LoadRun;
    try {
      status('wechat sanity: one user, the whole script, every reply decrypted');
      sanity = await load.sanity();
    } finally {
      mongoose.set('debug', false);
    }
    const recorder = await phaseRecorder(app, mongo);
    const { warm, sat, half, halfRate } = await warmSaturateHalf(load, recorder, { part: 'wechat ', who: 'users', unit: 'msg/s', saturated: 'closed loop' }).finally(() => recorder?.close());
    const opsTotal = [...ops.values()].reduce((a, b) => a + b, 0);
    const sanitySorted = sortNum(sanity.samples.map((x) => x.latencyMs));
    await channel.drain();
    const late = (r: MeasuredRun) => r.run.outcomes['passive reply later than the budget'] ?? 0;

    heading(`WeChat OA — safe-mode POST /wechat/oa, ${LOAD.users} users registering at once (embedded memory database)`);
    row('client', 'another process', `http keep-alive, at most ${MAX_CONNECTIONS} connections; @wecom/crypto encrypts and signs; latency = issued → reply read`);
    row('sanity: one user alone, whole script (cold)', sanity.successes === 1 ? 'registered' : 'NOT registered', `${sanity.messages} messages, p50 ${ms(percentile(sanitySorted, 50))}, max ${ms(sanitySorted.at(-1) ?? NaN)}`);
    row('database operations per message', fmt(opsTotal / Math.max(1, sanity.messages), 2), '(mongoose, sanity user)');
    out(`    ${[...ops.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    row('warm-up (discarded)', `${fmt(LOAD.warmupMs / 1000, 1)} s`, `${fmt(warm.messages)} messages, p99 ${ms(p99Of(warm))}`);
    out();
    out('  Saturated (closed loop)');
    printOutcomes(sat);
    row('messages/s', fmt(sat.rate), `over ${fmt(sat.run.elapsedMs / 1000, 2)} s`);
    row('latency p50', ms(sat.p50));
    row('latency p99', ms(sat.p99));
    row('latency max', ms(sat.sorted.at(-1) ?? NaN));
    printCpu('CPU per message (app + DB)', sat);
    row('passive replies later than the 4 s budget', fmt(late(sat)), `target 0: ${late(sat) === 0 ? 'PASS' : 'FAIL'}`);
    printPhasesOf(sat);
    out();
    out(`  Half the maximum rate (open loop, one arrival every ${fmt(1000 / halfRate, 2)} ms)`);
    row('target rate', `${fmt(halfRate)} msg/s`);
    row('issued / completed rate', fmt(half.run.issued), `${fmt(half.rate)} msg/s over ${fmt(half.run.elapsedMs / 1000, 2)} s; max backlog ${fmt(half.run.maxBacklog)}`);
    printOutcomes(half);
    row('latency p50 (from scheduled time)', ms(half.p50));
    row('latency p99 (from scheduled time)', ms(half.p99), `target ≤ 200 ms: ${half.p99 <= 200 ? 'PASS' : 'BELOW'}`);
    row('latency max', ms(half.sorted.at(-1) ?? NaN));
    printCpu('CPU per message (app + DB)', half);
    row('passive replies later than the 4 s budget', fmt(late(half)), `target 0: ${late(half) === 0 ? 'PASS' : 'FAIL'}`);
    printPhasesOf(half);
    row('customer-service sends (slow-path answers)', fmt(fake.callsTo('/cgi-bin/message/custom/send').length), `stable_token calls: ${fake.callsTo('/cgi-bin/stable_token').length}`);
    out();
    out(`  verdict: WeChat OA half-rate p99 ≤ 200 ms: ${half.p99 <= 200 ? 'met' : 'NOT MET'} (${ms(half.p99)}); passive replies over the 4 s budget: ${late(sat) + late(half) === 0 ? 'met (none)' : `NOT MET (${late(sat) + late(half)})`}`);
  } finally {
    await load.stop().catch(() => undefined);
    await drain?.().catch(() => undefined);
    if (server) await new Promise<void>((r) => (server!.close(() => r()), server!.closeAllConnections()));
    await app?.close().catch(() => undefined);
    await mongo?.stop().catch(() => undefined);
    await fake.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Telegram: updates POSTed to /telegram/webhook (secret header, JSON) by 200 simulated chats, each playing the
// registration script; the webhook answers 200 at once, the turn runs in the chat's queue, and the reply leaves
// through node-telegram-bot-api for a fake Bot API on 127.0.0.1. Latency = update POSTed → the turn's
// sendMessage arriving at the fake server (a turn is one message: text-only replies ride on the question).
// Saturated and half-rate runs lift the Telegram limits (the pipeline is what is measured); a last run keeps the
// production limits (1 message/s per chat, 30/s overall) at an offered rate below the global cap.

const TG_PRODUCTION_MS = 6_000;
const TG_PRODUCTION_RATE = 25;
const TG = { token: '424242:BENCH-token-abcdefghijklmnopqrstuvwxyz', secret: 'bench_webhook_secret_0123456789' };
/** Chat ids of the simulated users: user #n is chat TG_CHAT_BASE + n. */
const TG_CHAT_BASE = 5_000_000;

async function benchTelegram(): Promise<void> {
  let mongo: EmbeddedMongo | undefined;
  let app: Awaited<ReturnType<typeof createAppInstance>> | undefined;
  const load = await LoadGenerator.start();
  const servers: http.Server[] = [];
  const channels: { stop(): Promise<void> }[] = [];
  try {
    // The fake Bot API runs in the load generator: the replies end there, out of the app's process and CPU.
    const apiBase = await load.telegramApi(TG.token);
    status('starting the embedded memory database');
    mongo = await startEmbeddedMongo({ backend: 'memory' });
    // MAX_RUNNING_TURNS and RUNNING_TURNS_LIMIT: the gate's limit, as the app reads them (tuning switches; unset =
    // the app's defaults).
    const limit = process.env.RUNNING_TURNS_LIMIT === 'adaptive' ? ({ runningTurnsLimit: 'adaptive' } as const) : {};
    app = await createAppInstance(`${mongo.uri}redcollar_bench_telegram_${RUN_TAG}`, { monitorCommands: DB_TIMES_ON, settings: { ...limit, ...(process.env.MAX_RUNNING_TURNS ? { maxRunningTurns: Number(process.env.MAX_RUNNING_TURNS) } : {}) } });
    const pipeline = app;

    const logger = createLogger('silent');
    const serve = async (perChatPerSecond: number, globalPerSecond: number): Promise<string> => {
      const channel = createTelegramChannel({ config: { botToken: TG.token, webhookSecret: TG.secret, apiBase, perChatPerSecond, globalPerSecond }, handleInbound: pipeline.handle, users: createMongoTelegramUsers(pipeline.connection), logger });
      channels.push(channel);
      const server = createHttpApp({ logger, metrics: new Registry(), maxBodyKb: 64, ready: async () => true, routers: [channel.routes] }).listen(0, '127.0.0.1');
      // The webhook answers at once and the chat then waits seconds for its reply, so a pooled socket can sit idle
      // past Node's 5 s keep-alive; the server closing it just as the client reuses it shows up as ECONNRESET.
      server.keepAliveTimeout = 65_000;
      servers.push(server);
      await new Promise<void>((r) => server.once('listening', () => r()));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const lifted = await serve(100_000, 100_000);
    const production = await serve(1, 30);
    await load.users({ kind: 'telegram', url: lifted, secret: TG.secret, chatBase: TG_CHAT_BASE, firstUser: 0, replyTimeoutMs: 30_000 }, LOAD.users);

    // The sanity chat also teaches the generator how many sendMessage calls each script position makes, so that
    // in the runs it knows when a turn's reply is complete (and counts any message beyond it).
    status('telegram sanity: one chat alone, the whole script');
    const sanity = await load.sanity();
    const recorder = await phaseRecorder(app, mongo);
    const { warm, sat, half, halfRate, beforeHalf } = await warmSaturateHalf(
      load,
      recorder,
      { part: 'telegram ', who: 'chats', unit: 'updates/s', saturated: `${LOAD.users} chats, closed loop, limits lifted` },
      BASELINES.telegram.saturatedRate,
    ).finally(() => recorder?.close());

    status(`telegram production limits, ${TG_PRODUCTION_RATE} updates/s for ${TG_PRODUCTION_MS / 1000} s`);
    const prod = await load.openLoop(TG_PRODUCTION_RATE, TG_PRODUCTION_MS, production);
    const prodSorted = sortNum(prod.samples.map((x) => x.latencyMs));

    heading(`Telegram — POST /telegram/webhook, ${LOAD.users} chats registering at once (embedded memory database, fake Bot API)`);
    row('latency', 'update → send', 'POST issued (open loop: scheduled) → its last sendMessage at the fake Bot API');
    row('client and fake Bot API', 'another process', `http keep-alive, at most ${MAX_CONNECTIONS} connections`);
    row('gate', process.env.RUNNING_TURNS_LIMIT ?? 'fixed', `MAX_RUNNING_TURNS ${process.env.MAX_RUNNING_TURNS ?? 'default'}`);
    row('sanity: one chat alone, whole script', sanity.successes === 1 ? 'registered' : 'NOT registered', `sendMessage calls per update: ${sanity.repliesPerMessage?.join(' ') ?? '?'}`);
    row('warm-up (discarded)', `${fmt(LOAD.warmupMs / 1000, 1)} s`, `${fmt(warm.messages)} updates, p99 ${ms(p99Of(warm))}`);
    out();
    out('  Saturated (closed loop; per-chat and global send limits lifted)');
    row('updates/s', fmt(sat.rate), `${fmt(sat.run.messages)} updates in ${fmt(sat.run.elapsedMs / 1000, 2)} s`);
    printOutcomes(sat);
    row('latency p50', ms(sat.p50));
    row('latency p99', ms(sat.p99));
    printCpu('CPU per update (app + DB)', sat, BASELINES.telegram);
    printPhasesOf(sat);
    out();
    out(`  Half the maximum rate (open loop, one arrival every ${fmt(1000 / halfRate, 2)} ms)`);
    row('target rate', `${fmt(halfRate)} updates/s`);
    row('issued / completed rate', fmt(half.run.issued), `${fmt(half.rate)} updates/s over ${fmt(half.run.elapsedMs / 1000, 2)} s; max backlog ${fmt(half.run.maxBacklog)}`);
    printOutcomes(half);
    row('latency p50 (from scheduled time)', ms(half.p50));
    row('latency p99 (from scheduled time)', ms(half.p99));
    row('latency max', ms(half.sorted.at(-1) ?? NaN));
    printCpu('CPU per update (app + DB)', half);
    printPhasesOf(half);
    if (beforeHalf) {
      out();
      out(`  Half the before's saturated rate (open loop at ${fmt(BASELINES.telegram.saturatedRate / 2)} updates/s, the load the before's half-rate p99 was measured at)`);
      printOutcomes(beforeHalf);
      row('latency p50 / p99 (from scheduled time)', `${ms(beforeHalf.p50)} / ${ms(beforeHalf.p99)}`, `max ${ms(beforeHalf.sorted.at(-1) ?? NaN)}`);
      printCpu('CPU per update (app + DB)', beforeHalf);
      printPhasesOf(beforeHalf);
    }
    out();
    out(`  Production limits (1 message/s per chat, 30/s overall), open loop at ${TG_PRODUCTION_RATE} updates/s`);
    row('issued / completed rate', fmt(prod.issued), `${fmt(prod.messages / (prod.elapsedMs / 1000))} updates/s over ${fmt(prod.elapsedMs / 1000, 2)} s`);
    row('outcomes', '', Object.entries(prod.outcomes).map(([k, v]) => `${fmt(v)}× ${k}`).join(', '));
    row('latency p50 (from scheduled time)', ms(percentile(prodSorted, 50)));
    row('latency p99 (from scheduled time)', ms(percentile(prodSorted, 99)), 'includes waiting for the send limits');
    out();
    printVerdicts('Telegram', BASELINES.telegram, { saturatedRate: sat.rate, saturatedP99Ms: sat.p99, halfRateP99Ms: half.p99, beforeHalfRateP99Ms: beforeHalf?.p99, cpuPerMessageMs: sat.cpu.total });
  } finally {
    for (const c of channels) await c.stop().catch(() => undefined);
    for (const server of servers) await new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections()));
    await app?.close().catch(() => undefined);
    await mongo?.stop().catch(() => undefined);
    await load.stop().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------

const ONLY = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  await runBench('bench:channels', async () => {
    if (!ONLY || ONLY === 'wechat') await benchWechat();
    if (!ONLY || ONLY === 'telegram') await benchTelegram();
  });
}

await main();
exitSoonAfterStop();
