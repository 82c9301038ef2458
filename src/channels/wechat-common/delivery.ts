import { WechatApiError } from './apiClient.ts';

/** A token bucket: `ratePerSecond` sends per second on average, bursts of up to `burst`. Per process. */
export function createTokenBucket(ratePerSecond: number, burst = Math.max(1, Math.ceil(ratePerSecond))) {
  let tokens = burst;
  let last = performance.now();
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * ratePerSecond);
    last = now;
  };

  /** Resolves when one send may go; callers are served in arrival order. */
  function take(): Promise<void> {
    const turn = queue.then(async () => {
      refill();
      while (tokens < 1) {
        await sleep(Math.ceil(((1 - tokens) / ratePerSecond) * 1000));
        refill();
      }
      tokens -= 1;
    });
    queue = turn.catch(() => undefined);
    return turn;
  }
  return { take };
}

export type TokenBucket = ReturnType<typeof createTokenBucket>;

export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  attempts?: number;
  /** First backoff; doubled each time, with jitter. Default 500 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Run `fn` again after transient WeChat failures (network, 5xx, errcode -1), with exponential backoff and jitter. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const baseDelayMs = opts.baseDelayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const transient = err instanceof WechatApiError && err.transient;
      if (!transient || attempt >= attempts) throw err;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}

/** An openid for logs: the first 4 characters, then ***. */
export function maskOpenid(openid: string): string {
  return `${openid.slice(0, 4)}***`;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
