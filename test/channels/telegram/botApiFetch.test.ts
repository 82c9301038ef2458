import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, InputFile, NetworkError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotApiFetch } from '../../../src/channels/telegram/botApiFetch.ts';
import { FakeBotApi } from './fakeBotApi.ts';

/** The Bot API client's transport (botApiFetch.ts) under node-telegram-bot-api itself, against the fake Bot API. */
const TOKEN = '777000:FETCH-token-abcdefghijklmnopqrstuvwxy';

let fake: FakeBotApi;
/** Servers of single tests (an upload's receiver, one that never answers), closed at the end. */
const servers: Server[] = [];
const transport = createBotApiFetch({ timeoutMs: 10_000 });
type ApiOptions = NonNullable<ConstructorParameters<typeof Api>[1]>;
const api = (extra: Partial<ApiOptions> = {}) => new Api(TOKEN, { apiRoot: fake.url, fetch: transport.fetch, maxRetries: 0, ...extra });

/** A server of one test on 127.0.0.1 (closed at the end); its URL. */
async function serve(handle: Parameters<typeof createServer>[1] = () => undefined): Promise<string> {
  const server = createServer(handle).listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A getMe on a transport limited to 200 ms, with the library's own timer off (timeoutMs 0) as in the channel. */
async function getMeWithin200ms(root: string): Promise<unknown> {
  const short = createBotApiFetch({ timeoutMs: 200 });
  try {
    return await new Api(TOKEN, { apiRoot: root, fetch: short.fetch, maxRetries: 0, timeoutMs: 0 }).getMe().catch((e: unknown) => e);
  } finally {
    await short.close();
  }
}

beforeAll(async () => {
  fake = await new FakeBotApi(TOKEN).start();
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await transport.close();
  await fake?.stop();
});

describe('Bot API transport on undici', () => {
  it('sends a form-encoded call and gives back its result', async () => {
    const sent = await api().sendMessage({ chat_id: 4242, text: '您好 & =?', reply_markup: { inline_keyboard: [[{ text: '是', callback_data: 'yes' }]] } });
    expect(sent).toMatchObject({ chat: { id: 4242 }, text: '您好 & =?' });
    expect(fake.calls.at(-1)?.params).toEqual({ chat_id: '4242', text: '您好 & =?', reply_markup: { inline_keyboard: [[{ text: '是', callback_data: 'yes' }]] } });
  });

  it('a call without parameters (getMe) goes through too', async () => {
    expect(await api().getMe()).toMatchObject({ is_bot: true, username: 'fake_bot' });
  });

  it("an error answer becomes the library's TelegramApiError with its code and retry_after", async () => {
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });
    const err = await api({ maxRetryAfterMs: 1 }).sendMessage({ chat_id: 4243, text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramApiError);
    expect(err).toMatchObject({ errorCode: 429, retryAfter: 7 });
  });

  it('a multipart upload (a file) still reaches the server whole, through the global fetch', async () => {
    const bytes = Buffer.from('\xff\xd8 not really a jpeg \xff\xd9', 'latin1');
    let got: { type: string; body: Buffer } | null = null;
    const root = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got = { type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: { message_id: 1 } }));
      });
    });
    await api({ apiRoot: root }).sendPhoto({ chat_id: 1, photo: new InputFile(new Blob([bytes]), { filename: 'a.jpg' }) });
    expect(got!.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(got!.body.includes(bytes)).toBe(true);
  });

  it("a server that never answers ends in TimeoutError after the transport's timeoutMs", async () => {
    expect(await getMeWithin200ms(await serve())).toBeInstanceOf(TimeoutError);
  });

  it('an answer whose body stops after the headers ends in TimeoutError too', async () => {
    const root = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":true,');
    });
    expect(await getMeWithin200ms(root)).toBeInstanceOf(TimeoutError);
  });

  it("the caller's abort signal stops a call and is passed on as it is", async () => {
    const root = await serve();
    const abort = new AbortController();
    const pending = api({ apiRoot: root }).sendMessage({ chat_id: 1, text: 'x' }, abort.signal).catch((e: unknown) => e);
    const reason = new Error('telegram channel closed');
    abort.abort(reason);
    expect(await pending).toBe(reason);
  });

  it('a refused connection is a NetworkError', async () => {
    const root = await serve();
    const server = servers.pop()!;
    await new Promise((r) => server.close(r));
    expect(await api({ apiRoot: root }).getMe().catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
  });
});
