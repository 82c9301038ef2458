import TinyQueue from 'tinyqueue';

/** Monotonic milliseconds and an abortable sleep: injected so the pacing can be tested with a moved clock. */
export interface PacerClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realPacerClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const done = () => {
        signal.removeEventListener('abort', stop);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.ceil(ms)));
      const stop = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', stop, { once: true });
    }),
};

/** A slot of a window, held by one call from its departure until its answer came back. */
export interface Slot {
  freeAt: number;
}

/**
 * At most `limit` calls in any `windowMs`, as the platform counts them: by when they arrive there, which we do not
 * know. What we know is that a call arrived before its answer came back. So a call holds one of `limit` slots from
 * its departure, and the slot is free again `windowMs` after the answer: the next call through that slot arrives
 * at least `windowMs` after the previous one, whatever the network did to either, and no `limit + 1` arrivals fit
 * in one window. A token bucket paced at departure cannot promise that: a request delayed on its way arrives
 * closer to the next one than they left, and a full bucket lets a burst out at its start.
 *
 * Departures are also spaced by `windowMs / limit` (33 ms at 30/s): the window alone would allow all `limit` at
 * one instant, which Telegram's "about 30 a second" does not invite. Takers are served in arrival order (one at
 * a time), and a taker re-checks the clock after every sleep, since a timer on a busy event loop can fire before
 * its time.
 */
export class SlidingWindow {
  private readonly slots: Slot[];
  /**
   * The slots not held, soonest free first: a take looks at the top instead of scanning every slot, which cost
   * O(limit) a message (a window of 100,000 a second, as the benchmarks lift the limits to, was most of a send's
   * pacing). Held slots (freeAt Infinity) are out of it until released.
   */
  private free: TinyQueue<Slot>;
  private turn: Promise<void> = Promise.resolve();
  private releaseWaiters: (() => void)[] = [];
  private lastDeparture = -Infinity;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: PacerClock,
  ) {
    this.slots = Array.from({ length: Math.max(1, Math.floor(limit)) }, () => ({ freeAt: -Infinity }));
    this.free = new TinyQueue([...this.slots], bySoonest);
  }

  /** Resolves with a slot once a call may leave now; give it back with `release` when the answer came. */
  take(signal: AbortSignal): Promise<Slot> {
    const mine = this.turn.then(() => this.waitForSlot(signal));
    this.turn = mine.then(
      () => undefined,
      () => undefined,
    );
    return mine;
  }

  /** The answer to the slot's call came back at `answeredAt` (or the call never left: then `release(slot, -Infinity)`). */
  release(slot: Slot, answeredAt: number): void {
    const held = slot.freeAt === Infinity;
    slot.freeAt = answeredAt + this.windowMs;
    if (held) this.free.push(slot);
    // A slot given back twice moved while in the queue: rebuild it rather than let a take see a wrong order.
    else this.free = new TinyQueue(this.slots.filter((s) => s.freeAt !== Infinity), bySoonest);
    for (const wake of this.releaseWaiters.splice(0)) wake();
  }

  /** Keep every slot closed until `until` (a 429's retry_after). */
  holdUntil(until: number): void {
    // Raising every key to at least `until` keeps their order, so the queue stays valid as it is.
    for (const s of this.slots) if (s.freeAt !== Infinity && s.freeAt < until) s.freeAt = until;
  }

  /** No call in flight and none within the last window: the state can be forgotten. */
  isIdle(): boolean {
    const now = this.clock.now();
    return this.slots.every((s) => s.freeAt <= now);
  }

  private async waitForSlot(signal: AbortSignal): Promise<Slot> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const first = this.free.peek();
      const now = this.clock.now();
      const at = first ? Math.max(first.freeAt, this.lastDeparture + this.windowMs / this.slots.length) : Infinity;
      if (first && at <= now) {
        this.free.pop();
        first.freeAt = Infinity;
        this.lastDeparture = now;
        return first;
      }
      if (at === Infinity) await this.nextRelease(signal);
      else await this.clock.sleep(at - now, signal);
    }
  }

  private nextRelease(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stop = () => reject(signal.reason);
      signal.addEventListener('abort', stop, { once: true });
      this.releaseWaiters.push(() => {
        signal.removeEventListener('abort', stop);
        resolve();
      });
    });
  }
}

