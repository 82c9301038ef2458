import type { Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWechatApiClient, WechatApiError } from '../../../src/channels/wechat-common/apiClient.ts';
import { createMongoWechatTokenStore } from '../../../src/store/mongo/wechatAccessTokens.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { TestClock } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { startFakeWechatApi, type FakeWechatApi } from './fakeWechatApi.ts';

/** The API client against a fake WeChat server on loopback, with its token cache in the real test database. */
let fake: FakeWechatApi;
const connections: Connection[] = [];
const logger = createLogger('silent');
const STABLE = '/cgi-bin/stable_token';
const CUSTOM = '/cgi-bin/message/custom/send';

beforeAll(async () => {
  fake = await startFakeWechatApi();
});
afterAll(async () => {
  await fake.close();
  for (const c of connections) await c.close();
});
beforeEach(() => fake.reset());

/** A fresh database, and `instances` API clients on it (each with its own connection, like separate servers). */
async function clients(tag: string, instances = 1, clock = new TestClock()) {
  const uri = testDbUri(tag);
  const made = [];
  for (let i = 0; i < instances; i++) {
    const connection = await connectMongo(uri);
    connections.push(connection);
    made.push(createWechatApiClient({ config: { appId: 'wx1234567890abcdef', secret: 'secret-secret-secret', apiBase: fake.url }, tokenStore: createMongoWechatTokenStore(connection), logger, clock }));
  }
  return { clients: made, clock };
}

const text = (content: string) => ({ msgtype: 'text' as const, text: { content } });

