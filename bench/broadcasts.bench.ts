/**
 * `npm run bench:broadcasts`: the figures on the embedded database (memory backend), production code
 * from the segment to the sender:
 *
 * 1. A segment of 100,000 workers resolved and fixed as deliveries (the fan-out a send starts): target ≤ 30 s.
 * 2. Sending with the platform limits lifted (a sender that answers at once): target ≥ 1,000 sends/s sustained.
 * 3. Sending through the real Telegram sender (30 messages/s overall, 1/s per chat) to a fake Bot API that
 *    enforces exactly those limits and answers 429 with retry_after beyond them: target zero 429s.
 *
 * The runs are driven directly (fanOut, then sendRun until done) with a scheduler that only records, and marked
 * urgent so that the hour the bench is run at (quiet hours) does not change what it measures.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connection } from 'mongoose';
import { createBroadcast } from '../src/app/broadcasts/compose.ts';
import type { BroadcastDeps, BroadcastSettings } from '../src/app/broadcasts/deps.ts';
import { sendBroadcast } from '../src/app/broadcasts/sendBroadcast.ts';
import { fanOut, sendRun } from '../src/app/broadcasts/sendRun.ts';
import type { AdminRecord } from '../src/app/ports/certification.ts';
import type { Scheduler } from '../src/app/ports/scheduler.ts';
import type { Sender } from '../src/app/ports/sender.ts';
import type { TrainingDeps } from '../src/app/training/deps.ts';
import { createTelegramChannel } from '../src/channels/telegram/channel.ts';
import { createLogger } from '../src/infra/logger.ts';
import { startEmbeddedMongo } from '../src/store/embedded/launcher.ts';
import { createMongoAudienceSource, createMongoTestTargets } from '../src/store/mongo/audienceSource.ts';
import { createMongoBroadcastStore } from '../src/store/mongo/broadcastStore.ts';
import { connectMongo } from '../src/store/mongo/connection.ts';
import { createMongoDeliveryStore } from '../src/store/mongo/deliveryStore.ts';
import { createMongoConversationStore } from '../src/store/mongo/conversationStore.ts';
import { createPiiCipher } from '../src/infra/piiCipher.ts';
import { createMongoTelegramUsers } from '../src/store/mongo/telegramUsers.ts';
import { content } from '../test/support/engineHarness.ts';
import { sendJson, startFakeServer } from '../test/support/fakeServer.ts';
import { TelegramLimitRules } from '../test/support/telegramLimits.ts';
import { exitSoonAfterStop, fmt, heading, out, row, runBench, status } from './support/report.ts';

const WORKERS = Number(process.env.BENCH_BROADCAST_WORKERS ?? 100_000);
const SEND_SAMPLE = Number(process.env.BENCH_BROADCAST_SENDS ?? 30_000);
const TG_CHATS = Number(process.env.BENCH_BROADCAST_TG_CHATS ?? 150);
const ADMIN: AdminRecord = { id: 'bench', name: 'bench', regionCode: '320100', levels: [], createdAt: '2026-01-01T00:00:00Z', disabled: false };
let failed = false;

const recordingScheduler: Scheduler = {
  define() {},
  async every() {},
  async scheduleAt() {},
  async cancel() {
    return 0;
  },
  async now() {},
  async start() {},
  async stop() {},
  isReady: () => true,
  async catchUp() {},
};

function depsOf(connection: Connection, sender: Sender, settings: Partial<BroadcastSettings>): BroadcastDeps {
  return {
    broadcasts: createMongoBroadcastStore(connection),
    deliveries: createMongoDeliveryStore(connection),
    audience: createMongoAudienceSource(connection),
    testTargets: createMongoTestTargets(connection),
    // The real store: a sent notice with choices marks its chats' conversations (one update per wave).
    conversations: createMongoConversationStore(connection, createPiiCipher(randomBytes(32))),
    reminders: { mutesOf: async () => [], takeDailySlot: async () => true },
    training: { training: { get: async () => null } } as unknown as TrainingDeps,
    policies: content().policies,
    sender,
    reach: async () => ({ reachable: true, how: 'direct' }),
    scheduler: recordingScheduler,
    translator: content().translator,
    clock: { now: () => new Date() },
    logger: createLogger('warn'),
    audit: { append: async () => {}, list: async () => [] },
    settings: { approvalThreshold: 10_000_000, batchSize: 500, concurrency: 64, leaseMs: 600_000, maxAttempts: 3, ...settings },
  };
}

/** Workers written straight into the collection (the profile fields the segment reads), in bulk. */
async function seedWorkers(connection: Connection, n: number, region: string, channel: string, userId: (i: number) => string): Promise<void> {
  const c = connection.db!.collection('workers');
  for (let i = 0; i < n; i += 5000) {
    const docs = Array.from({ length: Math.min(5000, n - i) }, (_, k) => {
      const j = i + k;
      return { accountKey: `${channel}:${userId(j)}`, channel, userId: userId(j), idHmac: `${region}-${j}`, name: `工作者${j}`, role: 'secretary', regionCode: region, registeredAt: new Date('2026-01-01T00:00:00Z') };
    });
    await c.insertMany(docs, { ordered: false });
  }
}

async function broadcastTo(deps: BroadcastDeps, region: string): Promise<string> {
  const r = await createBroadcast(deps, ADMIN, { text: { 'zh-CN': '{name}同志：请于本月底前完成年度学时。' }, segment: { region }, urgent: true });
  if (!r.ok) throw new Error(r.error.message);
  const s = await sendBroadcast(deps, ADMIN, r.value.id);
  if (!s.ok) throw new Error(s.error.message);
  return r.value.id;
}

async function runToEnd(deps: BroadcastDeps, id: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    await sendRun(deps, id);
    const b = await deps.broadcasts.get(id);
    if (!b || b.status !== 'sending') return;
  }
}

