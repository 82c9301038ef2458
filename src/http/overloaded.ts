import type { Context } from 'koa';

/**
 * The answer of an API whose client is ours (the simulator, the mini program) when the turn queue is full: 503
 * with Retry-After, so the client sends the same message (same messageId) again; nothing was stored. Set here
 * rather than thrown: it is load, not a server error worth an error log line.
 */
export function answerOverloaded(ctx: Context, replies: { text: string }[]): void {
  ctx.status = 503;
  ctx.set('Retry-After', '2');
  ctx.body = { error: 'overloaded', message: replies.map((r) => r.text).join('\n') };
}
