import { Api } from 'node-telegram-bot-api';
import type { HandleInbound, HandleResult, InboundMessage } from '../../app/handleInbound.ts';
import type { Reach } from '../../app/ports/reach.ts';
import { handleUntilAdmitted } from '../../app/untilAdmitted.ts';
import type { Sender } from '../../app/ports/sender.ts';
import type { Logger } from '../../infra/logger.ts';
import { waitAtMost } from '../../infra/waitAtMost.ts';
import type { ChannelModule } from '../module.ts';
import { TELEGRAM_CHAT_ID, type TelegramUserStore } from '../ports.ts';
import { createBotApiFetch } from './botApiFetch.ts';
import { KeyedQueue } from './keyedQueue.ts';
import { maskChatId } from './mask.ts';
import { TelegramOutbound } from './outbound.ts';
import { telegramMediaSource } from './mediaSource.ts';
import { telegramWebhookRouter, type Admission } from './routes.ts';
import { parseUpdate, TELEGRAM_CHANNEL, type TelegramUpdate } from './updates.ts';

export { TELEGRAM_CHANNEL };

export interface TelegramChannelConfig {
  botToken: string;
  webhookSecret: string;
  /** Bot API origin, e.g. https://api.telegram.org (tests: a fake server on 127.0.0.1). */
  apiBase: string;
  perChatPerSecond: number;
  globalPerSecond: number;
  /** Retries of one Bot API call on 429 and transient errors (network, timeout, 5xx). Default 3. */
  maxRetries?: number;
  /** Base of the jittered exponential backoff between transient retries. Default 300 ms. */
  retryBackoffMs?: number;
  /** Client timeout of one Bot API call. Default 10 s. */
  requestTimeoutMs?: number;
  /**
   * Updates accepted and not yet handled, over all chats, before the webhook answers 503 (and Telegram delivers
   * again later). Default 2,000, the app's default turn backlog (MAX_WAITING_TURNS): each chat has at most one
   * update in that backlog, so the app's queue is full only when other channels fill it too, and then an update
   * already acknowledged here is offered again for OVERLOAD_RETRY_MS.
   */
  maxQueuedUpdates?: number;
  /** How long close() waits for queued updates and sends. Default 10 s. */
  closeTimeoutMs?: number;
}

export interface TelegramChannelDeps {
  config: TelegramChannelConfig;
  handleInbound: HandleInbound;
  /** Which chats blocked the bot (store/mongo/telegramUsers.ts in the app). */
  users: TelegramUserStore;
  logger: Logger;
  now?: () => Date;
}

export interface TelegramChannel extends ChannelModule {
  /** POST /telegram/webhook; answers 503 once stopping. */
  readonly routes: NonNullable<ChannelModule['routes']>;
  /** Pushes for channel 'telegram' (userId = the chat id as a string). */
  readonly sender: Sender;
  /** The node-telegram-bot-api client (setWebhook, getWebhookInfo, ...). */
  api: Api;
  users: TelegramUserStore;
  /** Resolves when every accepted update has been handled and its replies sent (tests and benchmarks). */
  idle(): Promise<void>;
  /** Refuse new updates (503), finish the queued ones and their sends (bounded by closeTimeoutMs). */
  stop(): Promise<void>;
}

/** Update ids remembered in this process, so a redelivery to the same instance does not even reach the queue. */
const SEEN_UPDATES = 10_000;
const HANDLE_ATTEMPTS = 3;
const OVERLOAD_RETRY_MS = 30_000;
const DEFAULT_MAX_QUEUED = 2_000;

/**
 * The Telegram channel: webhook in, per-chat ordered handling, paced sending out. node-telegram-bot-api (v2) is
 * the Bot API client (sendMessage, answerCallbackQuery, setWebhook, its retries and error types); the webhook is
 * served by Koa rather than the library's `webhookCallback`, which would need a Fetch `Request`, has no per-chat
 * ordering and cannot be put behind the app's body limits and error mapping.
 */
