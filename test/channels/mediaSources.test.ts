import { describe, expect, it } from 'vitest';
import { MediaGoneError, UnknownMediaError } from '../../src/app/ports/media.ts';
import { WechatApiError } from '../../src/channels/wechat-common/apiClient.ts';
import { wechatMediaSource } from '../../src/channels/wechat-common/mediaSource.ts';
import { telegramMediaSource } from '../../src/channels/telegram/mediaSource.ts';

/** How each channel turns its media reference into a picture (the platforms are stubbed; their clients are tested apart). */
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9]);

describe('WeChat media source', () => {
  it('asks for the media id of its own scheme only', async () => {
    const asked: string[] = [];
    const source = wechatMediaSource({ getMedia: async (id) => (asked.push(id), { contentType: 'image/jpeg', bytes: JPEG }) }, 'wechat-media');
    expect((await source.fetch('wechat-media:abc_DEF-1')).bytes).toBe(JPEG);
    await expect(source.fetch('wechat-mp-media:abc')).rejects.toBeInstanceOf(UnknownMediaError);
    await expect(source.fetch('wechat-media:../../etc')).rejects.toBeInstanceOf(UnknownMediaError);
    expect(asked).toEqual(['abc_DEF-1']);
  });

  it('reports an expired media id (40007) as gone, and anything else as a fault to retry', async () => {
    const failing = (err: Error) => wechatMediaSource({ getMedia: async () => Promise.reject(err) }, 'wechat-mp-media');
    await expect(failing(new WechatApiError('/cgi-bin/media/get', 40007, 'invalid media_id', false)).fetch('wechat-mp-media:x')).rejects.toBeInstanceOf(MediaGoneError);
    const transient = await failing(new WechatApiError('/cgi-bin/media/get', 0, 'HTTP 502', true, 502)).fetch('wechat-mp-media:x').catch((e: unknown) => e);
    expect(transient).toBeInstanceOf(WechatApiError);
    expect(transient).not.toBeInstanceOf(MediaGoneError);
  });
});

describe('Telegram media source', () => {
  const TOKEN = '123456:ABC-secret-token';

  it('downloads the file getFile points to, as JPEG when the file server says octet-stream', async () => {
    const urls: string[] = [];
    const source = telegramMediaSource(
      { getFile: async (p) => ({ file_id: p.file_id, file_unique_id: 'u1', file_path: 'photos/file_7.jpg' }) },
      {
        apiBase: 'https://api.telegram.example/',
        botToken: TOKEN,
        fetch: async (url) => (urls.push(String(url)), new Response(JPEG, { headers: { 'content-type': 'application/octet-stream' } })),
      },
    );
    const got = await source.fetch('telegram:AgACAgUAAxk');
    expect(got.contentType).toBe('image/jpeg');
    expect(got.bytes.equals(JPEG)).toBe(true);
    expect(urls).toEqual([`https://api.telegram.example/file/bot${TOKEN}/photos/file_7.jpg`]);
  });

  it('fails without the bot token in the message when the download fails, and refuses foreign references', async () => {
    const source = telegramMediaSource(
      { getFile: async (p) => ({ file_id: p.file_id, file_unique_id: 'u1', file_path: 'photos/file_7.jpg' }) },
      { apiBase: 'https://api.telegram.example', botToken: TOKEN, fetch: async () => new Response('nope', { status: 404 }) },
    );
    const error = (await source.fetch('telegram:AgAC').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/HTTP 404/);
    expect(error.message).not.toContain(TOKEN);
    await expect(source.fetch('wechat-media:x')).rejects.toBeInstanceOf(UnknownMediaError);
  });
});
