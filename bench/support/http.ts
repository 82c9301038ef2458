import http from 'node:http';

/**
 * One POST through a keep-alive agent, the body read whole. Plain node:http rather than fetch: the benchmarks
 * size the agent's socket pool themselves, and per-request overhead must stay small next to the app's.
 */
export function post(agent: http.Agent, base: URL, path: string, body: Buffer, headers: Record<string, string>, onSocket?: () => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: base.hostname, port: base.port, method: 'POST', path, headers: { ...headers, 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    // When the agent hands the request a socket: the time before it is spent in the client's own pool.
    if (onSocket) req.once('socket', onSocket);
    req.end(body);
  });
}
