import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandleInbound, InboundMessage } from '../../../src/app/handleInbound.ts';
import { simRouter } from '../../../src/channels/sim/routes.ts';
import { createHttpApp } from '../../../src/http/server.ts';
import { createLogger } from '../../../src/infra/logger.ts';

/** The simulator's answer when the app's turn queue is full: its client is ours, and it is told to send again. */
const seen: InboundMessage[] = [];
let overloaded = true;
const handle: HandleInbound = async (msg) => {
  seen.push(msg);
  return overloaded ? { replies: [{ text: '请过一会儿再发一次' }], duplicate: false, overloaded: true } : { replies: [{ text: '您好' }], duplicate: false };
};
let server: ReturnType<ReturnType<typeof createHttpApp>['listen']>;
let base: string;
beforeAll(async () => {
  const app = createHttpApp({ logger: createLogger('silent'), metrics: new Registry(), maxBodyKb: 64, ready: async () => true, routers: [simRouter(handle, { take: async () => [] })] });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const post = (body: unknown) => fetch(`${base}/sim/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('/sim under overload', () => {
  it('answers 503 with Retry-After and the "send it again" text, and the same message is answered once there is room', async () => {
    const res = await post({ userId: 'u1', text: '你好', messageId: 'same-1' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ error: 'overloaded', message: '请过一会儿再发一次' });
    overloaded = false;
    const again = await post({ userId: 'u1', text: '你好', messageId: 'same-1' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ replies: [{ text: '您好' }] });
    expect(seen.map((m) => m.messageId)).toEqual(['same-1', 'same-1']);
  });
});
