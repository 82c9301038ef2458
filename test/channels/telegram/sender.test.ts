import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel, type TelegramChannelConfig } from '../../../src/channels/telegram/channel.ts';
import { createMongoTelegramUsers } from '../../../src/store/mongo/telegramUsers.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createAppInstance } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { FakeBotApi } from './fakeBotApi.ts';
import { serveRouters } from './harness.ts';
import { postUpdate, textUpdate } from './updates.ts';

/** The Telegram Sender against a fake Bot API: pacing, 429 retry_after, transient retries, blocked users. */
const TOKEN = '654321:TEST-token-zyxwvutsrqponmlkjihgfedcba';
const SECRET = 'another_secret_0123456789abcdef';

let fake: FakeBotApi;
let app: Awaited<ReturnType<typeof createAppInstance>>;
const channels: TelegramChannel[] = [];

function channel(config: Partial<TelegramChannelConfig> = {}): TelegramChannel {
  const c = createTelegramChannel({
    config: { botToken: TOKEN, webhookSecret: SECRET, apiBase: fake.url, perChatPerSecond: 1, globalPerSecond: 30, retryBackoffMs: 20, ...config },
    handleInbound: app.handle,
    users: createMongoTelegramUsers(app.connection),
    logger: createLogger('silent'),
  });
  channels.push(c);
  return c;
}

beforeAll(async () => {
  fake = await new FakeBotApi(TOKEN).start();
  app = await createAppInstance(testDbUri('telegram_sender'));
});
afterAll(async () => {
  for (const c of channels) await c.stop();
  await app?.close();
  await fake?.stop();
});

const question = (n: number) => ({ text: `问题 ${n}`, choices: [{ id: `a${n}`, label: '是' }, { id: `b${n}`, label: '否' }] });
const attempts = (chatId: number) => fake.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId));

