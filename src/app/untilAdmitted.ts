import type { HandleInbound, HandleResult, InboundMessage } from './handleInbound.ts';

/**
 * For channels that acknowledged a message to their platform before handling it (Telegram's webhook, the mini
 * program's push): when the turn queue is full, nobody would deliver the message again, so the channel does,
 * backing off, for at most `giveUpAfterMs`. The last (overloaded) result is returned if the queue stays full.
 */
export async function handleUntilAdmitted(
  handle: HandleInbound,
  msg: InboundMessage,
  opts: { giveUpAfterMs: number; stopping: () => boolean; sleep?: (ms: number) => Promise<void> },
): Promise<HandleResult> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + opts.giveUpAfterMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    const result = await handle(msg);
    if (!result.overloaded || opts.stopping() || Date.now() + delay > deadline) return result;
    await sleep(delay / 2 + Math.random() * delay);
  }
}
