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
 * BENCH_ONLY=wechat | telegram runs one part. BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each part's
 * saturated run there (<part>-saturated.cpuprofile; open in Chrome DevTools), the start-up and the module loading
 * left out, so the profile shows the work per message only.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as wecom from '@wecom/crypto';
import mongoose from 'mongoose';
import { Registry } from 'prom-client';
import { systemClock } from '../src/app/ports/clock.ts';
import { createWechatOaChannel } from '../src/channels/wechat-oa/channel.ts';
import { createWechatCrypto } from '../src/channels/wechat-common/crypto.ts';
import { createMongoReplayGuard } from '../src/store/mongo/replayGuard.ts';
import { buildWechatXml, parseWechatXml } from '../src/channels/wechat-common/xml.ts';
import { createHttpApp } from '../src/http/server.ts';
import { createLogger } from '../src/infra/logger.ts';
import { createAppInstance, registrationScript } from '../test/support/appHarness.ts';
import { makeIdNumber } from '../test/support/engineHarness.ts';
import { startFakeWechatApi } from '../test/channels/wechat-common/fakeWechatApi.ts';
import { startEmbeddedMongo, type EmbeddedMongo } from '../src/store/embedded/launcher.ts';
import { createTelegramChannel } from '../src/channels/telegram/channel.ts';
import { createMongoTelegramUsers } from '../src/store/mongo/telegramUsers.ts';
import { createMongoChannelStores } from '../src/store/mongo/channelStores.ts';
import { renderReplies as renderTelegramReplies } from '../src/channels/telegram/render.ts';
import { FakeBotApi } from '../test/channels/telegram/fakeBotApi.ts';
import { childJavaPids, cpuMark, cpuPerMessage, type CpuPerMessage } from './support/cpu.ts';
import { post } from './support/http.ts';
import { BASELINES, printCpuPerMessage, printTargets } from './support/targets.ts';
import { openLoop, saturate } from './support/load.ts';
import { exitSoonAfterStop, fmt, heading, ms, out, percentile, row, runBench, sortNum, status } from './support/report.ts';

// ---------------------------------------------------------------------------------------------------------------
// Shared by every channel's part: closed and open loops over sequential simulated users.

interface Stats {
  latencies: number[];
  messages: number;
  registrations: number;
  successes: number;
  /** Outcome counts by kind ("passive", "success (late)", "HTTP 403", "network", ...). */
  outcomes: Map<string, number>;
  /** Passive replies that arrived later than the reply budget after the request was sent. */
  latePassive: number;
  firstError: string | null;
}
const newStats = (): Stats => ({ latencies: [], messages: 0, registrations: 0, successes: 0, outcomes: new Map(), latePassive: 0, firstError: null });
const count = (s: Stats, kind: string) => s.outcomes.set(kind, (s.outcomes.get(kind) ?? 0) + 1);

/** A simulated user part-way through its script; `send` delivers one message and says whether it registered. */
interface SimUser {
  n: number;
  script: string[];
  i: number;
  success: boolean;
}
type SendFn = (user: SimUser, text: string, stats: Stats, startedAt: number) => Promise<void>;

