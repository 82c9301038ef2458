/**
 * Telegram's sending limits as a fake platform enforces them, by arrival time: more than `globalPerSecond` calls
 * in any sliding second, a second call to one chat within `1000 / perChatPerSecond` ms, or more than
 * `groupPerMinute` calls to one group (a negative id) in any sliding minute get 429 with retry_after. Refused
 * calls do not count. Shared by the broadcast bench's fake Bot API and the pacing's unit test, so both hold the
 * sender to the same rules.
 */
export interface TelegramLimitRulesOptions {
  globalPerSecond?: number;
  perChatPerSecond?: number;
  groupPerMinute?: number;
}

export class TelegramLimitRules {
  readonly stats = { ok: 0, tooMany: 0 };
  private readonly recent: number[] = [];
  private readonly lastByChat = new Map<string, number>();
  private readonly groupRecent = new Map<string, number[]>();
  private readonly global: number;
  private readonly perChatMs: number;
  private readonly perGroup: number;

  constructor(opts: TelegramLimitRulesOptions = {}) {
    this.global = opts.globalPerSecond ?? 30;
    this.perChatMs = 1000 / (opts.perChatPerSecond ?? 1);
    this.perGroup = opts.groupPerMinute ?? 20;
  }

  /** A sendMessage to `chat` arriving at `at` (ms): null when accepted, else the retry_after (seconds) of its 429. */
  arrive(chat: string, at: number): number | null {
    while (this.recent.length && at - this.recent[0]! >= 1000) this.recent.shift();
    const group = chat.startsWith('-') ? (this.groupRecent.get(chat) ?? []) : null;
    while (group?.length && at - group[0]! >= 60_000) group.shift();
    const last = this.lastByChat.get(chat);
    let retryAfterMs = 0;
    if (this.recent.length >= this.global) retryAfterMs = Math.max(retryAfterMs, this.recent[0]! + 1000 - at);
    if (last !== undefined && at - last < this.perChatMs) retryAfterMs = Math.max(retryAfterMs, last + this.perChatMs - at);
    if (group && group.length >= this.perGroup) retryAfterMs = Math.max(retryAfterMs, group[0]! + 60_000 - at);
    if (retryAfterMs > 0) {
      this.stats.tooMany++;
      return Math.max(1, Math.ceil(retryAfterMs / 1000));
    }
    this.recent.push(at);
    this.lastByChat.set(chat, at);
    if (group) this.groupRecent.set(chat, [...group, at]);
    this.stats.ok++;
    return null;
  }
}
