import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../http/errors.ts';

/** WeChat pushes are a few KB; anything near this is not from WeChat. */
export const WECHAT_MAX_BODY_BYTES = 64 * 1024;

/**
 * How much of an oversized body is read and thrown away before the connection is cut. Reading the rest lets an
 * ordinary client see the 413 instead of a reset; beyond this the sender is not ordinary.
 */
const DISCARD_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * The raw request body, at most `limit` bytes (the app's body parser handles JSON only, and XML must be read as
 * bytes anyway: signatures are computed over exact text). Throws HttpError 413 when larger, 400 when the body
 * was already consumed by another parser (a JSON body is not a WeChat push).
 */
export async function readRawBody(req: IncomingMessage, limit = WECHAT_MAX_BODY_BYTES): Promise<Buffer> {
  if (req.readableEnded || req.readableDidRead) throw new HttpError(400, 'send the WeChat message as XML (text/xml)');
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new HttpError(413, `request body too large (at most ${limit} bytes)`);

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
      }
      if (size > DISCARD_LIMIT_BYTES) {
        cleanup();
        req.socket.destroy();
        reject(tooLarge());
        return;
      }
      if (!over) chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (over) reject(tooLarge());
      else resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new HttpError(400, `the request body could not be read: ${err.message}`));
    };
    const onAborted = () => {
      cleanup();
      reject(new HttpError(400, 'the request was aborted'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
