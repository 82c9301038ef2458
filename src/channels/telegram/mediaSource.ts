import type { Api } from 'node-telegram-bot-api';
import { UnknownMediaError, type MediaSource } from '../../app/ports/media.ts';

const FILE_ID = /^[A-Za-z0-9_-]{1,256}$/;
/** The Bot API serves files up to 20 MB; evidence photos are far smaller, and the media store caps them anyway. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

/**
 * Photos sent to the bot (`telegram:<file_id>`): getFile gives a path, valid for an hour, under the Bot API's
 * file root (`<apiBase>/file/bot<token>/<file_path>`). node-telegram-bot-api v2 has no download helper, so the
 * file is read with fetch; the URL holds the bot token, so it never appears in an error or a log line.
 */
export function telegramMediaSource(api: Pick<Api, 'getFile'>, opts: { apiBase: string; botToken: string; fetch?: typeof fetch }): MediaSource {
  const doFetch = opts.fetch ?? fetch;
  const root = opts.apiBase.replace(/\/+$/, '');
  return {
    async fetch(ref) {
      const fileId = ref.startsWith('telegram:') ? ref.slice('telegram:'.length) : '';
      if (!FILE_ID.test(fileId)) throw new UnknownMediaError(`not a telegram reference: ${JSON.stringify(ref.slice(0, 80))}`);
      const file = await api.getFile({ file_id: fileId });
      if (!file.file_path) throw new Error(`telegram gave no file path for ${ref} (the file may be over 20 MB)`);
      let res: Response;
      try {
        res = await doFetch(`${root}/file/bot${opts.botToken}/${file.file_path}`, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
      } catch (err) {
        throw new Error(`telegram file download for ${ref} failed: ${(err as Error).name}`);
      }
      if (!res.ok) throw new Error(`telegram file download for ${ref} answered HTTP ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      const declared = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      // The file server may answer application/octet-stream; Telegram re-encodes every photo as JPEG.
      const contentType = declared.startsWith('image/') ? declared : /\.jpe?g$/i.test(file.file_path) ? 'image/jpeg' : declared || 'application/octet-stream';
      return { contentType, bytes };
    },
  };
}