/** Not a subtraction: two never-used slots are both -Infinity, and -Infinity - -Infinity is NaN. */
const bySoonest = (a: Slot, b: Slot) => (a.freeAt < b.freeAt ? -1 : a.freeAt > b.freeAt ? 1 : 0);

export interface TelegramLimits {
  /** Messages a second to one chat (Telegram: about 1). */
  perChatPerSecond: number;
  /** Messages a second over all chats (Telegram: about 30). */
  globalPerSecond: number;
  /** Messages a minute to one group or channel (Telegram: 20). */
  groupPerMinute: number;
}

/** Telegram's FAQ: about 1 a second per chat, 30 a second in bulk, 20 a minute per group. */
export const TELEGRAM_LIMITS: TelegramLimits = { perChatPerSecond: 1, globalPerSecond: 30, groupPerMinute: 20 };

/** Group and channel ids are negative (or an @name); private chats are positive. */
const isGroup = (chatId: string) => chatId.startsWith('-') || chatId.startsWith('@');

interface ChatWindows {
  chat: SlidingWindow;
  group: SlidingWindow | null;
}

/** One permit to send a message: the chat's slot(s) and the global one, given back together. */
export interface Permit {
  release(answeredAt: number): void;
  /** A 429: the chat waits `ms` from `at` before its next message. */
  backOff(at: number, ms: number): void;
}

/**
 * Telegram's limits as windows: per chat (a slot of 1/perChatPerSecond s), per group (20 a minute), global
 * (30 a second). A message waits for its chat first and takes the global slot only then, so a chat with a
 * backlog never holds global slots while it waits. Callers send one message per chat at a time (the outbound
 * queue is per chat), so the chat windows are never contended.
 */
export class TelegramPacer {
  private readonly global: SlidingWindow;
  private readonly chats = new Map<string, ChatWindows>();

  constructor(
    private readonly limits: TelegramLimits,
    private readonly clock: PacerClock = realPacerClock,
    private readonly maxChats = 10_000,
  ) {
    this.global = new SlidingWindow(limits.globalPerSecond, 1000, clock);
  }

  async acquire(chatId: string, signal: AbortSignal): Promise<Permit> {
    const w = this.windowsOf(chatId);
    const chatSlot = await w.chat.take(signal);
    let groupSlot: Slot | null = null;
    let globalSlot: Slot | null = null;
    try {
      groupSlot = w.group ? await w.group.take(signal) : null;
      globalSlot = await this.global.take(signal);
    } catch (err) {
      w.chat.release(chatSlot, -Infinity);
      if (groupSlot) w.group!.release(groupSlot, -Infinity);
      throw err;
    }
    const g = globalSlot;
    return {
      release: (at) => {
        w.chat.release(chatSlot, at);
        if (groupSlot) w.group!.release(groupSlot, at);
        this.global.release(g, at);
      },
      backOff: (at, ms) => {
        w.chat.holdUntil(at + ms);
        w.group?.holdUntil(at + ms);
      },
    };
  }

  /** Chats whose windows are kept (tests). */
  get trackedChats(): number {
    return this.chats.size;
  }

  private windowsOf(chatId: string): ChatWindows {
    let w = this.chats.get(chatId);
    if (w) {
      this.chats.delete(chatId); // to the most recently used end
    } else {
      if (this.chats.size >= this.maxChats) {
        // Only a chat with nothing in its windows is forgotten: forgetting a busy one would let its next message
        // out early. At 30 messages/s the least recently used of 10,000 chats is minutes old, so this is the rule.
        const [oldest, ow] = this.chats.entries().next().value ?? [];
        if (oldest !== undefined && ow && ow.chat.isIdle() && (!ow.group || ow.group.isIdle())) this.chats.delete(oldest);
      }
      w = {
        chat: new SlidingWindow(1, 1000 / this.limits.perChatPerSecond, this.clock),
        group: isGroup(chatId) ? new SlidingWindow(this.limits.groupPerMinute, 60_000, this.clock) : null,
      };
    }
    this.chats.set(chatId, w);
    return w;
  }
}
