import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake of an outside HTTP API on 127.0.0.1 (a random free port). */
export interface FakeServer {
  url: string;
  /** Closes the server and drops kept-alive connections, so a test's clients cannot hold it open. */
  close(): Promise<void>;
}

/** Starts a fake server; `handle` gets each request once its whole body has arrived. */
export async function startFakeServer(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<FakeServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Waits of a fake for a condition on what it has seen: the fake calls `wake()` after each call it records, so a
 * test waits for the event rather than for time.
 */
export class CallWaiters {
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];

  /** `describe` says in a timeout's message whose calls they were and what they were. */
  constructor(private readonly describe: () => string) {}

  /** Resolves when `pred` holds (checked on every call), or rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; ${this.describe()}`)), timeoutMs);
      this.waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  wake(): void {
    this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
  }
}
