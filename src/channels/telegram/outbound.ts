import { setMaxListeners } from 'node:events';
import { NetworkError, ParseError, TelegramApiError, TimeoutError, type Api } from 'node-telegram-bot-api';
import type { DeliveryResult } from '../../app/ports/sender.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { waitAtMost } from '../../infra/waitAtMost.ts';
import { KeyedQueue } from './keyedQueue.ts';
import { maskChatId } from './mask.ts';
import { realPacerClock, TELEGRAM_LIMITS, TelegramPacer, type PacerClock } from './pacing.ts';
import { renderReplies } from './render.ts';
import type { TelegramUserStore } from '../ports.ts';

export interface TelegramOutboundOptions {
  api: Api;
  users: TelegramUserStore;
  logger: Logger;
  /** Messages a second to one chat (Telegram: about 1). */
  perChatPerSecond: number;
  /** Messages a second over all chats (Telegram: about 30). */
  globalPerSecond: number;
  /** Messages a minute to one group or channel (Telegram: 20). */
  groupPerMinute?: number;
  /**
   * 429s answered to one message that are retried (after their retry_after, through the pacing again) before it
   * fails as transient. The api must surface 429s (maxRetryAfterMs below any retry_after): a retry made inside
   * the library would leave without a slot. Default 3.
   */
  maxRetriesOf429?: number;
  /** The pacing's clock (tests move it). */
  pacerClock?: PacerClock;
  now?: () => Date;
  /** Told when a chat turned out unreachable (before it is recorded). */
  onUnreachable?: (chatId: string) => void;
  /** Chats whose pacing state is kept; the least recently used is forgotten first. */
  maxChatBuckets?: number;
}

/**
 * Everything the bot sends to Telegram goes through here: one queue per chat (a chat's messages leave in order,
 * replies and pushes alike), paced per chat, per group and globally by `TelegramPacer` (pacing.ts), with the
 * library's transient retries underneath.
 *
 * Not the library's `rateLimit` option nor its `TokenBucket`: both pace departures, while Telegram counts
 * arrivals, so a request held up on its way lets the next arrive too close (the broadcast bench got 76 answers
 * 429 of 300 that way); the rate limiter also takes the global token before waiting for the chat's, and the
 * library retries a 429 without taking one at all. Here a message holds its slots until its answer, a 429 is
 * handed back by the library (`maxRetryAfterMs`) and retried through the pacing after its retry_after.
 *
 * The limits hold per process; with several instances behind a load balancer divide TELEGRAM_GLOBAL_PER_SECOND
 * by their number.
 */
export class TelegramOutbound {
  private readonly queue: KeyedQueue;
  private readonly pacer: TelegramPacer;
  private readonly pacerClock: PacerClock;
  private readonly abort = new AbortController();
  private readonly now: () => Date;

  constructor(private readonly opts: TelegramOutboundOptions) {
    this.queue = new KeyedQueue(1_000_000, (err, key) => opts.logger.error({ err, chat: maskChatId(key) }, 'telegram: send task failed'));
    this.pacerClock = opts.pacerClock ?? realPacerClock;
    this.pacer = new TelegramPacer(
      { perChatPerSecond: opts.perChatPerSecond, globalPerSecond: opts.globalPerSecond, groupPerMinute: opts.groupPerMinute ?? TELEGRAM_LIMITS.groupPerMinute },
      this.pacerClock,
      opts.maxChatBuckets ?? 10_000,
    );
    this.now = opts.now ?? (() => new Date());
    // Every waiting send listens on this one signal (rate-limit waits, retries, the request itself); thousands
    // waiting at once is normal under load, not a leak.
    setMaxListeners(0, this.abort.signal);
  }

  /** Send a turn's replies (or a push) to one chat; resolves when they are sent or sending failed. */
  deliver(chatId: string, replies: OutboundMessage[]): Promise<DeliveryResult> {
    const messages = renderReplies(replies);
    if (messages.length === 0) return Promise.resolve({ ok: true });
    if (this.abort.signal.aborted) return Promise.resolve({ ok: false, permanent: false, reason: 'telegram channel is shutting down' });
    return new Promise<DeliveryResult>((resolve) => {
      const accepted = this.queue.push(chatId, async () => {
        try {
          resolve(await this.sendAll(chatId, messages));
        } catch (err) {
          resolve({ ok: false, permanent: false, reason: err instanceof Error ? err.message : String(err) });
        }
      });
      if (!accepted) resolve({ ok: false, permanent: false, reason: 'telegram send queue is full' });
    });
  }