describe('Telegram sender', () => {
  it('sends with an inline keyboard whose callback_data are the choice ids', async () => {
    const c = channel();
    expect(await c.sender.send('telegram', '8000', [{ text: '您好' }, question(1)])).toEqual({ ok: true });
    const [call] = fake.sent(8000);
    // Text-only replies ride on the next message: one message, one keyboard.
    expect(call?.params).toMatchObject({ chat_id: '8000', text: '您好\n\n问题 1', reply_markup: { inline_keyboard: [[{ text: '是', callback_data: 'a1' }, { text: '否', callback_data: 'b1' }]] } });
    expect(fake.sent(8000)).toHaveLength(1);
  });

  it('honours 429 retry_after: waits, then sends again', async () => {
    const c = channel();
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }, (p) => p.chat_id === '8001');
    expect(await c.sender.send('telegram', '8001', [{ text: 'hi' }])).toEqual({ ok: true });
    const [first, second] = attempts(8001);
    expect([first?.status, second?.status]).toEqual([429, 200]);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('spaces messages to one chat by about a second, without holding up other chats', async () => {
    const c = channel({ perChatPerSecond: 1 });
    const [a, b] = await Promise.all([c.sender.send('telegram', '8002', [question(1), question(2), question(3)]), c.sender.send('telegram', '8003', [question(1)])]);
    expect(a).toEqual({ ok: true });
    expect(b).toEqual({ ok: true });
    const times = fake.sent(8002).map((x) => x.at);
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `gap ${i}`).toBeGreaterThanOrEqual(900);
    // In order.
    expect(fake.sent(8002).map((x) => x.params.text)).toEqual(['问题 1', '问题 2', '问题 3']);
    // The other chat's message did not queue behind this chat's paced ones.
    expect(fake.sent(8003)[0]!.at).toBeLessThan(fake.sent(8002)[1]!.at);
  });

  it('keeps the global rate: 10 chats at 5 messages/s are spread over about two seconds', async () => {
    const c = channel({ globalPerSecond: 5 });
    const chats = Array.from({ length: 10 }, (_, i) => String(8100 + i));
    await Promise.all(chats.map((id) => c.sender.send('telegram', id, [{ text: 'notice' }])));
    const times = chats.map((id) => fake.sent(id)[0]!.at).sort((x, y) => x - y);
    // One every 200 ms: never more than 5 (+1 at the window's edge) in any second.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1500);
    for (let i = 6; i < times.length; i++) expect(times[i]! - times[i - 6]!).toBeGreaterThanOrEqual(900);
  });

  it('retries transient errors (5xx) with backoff', async () => {
    const c = channel();
    fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, (p) => p.chat_id === '8004');
    fake.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' }, (p) => p.chat_id === '8004');
    expect(await c.sender.send('telegram', '8004', [{ text: 'hi' }])).toEqual({ ok: true });
    expect(attempts(8004).map((x) => x.status)).toEqual([502, 500, 200]);
  });

  it('gives up on a chat that keeps failing, as a transient failure', async () => {
    const c = channel({ maxRetries: 1 });
    for (let i = 0; i < 2; i++) fake.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' }, (p) => p.chat_id === '8005');
    const result = await c.sender.send('telegram', '8005', [{ text: 'hi' }]);
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(await c.users.isUnreachable('8005')).toBe(false);
  });

  it('a Bot API that does not answer within requestTimeoutMs fails the send as a transient timeout, after its retries', async () => {
    const silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const c = channel({ apiBase: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, requestTimeoutMs: 150, maxRetries: 1, retryBackoffMs: 1 });
      let calls = 0;
      silent.on('request', () => calls++);
      expect(await c.sender.send('telegram', '8006', [{ text: 'hi' }])).toEqual({ ok: false, permanent: false, reason: 'timeout' });
      // The first try and its one retry, each cut off by the time limit.
      expect(calls).toBe(2);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('marks a chat that blocked the bot unreachable on telegram_users, and reachable again when it writes', async () => {
    const c = channel();
    fake.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' }, (p) => p.chat_id === '8006');
    const result = await c.sender.send('telegram', '8006', [question(1), question(2)]);
    expect(result).toEqual({ ok: false, permanent: true, reason: '403 Forbidden: bot was blocked by the user' });
    // Not retried, and the rest of the batch is not attempted.
    expect(attempts(8006)).toHaveLength(1);
    const doc = await app.connection.collection('telegram_users').findOne({ _id: '8006' as never });
    expect(doc).toMatchObject({ unreachable: true, reason: '403 Forbidden: bot was blocked by the user' });
    expect(doc?.unreachableSince).toBeInstanceOf(Date);
    // The user unblocks the bot and taps Restart (/start): reachable again.
    const http = await serveRouters([c.routes]);
    try {
      expect((await postUpdate(http.url, textUpdate(8006, '/start'), SECRET)).status).toBe(200);
      await c.idle();
      await expect.poll(() => c.users.isUnreachable('8006')).toBe(false);
      expect(fake.sent(8006)).toHaveLength(1);
    } finally {
      await http.close();
    }
  });

  it('treats "chat not found" as unreachable and a refused request as our fault, not the user\'s', async () => {
    const c = channel();
    fake.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found' }, (p) => p.chat_id === '8007');
    expect(await c.sender.send('telegram', '8007', [{ text: 'hi' }])).toMatchObject({ ok: false, permanent: true });
    expect(await c.users.isUnreachable('8007')).toBe(true);
    fake.failNext('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities" }, (p) => p.chat_id === '8008');
    expect(await c.sender.send('telegram', '8008', [{ text: 'hi' }])).toMatchObject({ ok: false, permanent: false });
    expect(await c.users.isUnreachable('8008')).toBe(false);
  });

  it('refuses other channels and non-numeric ids without calling Telegram', async () => {
    const c = channel();
    const before = fake.calls.length;
    expect(await c.sender.send('sim', '8009', [{ text: 'x' }])).toMatchObject({ ok: false, permanent: true });
    expect(await c.sender.send('telegram', 'abc', [{ text: 'x' }])).toMatchObject({ ok: false, permanent: true });
    expect(fake.calls.length).toBe(before);
  });

  it('a wrong bot token fails as a configuration problem, not as an unreachable user', async () => {
    const c = createTelegramChannel({
      config: { botToken: '1:WRONG-token-aaaaaaaaaaaaaaaaaaaa', webhookSecret: SECRET, apiBase: fake.url, perChatPerSecond: 1, globalPerSecond: 30 },
      handleInbound: app.handle,
      users: createMongoTelegramUsers(app.connection),
      logger: createLogger('silent'),
    });
    channels.push(c);
    expect(await c.sender.send('telegram', '8010', [{ text: 'x' }])).toMatchObject({ ok: false, permanent: false, reason: '401 Unauthorized' });
    expect(await c.users.isUnreachable('8010')).toBe(false);
  });
});