let nextUserNumber = 0;
/** Registration script of user #n with a distinct valid ID number: birth 1970-01-01 + ⌊n/1000⌋ days, sequence n mod 1000. */
function newUser(): SimUser {
  const n = nextUserNumber++;
  const birth = new Date(Date.UTC(1970, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  return { n, script: [...registrationScript(makeIdNumber('320102', birth, String(n % 1000).padStart(3, '0'))), '确认'], i: 0, success: false };
}

async function sendNext(send: SendFn, user: SimUser, stats: Stats, startedAt: number): Promise<SimUser> {
  const text = user.script[user.i++]!;
  await send(user, text, stats, startedAt);
  stats.messages++;
  stats.latencies.push(performance.now() - startedAt);
  if (user.i < user.script.length) return user;
  stats.registrations++;
  if (user.success) stats.successes++;
  return newUser();
}

function printOutcomes(stats: Stats): void {
  row('messages', fmt(stats.messages), `${fmt(stats.registrations)} registrations finished, ${fmt(stats.successes)} with "注册成功"`);
  row('outcomes', '', [...stats.outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${fmt(v)}× ${k}`).join(', '));
  if (stats.firstError) out(`    first error: ${stats.firstError}`);
}

/** The load every channel's part offers: the same users, sockets and run lengths, so their figures compare. */
const LOAD = { users: 200, maxSockets: 64, warmupMs: 6_000, saturatedMs: 8_000, halfRateMs: 8_000 };

interface LoadRuns {
  warm: Stats;
  sat: Stats;
  satElapsed: number;
  /** Messages per second the saturated run reached. */
  maxRate: number;
  half: Stats;
  halfRate: number;
  ol: Awaited<ReturnType<typeof openLoop>>;
  /** CPU per message of the saturated and the half-rate runs (this process + the database child). */
  satCpu: CpuPerMessage;
  halfCpu: CpuPerMessage;
}

/**
 * The runs every channel's part makes with the same users: a warm-up (discarded), a saturated closed loop, then an
 * open loop at half the rate the closed loop reached. `label` words the progress lines ("chats", "updates/s").
 */
async function warmSaturateHalf(send: SendFn, users: SimUser[], label: { part: string; who: string; unit: string; saturated: string }): Promise<LoadRuns> {
  status(`${label.part}warm-up ${LOAD.warmupMs / 1000} s (${users.length} ${label.who})`);
  const warm = newStats();
  await saturate((u, t) => sendNext(send, u, warm, t), users, LOAD.warmupMs);

  status(`${label.part}saturated ${LOAD.saturatedMs / 1000} s (${label.saturated})`);
  const sat = newStats();
  const pids = childJavaPids();
  const stopProfile = await startCpuProfile(`${label.part.trim() || 'wechat'}-saturated`);
  const satMark = cpuMark(pids);
  const satElapsed = await saturate((u, t) => sendNext(send, u, sat, t), users, LOAD.saturatedMs);
  const satCpu = cpuPerMessage(satMark, sat.messages);
  await stopProfile();
  const maxRate = sat.messages / (satElapsed / 1000);

  const halfRate = maxRate / 2;
  status(`${label.part}open loop at ${fmt(halfRate)} ${label.unit} for ${LOAD.halfRateMs / 1000} s`);
  const half = newStats();
  const halfMark = cpuMark(pids);
  const ol = await openLoop((u, t) => sendNext(send, u, half, t), users, halfRate, LOAD.halfRateMs);
  const halfCpu = cpuPerMessage(halfMark, half.messages);
  return { warm, sat, satElapsed, maxRate, half, halfRate, ol, satCpu, halfCpu };
}

/**
 * BENCH_CPU_PROFILE: V8's sampling profiler over one run, through the inspector in this process (the profiler's
 * own cost lands in the CPU figures of that run, so compare profiled runs only with profiled runs).
 */
async function startCpuProfile(name: string): Promise<() => Promise<void>> {
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

// ---------------------------------------------------------------------------------------------------------------
// WeChat Official Account

const WX_BUDGET_MS = 4_000;
const WX = { appId: 'wx1234567890abcdef', token: 'benchToken123', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', gh: 'gh_bench00000001' };
const RUN_TAG = randomBytes(3).toString('hex');

async function benchWechat(): Promise<void> {
  let mongo: EmbeddedMongo | undefined;
  const fake = await startFakeWechatApi();
  const agent = new http.Agent({ keepAlive: true, maxSockets: LOAD.maxSockets });
  let server: http.Server | undefined;
  let app: Awaited<ReturnType<typeof createAppInstance>> | undefined;
  let drain: (() => Promise<void>) | undefined;
  try {
    status('starting the embedded memory database');
    mongo = await startEmbeddedMongo({ backend: 'memory' });
    // The pipeline exactly as the tests build it (real stores, real actions), on the system clock.
    app = await createAppInstance(`${mongo.uri}bench_wechat`, { clock: systemClock });
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
    const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const ours = createWechatCrypto({ token: WX.token, appId: WX.appId, aesKey: WX.aesKey });
    let msgSeq = 0;

    /** WeChat's side: encrypt and sign with @wecom/crypto, POST, classify the answer (decrypting only when asked). */
    const makeSend =
      (verify: boolean): SendFn =>
      async (user, text, stats, startedAt) => {
        const openid = `oBench_${RUN_TAG}_${String(user.n).padStart(8, '0')}`;
        const ts = Math.floor(Date.now() / 1000);
        const nonce = String(100000 + (msgSeq % 900000));
        const inner = buildWechatXml({ ToUserName: WX.gh, FromUserName: openid, CreateTime: ts, MsgType: 'text', Content: text, MsgId: `${Date.now()}${String(++msgSeq).padStart(7, '0')}` });
        const encrypt = wecom.encrypt(WX.aesKey, inner, WX.appId);
        const qs = new URLSearchParams({ signature: ours.signature(String(ts), nonce), timestamp: String(ts), nonce, openid, encrypt_type: 'aes', msg_signature: wecom.getSignature(WX.token, ts, nonce, encrypt) });
        const body = Buffer.from(`<xml><ToUserName><![CDATA[${WX.gh}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
        try {
          const res = await post(agent, base, `/wechat/oa?${qs}`, body, { 'content-type': 'text/xml' });
          const took = performance.now() - startedAt;
          if (res.status !== 200) {
            count(stats, `HTTP ${res.status}`);
            stats.firstError ??= `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
          } else if (res.body === 'success') {
            count(stats, 'success (answered later by customer-service message)');
          } else if (res.body.startsWith('<xml><Encrypt>')) {
            count(stats, 'passive reply');
            if (took > WX_BUDGET_MS) stats.latePassive++;
            if (verify || text === '确认') {
              const f = parseWechatXml(res.body).fields;
              if (wecom.getSignature(WX.token, f.TimeStamp!, f.Nonce!, f.Encrypt!) !== f.MsgSignature) throw new Error('reply signature does not verify');
              const content = parseWechatXml(wecom.decrypt(WX.aesKey, f.Encrypt!).message).fields.Content ?? '';
              if (content.includes('注册成功')) user.success = true;
            }
          } else {
            count(stats, 'unexpected body');
            stats.firstError ??= `unexpected: ${res.body.slice(0, 200)}`;
          }
        } catch (err) {
          count(stats, 'network');
          stats.firstError ??= `network: ${(err as Error).message}`;
        }
      };

    status('sanity: one user, the whole script, every reply decrypted');
    const sanity = newStats();
    const ops = new Map<string, number>();
    mongoose.set('debug', (collection: string, method: string) => void ops.set(`${collection}.${method}`, (ops.get(`${collection}.${method}`) ?? 0) + 1));
    try {
      for (let u = newUser(), first = u; u === first; ) u = await sendNext(makeSend(true), u, sanity, performance.now());
    } finally {
      mongoose.set('debug', false);
    }
    const opsTotal = [...ops.values()].reduce((a, b) => a + b, 0);
    const sanitySorted = sortNum(sanity.latencies);

    const send = makeSend(false);
    const users = Array.from({ length: LOAD.users }, newUser);
    const { warm, sat, satElapsed, maxRate, half, halfRate, ol, satCpu, halfCpu } = await warmSaturateHalf(send, users, { part: '', who: 'users', unit: 'msg/s', saturated: 'closed loop' });
    const satSorted = sortNum(sat.latencies);
    const halfSorted = sortNum(half.latencies);
    await channel.drain();

    heading(`WeChat OA — safe-mode POST /wechat/oa, ${LOAD.users} users registering at once (embedded memory database)`);
    row('client', 'http keep-alive', `maxSockets ${LOAD.maxSockets}; @wecom/crypto encrypts and signs; latency = issued → reply read`);
    row('sanity: one user alone, whole script (cold)', sanity.successes === 1 ? 'registered' : 'NOT registered', `${sanity.messages} messages, p50 ${ms(percentile(sanitySorted, 50))}, max ${ms(sanitySorted.at(-1) ?? NaN)}`);
    row('database operations per message', fmt(opsTotal / Math.max(1, sanity.messages), 2), '(mongoose, sanity user)');
    out(`    ${[...ops.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    row('warm-up (discarded)', `${fmt(LOAD.warmupMs / 1000, 1)} s`, `${fmt(warm.messages)} messages, p99 ${ms(percentile(sortNum(warm.latencies), 99))}`);
    out();
    out('  Saturated (closed loop)');
    printOutcomes(sat);
    row('messages/s', fmt(maxRate), `over ${fmt(satElapsed / 1000, 2)} s`);
    row('latency p50', ms(percentile(satSorted, 50)));
    row('latency p99', ms(percentile(satSorted, 99)));
    row('latency max', ms(satSorted.at(-1) ?? NaN));
    printCpuPerMessage('CPU per message (app + load generator + DB)', satCpu);
    row('passive replies later than the 4 s budget', fmt(sat.latePassive), `target 0: ${sat.latePassive === 0 ? 'PASS' : 'FAIL'}`);
    out();
    out(`  Half the maximum rate (open loop, one arrival every ${fmt(1000 / halfRate, 2)} ms)`);
    row('target rate', `${fmt(halfRate)} msg/s`);
    row('issued / completed rate', fmt(ol.issued), `${fmt(half.messages / (ol.elapsed / 1000))} msg/s over ${fmt(ol.elapsed / 1000, 2)} s; max backlog ${fmt(ol.maxBacklog)}`);
    printOutcomes(half);
    row('latency p50 (from scheduled time)', ms(percentile(halfSorted, 50)));
    const p99 = percentile(halfSorted, 99);
    row('latency p99 (from scheduled time)', ms(p99), `target ≤ 200 ms: ${p99 <= 200 ? 'PASS' : 'BELOW'}`);
    row('latency max', ms(halfSorted.at(-1) ?? NaN));
    printCpuPerMessage('CPU per message (app + load generator + DB)', halfCpu);
    row('passive replies later than the 4 s budget', fmt(half.latePassive), `target 0: ${half.latePassive === 0 ? 'PASS' : 'FAIL'}`);
    row('customer-service sends (slow-path answers)', fmt(fake.callsTo('/cgi-bin/message/custom/send').length), `stable_token calls: ${fake.callsTo('/cgi-bin/stable_token').length}`);
  } finally {
    agent.destroy();
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
  const fake = await new FakeBotApi(TG.token, { keepLog: false }).start();
  const agent = new http.Agent({ keepAlive: true, maxSockets: LOAD.maxSockets });
  const servers: http.Server[] = [];
  const channels: { stop(): Promise<void> }[] = [];
  try {
    status('starting the embedded memory database');
    mongo = await startEmbeddedMongo({ backend: 'memory' });
    // MAX_RUNNING_TURNS: the gate's limit, as in bench:engine (a tuning switch; unset = the app's default).
    app = await createAppInstance(`${mongo.uri}redcollar_bench_telegram_${RUN_TAG}`, process.env.MAX_RUNNING_TURNS ? { settings: { maxRunningTurns: Number(process.env.MAX_RUNNING_TURNS) } } : {});
    const pipeline = app;

    /** The update in flight per chat: the messages its turn will send (known once the turn is done) and those arrived. */
    interface InFlight {
      expected: number | null;
      got: number;
      done: () => void;
      user: SimUser;
    }
    const inFlight = new Map<string, InFlight>();
    const settle = (chat: string, f: InFlight) => {
      if (f.expected === null || f.got < f.expected) return;
      inFlight.delete(chat);
      f.done();
    };
    fake.onCall = (call) => {
      if (call.method !== 'sendMessage') return;
      const chat = String(call.params.chat_id);
      const f = inFlight.get(chat);
      if (!f) return;
      f.got++;
      if (String(call.params.text).includes('注册成功')) f.user.success = true;
      settle(chat, f);
    };
    // The real pipeline, wrapped only to learn how many messages a turn sends (so the load generator knows when
    // the reply is complete); the wrapper costs a map lookup.
    const handle: typeof pipeline.handle = async (msg) => {
      const result = await pipeline.handle(msg);
      const f = inFlight.get(msg.userId);
      if (f) {
        f.expected = result.duplicate ? 0 : renderTelegramReplies(result.replies).length;
        settle(msg.userId, f);
      }
      return result;
    };

    const logger = createLogger('silent');
    const serve = async (perChatPerSecond: number, globalPerSecond: number): Promise<URL> => {
      const channel = createTelegramChannel({ config: { botToken: TG.token, webhookSecret: TG.secret, apiBase: fake.url, perChatPerSecond, globalPerSecond }, handleInbound: handle, users: createMongoTelegramUsers(pipeline.connection), logger });
      channels.push(channel);
      const server = createHttpApp({ logger, metrics: new Registry(), maxBodyKb: 64, ready: async () => true, routers: [channel.routes] }).listen(0, '127.0.0.1');
      // The webhook answers at once and the chat then waits seconds for its reply, so a pooled socket can sit idle
      // past Node's 5 s keep-alive; the server closing it just as the client reuses it shows up as ECONNRESET.
      server.keepAliveTimeout = 65_000;
      servers.push(server);
      await new Promise<void>((r) => server.once('listening', () => r()));
      return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    };
    const lifted = await serve(100_000, 100_000);
    const production = await serve(1, 30);

    let updateId = 1;
    const sendTo =
      (base: URL): SendFn =>
      async (user, text, stats) => {
        const chatId = TG_CHAT_BASE + user.n;
        const key = String(chatId);
        const replied = new Promise<void>((done) => inFlight.set(key, { expected: null, got: 0, done, user }));
        const update = { update_id: updateId++, message: { message_id: user.i, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'Bench' }, text } };
        let res: { status: number; body: string };
        try {
          res = await post(agent, base, '/telegram/webhook', Buffer.from(JSON.stringify(update)), { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG.secret });
        } catch (err) {
          inFlight.delete(key);
          count(stats, 'network');
          stats.firstError ??= (err as Error).message;
          return;
        }
        if (res.status !== 200) {
          inFlight.delete(key);
          count(stats, `HTTP ${res.status}`);
          stats.firstError ??= `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
          return;
        }
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([replied.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 30_000)))]);
        clearTimeout(timer);
        if (timedOut) {
          inFlight.delete(key);
          count(stats, 'no sendMessage within 30 s');
        } else count(stats, 'answered');
      };

    const users = Array.from({ length: LOAD.users }, newUser);
    const { warm, sat, satElapsed, maxRate, half, halfRate, ol, satCpu, halfCpu } = await warmSaturateHalf(sendTo(lifted), users, {
      part: 'telegram ',
      who: 'chats',
      unit: 'updates/s',
      saturated: `${LOAD.users} chats, closed loop, limits lifted`,
    });
    const satSorted = sortNum(sat.latencies);
    const halfSorted = sortNum(half.latencies);

    status(`telegram production limits, ${TG_PRODUCTION_RATE} updates/s for ${TG_PRODUCTION_MS / 1000} s`);
    const prod = newStats();
    const pl = await openLoop((u, t) => sendNext(sendTo(production), u, prod, t), users, TG_PRODUCTION_RATE, TG_PRODUCTION_MS);
    const prodSorted = sortNum(prod.latencies);

    heading(`Telegram — POST /telegram/webhook, ${LOAD.users} chats registering at once (embedded memory database, fake Bot API)`);
    row('latency', 'update → send', 'POST issued (open loop: scheduled) → its sendMessage at the fake Bot API');
    row('warm-up (discarded)', `${fmt(LOAD.warmupMs / 1000, 1)} s`, `${fmt(warm.messages)} updates, p99 ${ms(percentile(sortNum(warm.latencies), 99))}`);
    out();
    out('  Saturated (closed loop; per-chat and global send limits lifted)');
    row('updates/s', fmt(maxRate), `${fmt(sat.messages)} updates in ${fmt(satElapsed / 1000, 2)} s`);
    printOutcomes(sat);
    row('latency p50', ms(percentile(satSorted, 50)));
    row('latency p99', ms(percentile(satSorted, 99)));
    printCpuPerMessage('CPU per update (app + load generator + DB)', satCpu, BASELINES.telegram);
    out();
    out(`  Half the maximum rate (open loop, one arrival every ${fmt(1000 / halfRate, 2)} ms)`);
    row('target rate', `${fmt(halfRate)} updates/s`);
    row('issued / completed rate', fmt(ol.issued), `${fmt(half.messages / (ol.elapsed / 1000))} updates/s over ${fmt(ol.elapsed / 1000, 2)} s; max backlog ${fmt(ol.maxBacklog)}`);
    printOutcomes(half);
    row('latency p50 (from scheduled time)', ms(percentile(halfSorted, 50)));
    row('latency p99 (from scheduled time)', ms(percentile(halfSorted, 99)));
    row('latency max', ms(halfSorted.at(-1) ?? NaN));
    printCpuPerMessage('CPU per update (app + load generator + DB)', halfCpu);
    out();
    out('  Issue 15 targets (before = main when the work started)');
    printTargets(BASELINES.telegram, { saturatedRate: maxRate, saturatedP99Ms: percentile(satSorted, 99), halfRateP99Ms: percentile(halfSorted, 99) });
    out();
    out(`  Production limits (1 message/s per chat, 30/s overall), open loop at ${TG_PRODUCTION_RATE} updates/s`);
    row('issued / completed rate', fmt(pl.issued), `${fmt(prod.messages / (pl.elapsed / 1000))} updates/s over ${fmt(pl.elapsed / 1000, 2)} s`);
    printOutcomes(prod);
    row('latency p50 (from scheduled time)', ms(percentile(prodSorted, 50)));
    row('latency p99 (from scheduled time)', ms(percentile(prodSorted, 99)), 'includes waiting for the send limits');
  } finally {
    agent.destroy();
    for (const c of channels) await c.stop().catch(() => undefined);
    for (const server of servers) await new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections()));
    await app?.close().catch(() => undefined);
    await mongo?.stop().catch(() => undefined);
    await fake.stop();
  }
}

/** POST an update with the webhook secret header. */
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