  /** Resolves when every accepted message has been sent or has failed. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stop waiting for rate-limit slots and retries; queued messages fail as transient. */
  async close(timeoutMs: number): Promise<void> {
    await waitAtMost(this.idle(), timeoutMs);
    this.abort.abort(new Error('telegram channel closed'));
    await this.idle();
  }

  private async sendAll(chatId: string, messages: ReturnType<typeof renderReplies>): Promise<DeliveryResult> {
    const started = performance.now();
    const signal = this.abort.signal;
    for (const [i, m] of messages.entries()) {
      try {
        await this.sendPaced(chatId, { chat_id: toChatId(chatId), text: m.text, ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}) }, signal);
      } catch (err) {
        const failure = classify(err, signal);
        const log = { chat: maskChatId(chatId), sent: i, of: messages.length, reason: failure.reason };
        if (failure.unreachable) {
          this.opts.logger.warn(log, 'telegram: chat unreachable; marked on telegram_users');
          this.opts.onUnreachable?.(chatId);
          await this.opts.users.markUnreachable(chatId, failure.reason, this.now()).catch((e: unknown) => this.opts.logger.error({ err: e, chat: maskChatId(chatId) }, 'telegram: could not record an unreachable chat'));
        } else if (failure.ourFault) {
          this.opts.logger.error(log, 'telegram: message refused; check the bot token or the rendered message');
        } else {
          this.opts.logger.warn(log, 'telegram: send failed after retries');
        }
        return { ok: false, permanent: failure.unreachable, reason: failure.reason };
      }
    }
    // Debug, not info: a line (and its masking pass) per reply sent would be most of the log under load; failures
    // are logged above at warn and error.
    this.opts.logger.debug({ chat: maskChatId(chatId), messages: messages.length, ms: Math.round(performance.now() - started) }, 'telegram: sent');
    return { ok: true };
  }

  /** One message through the pacing; a 429 waits its retry_after and goes through the pacing again. */
  private async sendPaced(chatId: string, params: Parameters<Api['sendMessage']>[0], signal: AbortSignal): Promise<void> {
    const retries = this.opts.maxRetriesOf429 ?? 3;
    for (let attempt = 0; ; attempt++) {
      const permit = await this.pacer.acquire(chatId, signal);
      try {
        await this.opts.api.sendMessage(params, signal);
        permit.release(this.pacerClock.now());
        return;
      } catch (err) {
        const at = this.pacerClock.now();
        permit.release(at);
        if (!(err instanceof TelegramApiError) || err.errorCode !== 429 || attempt >= retries || signal.aborted) throw err;
        const waitMs = Math.max(1, err.retryAfter ?? 1) * 1000;
        permit.backOff(at, waitMs);
        this.opts.logger.warn({ chat: maskChatId(chatId), retryAfterS: waitMs / 1000, attempt: attempt + 1 }, 'telegram: 429, waiting retry_after');
      }
    }
  }
}

export interface SendFailure {
  /** The chat cannot be reached until the user writes again (blocked, deleted, never started the bot). */
  unreachable: boolean;
  /** Our request was refused as such (bad token, bad message): retrying the same request will not help. */
  ourFault: boolean;
  reason: string;
}

/** Sort a send error by what the caller should do about it. */
export function classify(err: unknown, signal?: AbortSignal): SendFailure {
  if (signal?.aborted) return { unreachable: false, ourFault: false, reason: 'telegram channel closed before the message was sent' };
  if (err instanceof TelegramApiError) {
    const reason = `${err.errorCode} ${err.description}`;
    if (err.errorCode === 403) return { unreachable: true, ourFault: false, reason };
    if (err.errorCode === 400 && /chat not found|user is deactivated|peer_id_invalid|bot can't initiate/i.test(err.description)) return { unreachable: true, ourFault: false, reason };
    if (err.errorCode === 429 || err.errorCode >= 500) return { unreachable: false, ourFault: false, reason };
    return { unreachable: false, ourFault: true, reason };
  }
  if (err instanceof TimeoutError) return { unreachable: false, ourFault: false, reason: 'timeout' };
  if (err instanceof NetworkError) return { unreachable: false, ourFault: false, reason: `network: ${err.message}` };
  if (err instanceof ParseError) return { unreachable: false, ourFault: false, reason: 'unreadable response from the Bot API' };
  return { unreachable: false, ourFault: false, reason: err instanceof Error ? err.message : String(err) };
}

/** Numeric ids as numbers (what the Bot API documents); anything else (an @channel name) as given. */
function toChatId(chatId: string): number | string {
  return /^-?\d{1,16}$/.test(chatId) ? Number(chatId) : chatId;
}

