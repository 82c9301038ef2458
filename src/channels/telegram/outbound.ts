import { setMaxListeners } from 'node:events';
import { NetworkError, ParseError, TelegramApiError, TimeoutError, TokenBucket, type Api } from 'node-telegram-bot-api';
import type { DeliveryResult } from '../../app/ports/sender.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { waitAtMost } from '../../infra/waitAtMost.ts';
import { KeyedQueue } from './keyedQueue.ts';
import { maskChatId } from './mask.ts';
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
  now?: () => Date;
  /** Told when a chat turned out unreachable (before it is recorded). */
  onUnreachable?: (chatId: string) => void;
  /** Chats whose pacing state is kept; the least recently used is forgotten first. */
  maxChatBuckets?: number;
}

/**
 * Everything the bot sends to Telegram goes through here: one queue per chat (a chat's messages leave in order,
 * replies and pushes alike), paced per chat and globally, with the library's retries underneath.
 *
 * Pacing uses the library's `TokenBucket`, but not its `rateLimit` option: that option takes the global token
 * first and then waits for the chat's, so a chat with a backlog holds global tokens while it waits, and the sends
 * released a second later add to the ones sent meanwhile (up to twice the global rate in a second). Here a send
 * waits for its chat first and takes the global token only when it can leave at once.
 *
 * The limits hold per process; with several instances behind a load balancer divide TELEGRAM_GLOBAL_PER_SECOND
 * by their number. 429s that slip through anyway are retried by the library after `retry_after`.
 */
export class TelegramOutbound {
  private readonly queue: KeyedQueue;
  private readonly global: TokenBucket;
  private readonly chatBuckets = new Map<string, TokenBucket>();
  private readonly maxChatBuckets: number;
  private readonly abort = new AbortController();
  private readonly now: () => Date;

  constructor(private readonly opts: TelegramOutboundOptions) {
    this.queue = new KeyedQueue(1_000_000, (err, key) => opts.logger.error({ err, chat: maskChatId(key) }, 'telegram: send task failed'));
    // Burst 1 as well: a full bucket of 30 plus the next second's refill would let 60 through in one second.
    this.global = new TokenBucket(opts.globalPerSecond, { burst: 1 });
    this.maxChatBuckets = opts.maxChatBuckets ?? 10_000;
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
        await this.chatBucket(chatId).take(signal);
        await this.global.take(signal);
        await this.opts.api.sendMessage({ chat_id: toChatId(chatId), text: m.text, ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}) }, signal);
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

  private chatBucket(chatId: string): TokenBucket {
    let bucket = this.chatBuckets.get(chatId);
    if (bucket) {
      this.chatBuckets.delete(chatId); // move to the most recently used end
    } else {
      if (this.chatBuckets.size >= this.maxChatBuckets) {
        // At 30 messages/s it takes minutes to cycle through 10,000 chats, so an evicted bucket is always full.
        const oldest = this.chatBuckets.keys().next().value;
        if (oldest !== undefined) this.chatBuckets.delete(oldest);
      }
      // Burst 1: "about one a second" means spaced, not three at once and then silence.
      bucket = new TokenBucket(this.opts.perChatPerSecond, { burst: 1 });
    }
    this.chatBuckets.set(chatId, bucket);
    return bucket;
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