async function partFanOutAndSend(connection: Connection): Promise<void> {
  heading(`1-2. a segment of ${fmt(WORKERS)} workers: fan-out, then sending with the limits lifted`);
  status(`seeding ${fmt(WORKERS)} workers`);
  await seedWorkers(connection, WORKERS, '320102001', 'sim', (i) => `w${i}`);
  let sends = 0;
  const deps = depsOf(connection, {
    async send() {
      sends++;
      return { ok: true };
    },
  }, {});
  const id = await broadcastTo(deps, '320102');
  status('resolving the segment and inserting the deliveries');
  const t0 = performance.now();
  await fanOut(deps, id);
  const fanOutS = (performance.now() - t0) / 1000;
  const b = (await deps.broadcasts.get(id))!;
  row('recipients fixed', fmt(b.total), b.total === WORKERS ? '' : `expected ${fmt(WORKERS)}`);
  row('segment resolved + deliveries inserted', `${fmt(fanOutS, 1)} s`, fanOutS <= 30 ? 'target ≤ 30 s: met' : 'target ≤ 30 s: MISSED');
  if (fanOutS > 30 || b.total !== WORKERS) failed = true;

  status(`sending ${fmt(Math.min(SEND_SAMPLE, WORKERS))} of them`);
  const stopAfter = Math.min(SEND_SAMPLE, WORKERS);
  const t1 = performance.now();
  while (sends < stopAfter) {
    await sendRun(deps, id);
    const now = await deps.broadcasts.get(id);
    if (now?.status !== 'sending') break;
  }
  const sendS = (performance.now() - t1) / 1000;
  const rate = sends / sendS;
  row('sent', fmt(sends), `in ${fmt(sendS, 1)} s`);
  row('sends per second (limits lifted)', fmt(rate), rate >= 1000 ? 'target ≥ 1,000/s: met' : 'target ≥ 1,000/s: MISSED');
  if (rate < 1000) failed = true;
  await deps.broadcasts.move(id, ['sending'], 'cancelled');
}

/**
 * A fake Bot API holding Telegram's limits exactly (test/support/telegramLimits.ts, the rules the pacing's unit
 * test holds the sender to): more than 30 sendMessage calls in any sliding second, or two to one chat within a
 * second, get 429 with retry_after.
 */
async function limitedBotApi(token: string) {
  const rules = new TelegramLimitRules();
  const server = await startFakeServer((req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (!m || m[1] !== token) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const chat = String(params.chat_id ?? (JSON.parse(body.toString('utf8') || '{}') as { chat_id?: unknown }).chat_id ?? '');
    const retryAfter = rules.arrive(chat, performance.now());
    if (retryAfter !== null) return sendJson(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } });
    sendJson(res, 200, { ok: true, result: { message_id: rules.stats.ok, date: Math.floor(Date.now() / 1000), chat: { id: Number(chat), type: 'private' }, text: 'x' } });
  });
  return { url: server.url, stats: rules.stats, close: () => server.close() };
}

async function partTelegram(connection: Connection): Promise<void> {
  heading(`3. through the Telegram sender (30/s overall, 1/s per chat) to a fake that enforces both: two broadcasts to ${fmt(TG_CHATS)} chats`);
  const token = '123456:bench';
  const fake = await limitedBotApi(token);
  const channel = createTelegramChannel({
    config: { botToken: token, webhookSecret: 'bench-secret-0123456789', apiBase: fake.url, perChatPerSecond: 1, globalPerSecond: 30 },
    handleInbound: async () => ({ replies: [], duplicate: false }),
    users: createMongoTelegramUsers(connection),
    logger: createLogger('warn'),
  });
  try {
    await seedWorkers(connection, TG_CHATS, '320105001', 'telegram', (i) => String(7_000_000 + i));
    const deps = depsOf(connection, channel.sender!, { batchSize: 100, concurrency: 32 });
    const a = await broadcastTo(deps, '320105');
    const b = await broadcastTo(deps, '320105');
    const t0 = performance.now();
    await Promise.all([fanOut(deps, a), fanOut(deps, b)]);
    await Promise.all([runToEnd(deps, a), runToEnd(deps, b)]);
    const s = (performance.now() - t0) / 1000;
    const [ba, bb] = [(await deps.broadcasts.get(a))!, (await deps.broadcasts.get(b))!];
    row('sent (both broadcasts)', fmt(ba.counts.sent + bb.counts.sent), `of ${fmt(2 * TG_CHATS)}, in ${fmt(s, 1)} s`);
    row('messages per second', fmt(fake.stats.ok / s, 1), 'Telegram: about 30/s');
    row('429 answers from the fake', fmt(fake.stats.tooMany), fake.stats.tooMany === 0 ? 'target 0: met' : 'target 0: MISSED');
    if (fake.stats.tooMany > 0 || ba.counts.sent + bb.counts.sent !== 2 * TG_CHATS) failed = true;
  } finally {
    await channel.stop();
    await fake.close();
  }
}

await runBench('bench:broadcasts', async () => {
  status('starting the embedded memory database');
  const mongo = await startEmbeddedMongo({ backend: 'memory' });
  const connection = await connectMongo(`${mongo.uri}redcollar_bench_broadcasts`);
  try {
    createMongoBroadcastStore(connection);
    createMongoDeliveryStore(connection);
    createMongoTelegramUsers(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    await connection.db!.collection('workers').createIndex({ regionCode: 1 });
    await partFanOutAndSend(connection);
    await partTelegram(connection);
  } finally {
    await connection.close();
    await mongo.stop();
  }
  out();
  out(failed ? 'a target was missed' : 'all targets met');
  if (failed) process.exitCode = 1;
});
exitSoonAfterStop();