export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const botApiFetch = createBotApiFetch({ timeoutMs: config.requestTimeoutMs ?? 10_000 });
  const apiOptions = {
    apiRoot: config.apiBase,
    fetch: botApiFetch.fetch,
    maxRetries: config.maxRetries ?? 3,
    retryBackoffMs: config.retryBackoffMs ?? 300,
    // The transport keeps the time limit (botApiFetch.ts): the library's own would cost two abort signals a call.
    timeoutMs: 0,
  };
  const api = new Api(config.botToken, apiOptions);
  // Messages get a client of their own that hands every 429 back (a retry_after of 1 s is above 1 ms): the
  // outbound retries it through its pacing, where a retry inside the library would leave unpaced.
  const sendApi = new Api(config.botToken, { ...apiOptions, maxRetryAfterMs: 1 });
  const users = deps.users;
  /** Chat → when this process last cleared its unreachable flag; see markReachable below. Bounded. */
  const reachableMarked = new Map<string, number>();
  const outbound = new TelegramOutbound({
    api: sendApi,
    maxRetriesOf429: config.maxRetries ?? 3,
    users,
    logger,
    perChatPerSecond: config.perChatPerSecond,
    globalPerSecond: config.globalPerSecond,
    now,
    onUnreachable: (chatId) => reachableMarked.delete(chatId),
  });
  const inbound = new KeyedQueue(config.maxQueuedUpdates ?? DEFAULT_MAX_QUEUED, (err, chat) => logger.error({ err, chat: maskChatId(chat) }, 'telegram: update failed'));
  const seen = new Set<number>();
  let closing = false;

  function admit(update: TelegramUpdate): Admission {
    if (closing) return 'full';
    if (seen.has(update.update_id)) return 'ignored';
    const parsed = parseUpdate(update);
    if (!parsed) return 'ignored';
    if (parsed.inbound && inbound.pending >= (config.maxQueuedUpdates ?? DEFAULT_MAX_QUEUED)) return 'full';
    remember(update.update_id);
    // Answered at once, not behind the chat's queue: the user's button shows a spinner until it is.
    if (parsed.callbackQueryId) answerCallback(parsed.callbackQueryId, parsed.chatId);
    const msg = parsed.inbound;
    if (!msg) return 'ignored';
    inbound.push(parsed.chatId, () => handle(parsed.chatId, msg));
    return 'queued';
  }

  function remember(updateId: number): void {
    if (seen.size >= SEEN_UPDATES) seen.delete(seen.values().next().value!);
    seen.add(updateId);
  }

  function answerCallback(id: string, chatId: string): void {
    api.answerCallbackQuery({ callback_query_id: id }).catch((err: unknown) => {
      // A query older than ~15 s can no longer be answered; the tap itself is still handled.
      logger.warn({ err, chat: maskChatId(chatId) }, 'telegram: could not answer a callback query');
    });
  }

  async function handle(chatId: string, msg: InboundMessage): Promise<void> {
    markReachable(chatId);
    const result = await handleWithRetry(msg);
    if (result.overloaded) logger.warn({ chat: maskChatId(chatId) }, 'telegram: the turn queue stayed full; the user is asked to send the message again');
    // A duplicate's replies were sent by the first delivery (or are being sent); sending them again would show
    // the user every answer twice. If the process died between the turn and the send, the user asks again.
    if (result.duplicate || result.replies.length === 0) return;
    void outbound.deliver(chatId, result.replies);
  }

  /**
   * A message from the chat means it is reachable again (unblocking the bot sends /start). The write is made at
   * most once a minute per chat and process, not for every message of a registration burst; a chat that blocked
   * and unblocked the bot within that minute, on another instance, keeps its flag until its next message.
   */
  function markReachable(chatId: string): void {
    const at = now();
    const last = reachableMarked.get(chatId);
    if (last !== undefined && at.getTime() - last < 60_000 && at.getTime() >= last) return;
    if (reachableMarked.size >= 50_000) reachableMarked.clear();
    reachableMarked.set(chatId, at.getTime());
    users.markReachable(chatId, at).catch((err: unknown) => {
      reachableMarked.delete(chatId);
      logger.warn({ err, chat: maskChatId(chatId) }, 'telegram: could not update telegram_users');
    });
  }

  /** Telegram has had its 200 already, so a database blip is retried here rather than by redelivery. */
  async function handleWithRetry(msg: InboundMessage): Promise<HandleResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await handleUntilAdmitted(deps.handleInbound, msg, { giveUpAfterMs: OVERLOAD_RETRY_MS, stopping: () => closing });
      } catch (err) {
        if (attempt >= HANDLE_ATTEMPTS || closing) throw err;
        logger.warn({ err, chat: maskChatId(msg.userId), attempt }, 'telegram: handling an update failed; retrying');
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }

  const sender: Sender = {
    async send(channel, userId, messages) {
      if (channel !== TELEGRAM_CHANNEL) return { ok: false, permanent: true, reason: `the Telegram sender cannot send to channel ${channel}` };
      if (!TELEGRAM_CHAT_ID.test(userId)) return { ok: false, permanent: true, reason: 'a Telegram user id is a numeric chat id' };
      return outbound.deliver(userId, messages);
    },
  };

  /** Blocked (403, chat not found) is recorded by the sender; a chat that never wrote is unknown. */
  const reach: Reach = {
    async reach(chatId) {
      const status = await users.status(chatId);
      if (status === 'unknown') return { reachable: false, reason: 'unknownUser' };
      return status === 'unreachable' ? { reachable: false, reason: 'blocked' } : { reachable: true, how: 'direct' };
    },
  };

  return {
    id: TELEGRAM_CHANNEL,
    capabilities: { images: true },
    routes: telegramWebhookRouter({ secret: config.webhookSecret, admit }),
    sender,
    media: { scheme: 'telegram', source: telegramMediaSource(api, { apiBase: config.apiBase, botToken: config.botToken }) },
    reach,
    api,
    users,
    start: async () => undefined,
    async idle() {
      await inbound.idle();
      await outbound.idle();
    },
    async stop() {
      closing = true;
      const timeoutMs = config.closeTimeoutMs ?? 10_000;
      const deadline = Date.now() + timeoutMs;
      await waitAtMost(inbound.idle(), timeoutMs);
      await outbound.close(Math.max(0, deadline - Date.now()));
      await botApiFetch.close();
    },
  };
}