describe('WeChat API client: the access token', () => {
  it('fetches one stable_token for many concurrent sends, and other instances reuse it from the database', async () => {
    const { clients: [a, b] } = await clients('wx_api_shared', 2);
    await Promise.all(Array.from({ length: 20 }, (_, i) => a!.sendCustomMessage(`openid_${i}`, text('hi'))));
    await Promise.all(Array.from({ length: 20 }, (_, i) => b!.sendCustomMessage(`openid_${i}`, text('hi'))));
    const stable = fake.callsTo(STABLE);
    expect(stable).toHaveLength(1);
    expect(stable[0]!.body).toEqual({ grant_type: 'client_credential', appid: 'wx1234567890abcdef', secret: 'secret-secret-secret' });
    expect(fake.callsTo(CUSTOM)).toHaveLength(40);
    expect(new Set(fake.callsTo(CUSTOM).map((c) => c.query.access_token))).toEqual(new Set([fake.validToken()]));
    expect(fake.callsTo(CUSTOM)[0]!.body).toEqual({ touser: 'openid_0', msgtype: 'text', text: { content: 'hi' } });
  });

  it('on 40001 refreshes once (force_refresh) and retries once', async () => {
    const { clients: [a] } = await clients('wx_api_40001');
    await a!.sendCustomMessage('openid_1', text('one'));
    fake.answerNext(CUSTOM, { json: { errcode: 40001, errmsg: 'invalid credential' } });
    await a!.sendCustomMessage('openid_1', text('two'));
    const stable = fake.callsTo(STABLE);
    expect(stable).toHaveLength(2);
    expect(stable[1]!.body.force_refresh).toBe(true);
    expect(fake.callsTo(CUSTOM)).toHaveLength(3);
    expect(fake.callsTo(CUSTOM)[2]!.query.access_token).toBe(fake.validToken());
  });

  it('42001 (expired) is handled the same way; a second refusal in a row is not retried again', async () => {
    const { clients: [a] } = await clients('wx_api_42001');
    fake.answerNext(CUSTOM, { json: { errcode: 42001, errmsg: 'access_token expired' } }, { json: { errcode: 40001, errmsg: 'invalid credential' } });
    await expect(a!.sendCustomMessage('openid_1', text('x'))).rejects.toMatchObject({ errcode: 40001 });
    expect(fake.callsTo(STABLE)).toHaveLength(2); // the first fetch, one forced refresh; no loop
    expect(fake.callsTo(CUSTOM)).toHaveLength(2);
  });

  it('an instance holding an old token takes the newer one from the database instead of forcing another refresh', async () => {
    const { clients: [a, b] } = await clients('wx_api_rotation', 2);
    await a!.sendCustomMessage('openid_1', text('a'));
    await b!.sendCustomMessage('openid_1', text('b')); // b now holds token 1 in memory
    fake.answerNext(CUSTOM, { json: { errcode: 40001, errmsg: 'invalid credential' } });
    await a!.sendCustomMessage('openid_1', text('a2')); // a forces token 2 and stores it
    expect(fake.callsTo(STABLE)).toHaveLength(2);
    await b!.sendCustomMessage('openid_1', text('b2')); // token 1 refused → b reads token 2 from the database
    expect(fake.callsTo(STABLE)).toHaveLength(2);
    expect(fake.callsTo(CUSTOM).at(-1)!.query.access_token).toBe(fake.validToken());
  });

  it('refreshes five minutes before expiry, without force_refresh', async () => {
    const { clients: [a], clock } = await clients('wx_api_expiry');
    await a!.sendCustomMessage('openid_1', text('x'));
    clock.advance((7200 - 6 * 60) * 1000);
    await a!.sendCustomMessage('openid_1', text('x'));
    expect(fake.callsTo(STABLE)).toHaveLength(1);
    clock.advance(2 * 60 * 1000); // now 4 minutes before expiry
    await a!.sendCustomMessage('openid_1', text('x'));
    expect(fake.callsTo(STABLE)).toHaveLength(2);
    expect(fake.callsTo(STABLE)[1]!.body.force_refresh).toBeUndefined();
  });

  it('classifies failures: -1 and 5xx and network errors are transient, other errcodes are not', async () => {
    const { clients: [a] } = await clients('wx_api_errors');
    fake.answerNext(CUSTOM, { json: { errcode: -1, errmsg: 'system error' } }, { status: 502, raw: 'bad gateway' }, { json: { errcode: 45015, errmsg: 'response out of time limit' } });
    await expect(a!.sendCustomMessage('openid_1', text('x'))).rejects.toMatchObject({ errcode: -1, transient: true });
    await expect(a!.sendCustomMessage('openid_1', text('x'))).rejects.toMatchObject({ httpStatus: 502, transient: true });
    await expect(a!.sendCustomMessage('openid_1', text('x'))).rejects.toMatchObject({ errcode: 45015, transient: false });
    const conn = connections[0]!;
    const dead = createWechatApiClient({ config: { appId: 'wx00000000000000ff', secret: 's', apiBase: 'http://127.0.0.1:9' }, tokenStore: createMongoWechatTokenStore(conn), logger, clock: new TestClock() });
    const err = await dead.accessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatApiError);
    expect(err).toMatchObject({ transient: true, errcode: 0 });
  });
});

describe('WeChat API client: temporary media', () => {
  const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

  it('downloads a picture with its content type, refreshing a rejected token once', async () => {
    const { clients: [a] } = await clients('wx_api_media');
    fake.media.set('MEDIA_1', { contentType: 'image/jpeg', bytes: JPEG });
    expect(await a!.getMedia('MEDIA_1')).toEqual({ contentType: 'image/jpeg', bytes: JPEG });
    fake.answerNext('/cgi-bin/media/get', { json: { errcode: 40001, errmsg: 'invalid credential' } });
    expect((await a!.getMedia('MEDIA_1')).bytes.equals(JPEG)).toBe(true);
    expect(fake.callsTo(STABLE)).toHaveLength(2);
    expect(fake.callsTo('/cgi-bin/media/get').map((c) => c.query.media_id)).toEqual(['MEDIA_1', 'MEDIA_1', 'MEDIA_1']);
  });

  it("turns WeChat's JSON refusal (an expired media id) into a WechatApiError, not a file", async () => {
    const { clients: [a] } = await clients('wx_api_media_gone');
    const error = await a!.getMedia('EXPIRED').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect(error).toMatchObject({ errcode: 40007, transient: false });
  });
});
