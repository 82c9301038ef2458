import { beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../../src/channels/telegram/channel.ts';
import { createMongoTelegramUsers } from '../../../src/store/mongo/telegramUsers.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createAppInstance } from '../../support/appHarness.ts';
import { closeAfterAll } from '../../support/closeAfterAll.ts';
import { testDbUri } from '../../support/db.ts';
import { loadTranscripts, playTranscript, type Reply } from '../../support/transcripts.ts';
import { FakeBotApi, type BotApiCall } from './fakeBotApi.ts';
import { serveRouters } from './harness.ts';
import { callbackUpdate, postUpdate, textUpdate } from './updates.ts';

/**
 * POST /telegram/webhook end to end: updates in over HTTP, the real pipeline on the embedded database,
 * sendMessage / answerCallbackQuery out to a fake Bot API on 127.0.0.1.
 */
const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const SECRET = 'webhook_secret-0123456789abcdef';

let fake: FakeBotApi;
let uri: string;
let app: Awaited<ReturnType<typeof createAppInstance>>;
let channel: TelegramChannel;
let http: Awaited<ReturnType<typeof serveRouters>>;
const closers = closeAfterAll();

function makeChannel(instance = app) {
  const c = createTelegramChannel({
    // Fast pacing here; the limits themselves are tested in sender.test.ts.
    config: { botToken: TOKEN, webhookSecret: SECRET, apiBase: fake.url, perChatPerSecond: 200, globalPerSecond: 2000, retryBackoffMs: 20 },
    handleInbound: instance.handle,
    users: createMongoTelegramUsers(instance.connection),
    logger: createLogger('silent'),
  });
  closers.push(() => c.stop());
  return c;
}

beforeAll(async () => {
  fake = await new FakeBotApi(TOKEN).start();
  closers.push(() => fake.stop());
  uri = testDbUri('telegram_webhook');
  app = await createAppInstance(uri);
  closers.push(app.close);
  channel = makeChannel();
  http = await serveRouters([channel.routes], { maxBodyKb: 64 });
  closers.push(http.close);
});

const asReplies = (calls: BotApiCall[]): Reply[] =>
  calls.map((c) => {
    const kb = (c.params.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined)?.inline_keyboard;
    return { text: String(c.params.text), ...(kb ? { choices: kb.flat().map((b) => ({ id: b.callback_data, label: b.text })) } : {}) };
  });

/**
 * A Telegram user: types text, or taps a button of the last keyboard when the text is exactly a button's label.
 * Returns what the bot sent to the chat for this update.
 */
function telegramUser(chatId: number) {
  let lastKeyboard: { inline_keyboard: { text: string; callback_data: string }[][] } | undefined;
  return async (text: string): Promise<{ replies: Reply[]; tapped: boolean }> => {
    const before = fake.sent(chatId).length;
    const button = lastKeyboard?.inline_keyboard.flat().find((b) => b.text === text);
    const update = button ? callbackUpdate(chatId, button.callback_data, { keyboard: lastKeyboard }) : textUpdate(chatId, text);
    const res = await postUpdate(http.url, update, SECRET);
    expect(res.status).toBe(200);
    await channel.idle();
    if (button) {
      const queryId = (update as ReturnType<typeof callbackUpdate>).callback_query.id;
      await fake.waitFor(() => fake.calls.some((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === queryId), 5000, `answerCallbackQuery ${queryId}`);
    }
    const calls = fake.sent(chatId).slice(before);
    const kb = [...calls].reverse().find((c) => c.params.reply_markup)?.params.reply_markup as typeof lastKeyboard;
    if (kb) lastKeyboard = kb;
    return { replies: asReplies(calls), tapped: Boolean(button) };
  };
}

const squash = (replies: Reply[]) => replies.map((r) => r.text).join('').replace(/\s+/g, '');

describe('Telegram webhook: the registration transcript', () => {
  it('runs through /telegram/webhook with inline keyboards and answered taps, with the same outcome as /sim', async () => {
    const transcript = loadTranscripts().find((t) => t.file === 'registration.yaml')!.transcript;
    const chatId = 7001;
    const user = telegramUser(chatId);
    // The same words through the simulator's channel on a database of its own, turn by turn, for comparison.
    const sim = await createAppInstance(testDbUri('telegram_vs_sim'));
    closers.push(sim.close);
    let taps = 0;
    let n = 0;
    await playTranscript(transcript, async (_who, text) => {
      const { replies, tapped } = await user(text);
      if (tapped) taps++;
      const simReplies = (await sim.handle({ channel: 'sim', userId: 's1', messageId: `s${++n}`, input: { type: 'text', text } })).replies;
      expect(squash(replies), `turn ${n} (${text})`).toBe(squash(simReplies));
      const simChoices = simReplies.filter((r) => r.choices?.length).at(-1)?.choices;
      const tgChoices = replies.filter((r) => r.choices?.length).at(-1)?.choices;
      expect(tgChoices?.map((c) => c.label), `choices of turn ${n}`).toEqual(simChoices?.map((c) => c.label));
      // callback_data is the choice id itself.
      expect(tgChoices?.map((c) => c.id)).toEqual(simChoices?.map((c) => c.id));
      return replies;
    });
    expect(taps).toBeGreaterThanOrEqual(3);
    const worker = await app.workers.findByAccount('telegram', String(chatId));
    expect(worker).toMatchObject({ name: '张小三', idNumber: '320102198503121234', regionCode: '320102' });
    const simWorker = await sim.workers.findByAccount('sim', 's1');
    const comparable = (w: typeof worker) => ({ ...w, id: 0, channel: 0, userId: 0, orgId: 0, registeredAt: 0, updatedAt: 0 });
    expect(comparable(simWorker)).toEqual(comparable(worker));
  });

  it('/start opens the menu, /start <payload> hands the payload to the pipeline, /help@bot is the help command', async () => {
    const user = telegramUser(7002);
    const menu = await user('/start');
    expect(squash(menu.replies)).toContain('请选择要办理的事项');
    expect(menu.replies.at(-1)?.choices?.length).toBeGreaterThan(0);
    const deep = await user('/start 注册');
    expect(squash(deep.replies)).toContain('请输入您的姓名');
    const help = await user('/help@redcollar_bot');
    // The step's help, not "/help@redcollar_bot" taken as the name.
    expect(squash(help.replies)).toContain('请填写与身份证一致的姓名');
    expect(squash(help.replies)).not.toContain('手机号码');
  });
});

describe('Telegram webhook: bad input', () => {
  const settle = async () => {
    await channel.idle();
    await new Promise((r) => setTimeout(r, 100));
    await channel.idle();
  };

  it('refuses a missing or wrong secret token with 401 and processes nothing', async () => {
    const chatId = 7101;
    for (const secret of [null, '', 'wrong', `${SECRET.slice(0, -1)}X`, `${SECRET}x`]) {
      const res = await postUpdate(http.url, textUpdate(chatId, '菜单'), secret);
      expect(res.status, `secret ${JSON.stringify(secret)}`).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ code: 'unauthenticated', error: expect.stringContaining('secret-token') });
    }
    await settle();
    expect(fake.sent(chatId)).toHaveLength(0);
    expect(await app.conversations.lastReply('telegram', String(chatId), new Date())).toMatchObject({ last: null });
  });

  it('processes a repeated update once: same instance, concurrently, and on a second instance', async () => {
    const chatId = 7102;
    const update = textUpdate(chatId, '菜单');
    const results = await Promise.all([postUpdate(http.url, update, SECRET), postUpdate(http.url, update, SECRET)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    await settle();
    expect((await postUpdate(http.url, update, SECRET)).status).toBe(200);
    // A second app instance (another process behind the load balancer) gets the redelivery.
    const other = await createAppInstance(uri);
    closers.push(other.close);
    const second = makeChannel(other);
    const http2 = await serveRouters([second.routes]);
    closers.push(http2.close);
    expect((await postUpdate(http2.url, update, SECRET)).status).toBe(200);
    await second.idle();
    await settle();
    expect(fake.sent(chatId)).toHaveLength(1);
    // A callback query tapped twice (redelivered) is answered and handled once.
    const tap = callbackUpdate(chatId, 'register');
    await postUpdate(http.url, tap, SECRET);
    await postUpdate(http.url, tap, SECRET);
    await settle();
    expect(fake.calls.filter((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === tap.callback_query.id)).toHaveLength(1);
    expect(fake.sent(chatId)).toHaveLength(2);
  });

  it('answers malformed JSON, non-updates, wrong content types and oversized bodies with 4xx; the server stays up', async () => {
    const chatId = 7103;
    const cases: [string, Promise<{ status: number; body: string }>, number][] = [
      ['malformed JSON', postUpdate(http.url, null, SECRET, { raw: '{"update_id": 1, "message": {' }), 400],
      ['a JSON string', postUpdate(http.url, null, SECRET, { raw: '"hello"' }), 400],
      ['not an update', postUpdate(http.url, { hello: 'world' }, SECRET), 400],
      ['update_id not a number', postUpdate(http.url, { update_id: 'x', message: textUpdate(chatId, 'a').message }, SECRET), 400],
      ['message without chat', postUpdate(http.url, { update_id: 99, message: { message_id: 1, text: 'x' } }, SECRET), 400],
      ['text/plain', postUpdate(http.url, null, SECRET, { raw: 'update', contentType: 'text/plain' }), 415],
      ['oversized', postUpdate(http.url, textUpdate(chatId, 'x'.repeat(70 * 1024)), SECRET), 413],
    ];
    for (const [what, res, status] of cases) {
      const r = await res;
      expect(r.status, what).toBe(status);
      expect(JSON.parse(r.body), what).toHaveProperty('error');
    }
    // Ignored but acknowledged (Telegram would otherwise redeliver them forever): groups, edits, other kinds.
    for (const update of [textUpdate(-100123, '菜单', { chatType: 'supergroup' }), { update_id: 123_456, edited_message: textUpdate(chatId, 'x').message }, { update_id: 123_457, inline_query: { id: '1', from: { id: 1 }, query: 'x', offset: '' } }]) {
      expect((await postUpdate(http.url, update, SECRET)).status).toBe(200);
    }
    await settle();
    expect(fake.sent(chatId)).toHaveLength(0);
    expect(fake.sent(-100123)).toHaveLength(0);
    // Still up and working.
    expect((await postUpdate(http.url, textUpdate(chatId, '菜单'), SECRET)).status).toBe(200);
    await settle();
    expect(fake.sent(chatId)).toHaveLength(1);
  });

  it('answers a tap on a button without data and still handles nothing for it', async () => {
    const chatId = 7104;
    const update = callbackUpdate(chatId, '');
    delete (update.callback_query as { data?: string }).data;
    expect((await postUpdate(http.url, update, SECRET)).status).toBe(200);
    await fake.waitFor(() => fake.calls.some((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === update.callback_query.id));
    await settle();
    expect(fake.sent(chatId)).toHaveLength(0);
  });
});

describe('Telegram webhook: ordering and acknowledgement', () => {
  it('answers 200 before the turn runs, and runs one chat\'s updates in arrival order', async () => {
    const chatId = 7201;
    let running = 0;
    let maxRunning = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The real pipeline behind a gate the test opens: the webhook must answer while no turn can have run.
    const gated = createTelegramChannel({
      config: { botToken: TOKEN, webhookSecret: SECRET, apiBase: fake.url, perChatPerSecond: 200, globalPerSecond: 2000 },
      handleInbound: async (msg) => {
        maxRunning = Math.max(maxRunning, ++running);
        await gate;
        await new Promise((r) => setTimeout(r, 20));
        try {
          return await app.handle(msg);
        } finally {
          running--;
        }
      },
      users: createMongoTelegramUsers(app.connection),
      logger: createLogger('silent'),
    });
    closers.push(() => gated.stop());
    const server = await serveRouters([gated.routes]);
    closers.push(server.close);
    for (const text of ['注册', '张三', '13812345678']) expect((await postUpdate(server.url, textUpdate(chatId, text), SECRET)).status).toBe(200);
    expect(fake.sent(chatId)).toHaveLength(0);
    release();
    await gated.idle();
    // One at a time, in the order the updates came.
    expect(maxRunning).toBe(1);
    const texts = fake.sent(chatId).map((c) => String(c.params.text));
    expect(texts).toHaveLength(3);
    expect(texts[0]).toContain('请输入您的姓名');
    expect(texts[1]).toContain('手机号码');
    expect(texts[2]).toContain('身份证号码');
  });

  it('after stop() refuses updates with 503 so that Telegram delivers them again later', async () => {
    const c = makeChannel();
    const server = await serveRouters([c.routes]);
    closers.push(server.close);
    await c.stop();
    const res = await postUpdate(server.url, textUpdate(7202, '菜单'), SECRET);
    expect(res.status).toBe(503);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.sent(7202)).toHaveLength(0);
  });
});

