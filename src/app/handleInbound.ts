import { randomUUID } from 'node:crypto';
import type { FlowRegistry } from '../engine/flow/registry.ts';
import { newConversation, runTurn } from '../engine/index.ts';
import type { ChannelCapabilities, ConversationState, Inbound, OutboundMessage, Translator, TurnContext, TurnResult } from '../engine/types.ts';
import type { RegionNode } from '../domain/regions/regions.ts';
import { ownValue } from '../domain/records/ownValue.ts';
import type { Logger } from '../infra/logger.ts';
import type { ActionRegistry } from './actions/types.ts';
import type { Clock } from './ports/clock.ts';
import { ConversationBusyError, type Begun, type ConversationStore } from './ports/conversationStore.ts';
import type { FunnelRecorder } from './ports/funnel.ts';
import type { TurnMetrics } from './ports/metrics.ts';
import { HitRate } from './hitRate.ts';
import { OverloadedError, TurnGate } from './turnGate.ts';
import { AdaptiveLimit } from './turnLimit.ts';
import { probeTurn, type TurnProbe } from './turnTimings.ts';

/** A message from any channel, normalised by that channel's inbound adapter. */
export interface InboundMessage {
  channel: string;
  userId: string;
  /** The platform's message id (or one the channel makes up); a repeated id runs its turn once. */
  messageId: string;
  input: Extract<Inbound, { type: 'text' } | { type: 'choice' } | { type: 'image' }>;
}

export interface HandleResult {
  replies: OutboundMessage[];
  /** The message was seen before; `replies` are the ones given then. */
  duplicate: boolean;
  /**
   * Too much was waiting: the message was not handled and nothing was stored; `replies` say "busy, send it again".
   * A channel that has already acknowledged the message to its platform delivers it again itself later.
   */
  overloaded?: true;
}

export interface HandleInboundDeps {
  flows: FlowRegistry;
  translator: Translator;
  regions: RegionNode[];
  conversations: ConversationStore;
  actions: ActionRegistry;
  clock: Clock;
  metrics: TurnMetrics;
  /** Per-step funnel counters; told about every committed turn (in memory, no I/O on this path). */
  funnel?: FunnelRecorder;
  logger: Logger;
  settings: {
    defaultLocale: string;
    sessionTimeoutMs: number;
    maxMessageLength: number;
    /** How long one turn may hold a user's lease before another instance may take over. */
    leaseMs?: number;
    /** How long a message waits for the same user's previous message before giving up with "busy". */
    waitForTurnMs?: number;
    /** Turns running at once in this process; more wait in line (per chat in order, chats first come first served). Default 64 (as MAX_RUNNING_TURNS). */
    maxRunningTurns?: number;
    /** Messages `outsideTurn.mayAnswer` picks, running at once apart from those turns (MAX_RUNNING_OUTSIDE_TURNS). Unset: they take turn slots. */
    maxRunningOutsideTurns?: number;
    /** 'adaptive': maxRunningTurns is the ceiling of a limit found by measuring turn run times (turnLimit.ts). */
    runningTurnsLimit?: 'fixed' | 'adaptive';
    /** Turns waiting in line, over all chats, before one more is refused (an `overloaded` result). Default 2,000. */
    maxWaitingTurns?: number;
    /** Of those, how many one chat may have waiting. Default 10. */
    maxWaitingTurnsPerChat?: number;
  };
  capabilities(channel: string): ChannelCapabilities;
  /**
   * The user switched language in this turn: remembered beyond the conversation (which expires), so that pushes
   * weeks later reach them in it. A failure is logged; the turn's reply is not affected.
   */
  onLocaleChange?: (channel: string, userId: string, locale: string) => Promise<void>;
  /**
   * Answers a message before the flows do (a satisfaction poll: app/polls/respondentChat.ts), inside the same
   * dedupe and lease; null = not its message. It returns the state to store (its own marker at most).
   */
  intercept?: (msg: InboundMessage, state: ConversationState, now: Date) => Promise<{ state: ConversationState; replies: OutboundMessage[] } | null>;
  /**
   * A test without I/O: false only when `intercept` surely answers null for this message and state. Turns on a
   * state this instance remembers run before any lease is taken, which only a turn without I/O may; without this
   * test (and an intercept) every message takes the lease first.
   */
  mayIntercept?: (msg: InboundMessage, state: ConversationState) => boolean;
  /**
   * Answers a message outside any turn: no lease, nothing written to the conversation, no dedupe record (a
   * one-message poll answer, which is idempotent by itself: app/polls/outsideTurn.ts). null = not such a message
   * here and now, and the turn runs as usual.
   */
  outsideTurn?: OutsideTurn;
}

export interface OutsideTurn {
  (msg: InboundMessage, now: Date): Promise<OutboundMessage[] | null>;
  /**
   * A test without I/O: true when the message is probably answered outside a turn. Such a message waits for a
   * slot of its own lane of the gate (settings.maxRunningOutsideTurns), since it holds no lease.
   */
  mayAnswer?(msg: InboundMessage): boolean;
}

const MAX_ACTIONS_PER_TURN = 20;

/**
 * The inbound pipeline, the same for every channel: wait in line (TurnGate: one turn per chat at a time, a bounded
 * number at once, a bounded backlog beyond which an `overloaded` result) → dedupe and take the user's lease in one
 * update (a message the conversation already answered gets its stored replies) → run the turn (feeding action
 * results back into it) → one atomic state write that records the message, stores its replies and releases the
 * lease → hand the replies back for sending. A failure anywhere before the write leaves the stored conversation
 * as it was, and the message free to be delivered again.
 *
 * The usual turn takes one round trip instead: when this instance wrote the conversation last, the engine runs on
 * that state first, and if the turn needs no action (no I/O) its write goes through only when the conversation is
 * still as this instance left it, no turn holds the lease and the message is not a repeat. Whatever else happened
 * (another instance moved the chat on or is running it, a repeat, an action to run) leaves nothing written, and
 * the turn is run again the long way. Only a turn that wrote its state is answered, so a turn run for nothing has
 * no trace; and every turn with I/O holds the lease. When most such writes miss (one chat spread over several
 * instances), HitRate stops trying them but for a probe now and then.
 */
export function createInboundHandler(deps: HandleInboundDeps) {
  const leaseMs = deps.settings.leaseMs ?? 30_000;
  const waitForTurnMs = deps.settings.waitForTurnMs ?? 15_000;
  const maxRunning = deps.settings.maxRunningTurns ?? 64;
  const gate = new TurnGate({
    maxRunning: deps.settings.runningTurnsLimit === 'adaptive' ? new AdaptiveLimit({ max: maxRunning }) : maxRunning,
    ...(deps.settings.maxRunningOutsideTurns !== undefined ? { maxRunningOutside: deps.settings.maxRunningOutsideTurns } : {}),
    maxWaiting: deps.settings.maxWaitingTurns ?? 2_000,
    maxWaitingPerKey: deps.settings.maxWaitingTurnsPerChat ?? 10,
  });
  const remembered = new HitRate();

  return async function handleInbound(msg: InboundMessage): Promise<HandleResult> {
    if (msg.input.type === 'text' && [...msg.input.text].length > deps.settings.maxMessageLength) {
      // Refused before anything is stored: the conversation stays where it was.
      const text = deps.translator.t(deps.settings.defaultLocale, 'common:tooLong', { length: [...msg.input.text].length, max: deps.settings.maxMessageLength });
      return { replies: [{ text }], duplicate: false };
    }
    const probe = probeTurn(msg.channel, msg.userId);
    try {
      return await gate.run(`${msg.channel}:${msg.userId}`, () => handleInLine(msg, probe), deps.outsideTurn?.mayAnswer?.(msg) ? 'outside' : 'turn');
    } catch (err) {
      if (!(err instanceof OverloadedError)) throw err;
      probe?.end('overloaded');
      deps.metrics.error('overloaded');
      return { replies: [{ text: deps.translator.t(deps.settings.defaultLocale, 'common:overloaded') }], duplicate: false, overloaded: true };
    }
  };

  async function handleInLine(msg: InboundMessage, probe: TurnProbe | null): Promise<HandleResult> {
    probe?.start(gate.maxRunning);
    const store = <T>(pending: Promise<T>): Promise<T> => (probe ? probe.store(pending) : pending);
    const started = performance.now();
    const now = deps.clock.now();
    const outside = deps.outsideTurn && (await store(answerOutsideTurn(msg, now)));
    if (outside) {
      deps.metrics.turn(msg.channel, (performance.now() - started) / 1000);
      return ended(probe, 'outside', { replies: outside, duplicate: false });
    }
    const quick = await onKnownState(msg, now, store);
    if (quick) return ended(probe, 'known', await finished(msg, quick.before, quick.turn, quick.turn, started, now));

    const owner = randomUUID();
    let state: ConversationState | null;
    try {
      const begun = await store(beginWithWait(msg, owner));
      if (begun.kind === 'repeat') {
        deps.metrics.dedupeHit(msg.channel);
        return ended(probe, 'repeat', { replies: begun.replies, duplicate: true });
      }
      state = begun.state;
    } catch (err) {
      if (err instanceof ConversationBusyError) {
        deps.metrics.error('busy');
        return ended(probe, 'busy', { replies: [{ text: deps.translator.t(deps.settings.defaultLocale, 'common:busy') }], duplicate: false });
      }
      throw err;
    }

    try {
      const current = state ?? newConversation(msg.channel, msg.userId, deps.settings.defaultLocale, now);
      const intercepted = deps.intercept ? await deps.intercept(msg, current, now) : null;
      const turn = intercepted ? null : await runWithActions(current, msg, now, probe);
      const result = turn ?? { state: intercepted!.state, outbound: intercepted!.replies };
      await store(deps.conversations.commit(result.state, owner, { messageId: msg.messageId, replies: result.outbound }));
      return ended(probe, 'lease', await finished(msg, current, result, turn, started, now));
    } catch (err) {
      deps.metrics.error('turn');
      deps.logger.error({ err, channel: msg.channel, step: state?.stepId, flow: state?.flowId }, 'turn failed; conversation left unchanged');
      await deps.conversations.release(msg.channel, msg.userId, owner).catch(() => undefined);
      const locale = state?.locale ?? deps.settings.defaultLocale;
      return ended(probe, 'failed', { replies: [{ text: deps.translator.t(locale, 'common:internalError') }], duplicate: false });
    }
  }

  async function answerOutsideTurn(msg: InboundMessage, now: Date): Promise<OutboundMessage[] | null> {
    try {
      return await deps.outsideTurn!(msg, now);
    } catch (err) {
      // Nothing of the conversation was touched; whatever the answer got to is safe to send again.
      deps.metrics.error('turn');
      deps.logger.error({ err, channel: msg.channel }, 'message answered outside a turn failed');
      return [{ text: deps.translator.t(deps.settings.defaultLocale, 'common:internalError') }];
    }
  }

  /** After the commit: funnel, remembered language, metrics; the replies go back. */
  async function finished(msg: InboundMessage, before: ConversationState, after: { state: ConversationState; outbound: OutboundMessage[] }, engineTurn: TurnResult | null, started: number, now: Date): Promise<HandleResult> {
    // Flow funnels count engine turns only: an intercepted turn (a poll answer) must leave no trace tied to a step.
    if (engineTurn) deps.funnel?.turn({ before, after: engineTurn, now });
    if (after.state.locale !== before.locale && deps.onLocaleChange) {
      await deps.onLocaleChange(msg.channel, msg.userId, after.state.locale).catch((err: unknown) => deps.logger.warn({ err, channel: msg.channel }, 'could not record the chosen language'));
    }
    deps.metrics.turn(msg.channel, (performance.now() - started) / 1000);
    return { replies: after.outbound, duplicate: false };
  }

  /**
   * The one-round-trip turn on the state this instance last wrote (see above); null when it did not commit, and
   * the turn must be run the long way. Nothing in it does I/O before the guarded write.
   */
  async function onKnownState(msg: InboundMessage, now: Date, store: <T>(pending: Promise<T>) => Promise<T>): Promise<{ before: ConversationState; turn: TurnResult } | null> {
    const before = deps.conversations.known(msg.channel, msg.userId);
    if (!before || !remembered.shouldTry()) return null;
    if (deps.intercept && (!deps.mayIntercept || deps.mayIntercept(msg, before))) return null;
    try {
      const turn = runTurn(deps.flows, before, msg.input, turnContext(msg, now));
      if (turn.awaitingAction) return null;
      const written = await store(deps.conversations.commitIfCurrent(turn.state, { messageId: msg.messageId, replies: turn.outbound }, now));
      remembered.record(written);
      return written ? { before, turn } : null;
    } catch (err) {
      // Whether or not the write landed, the long way is right: it finds the message handled, or runs it.
      deps.logger.debug({ err, channel: msg.channel }, 'turn on the remembered state failed; running it with the lease');
      return null;
    }
  }

  function turnContext(msg: InboundMessage, now: Date): TurnContext {
    return {
      now,
      translator: deps.translator,
      defaultLocale: deps.settings.defaultLocale,
      sessionTimeoutMs: deps.settings.sessionTimeoutMs,
      capabilities: deps.capabilities(msg.channel),
      data: { regions: deps.regions },
    };
  }

  async function runWithActions(state: ConversationState, msg: InboundMessage, now: Date, probe: TurnProbe | null): Promise<TurnResult> {
    const ctx = turnContext(msg, now);
    let result = runTurn(deps.flows, state, msg.input, ctx);
    const outbound = [...result.outbound];
    const effects = [...result.effects];
    for (let i = 0; result.awaitingAction; i++) {
      if (i >= MAX_ACTIONS_PER_TURN) throw new Error(`more than ${MAX_ACTIONS_PER_TURN} actions in one turn (flow ${result.state.flowId}); check the flow for a loop`);
      const { name, args } = result.awaitingAction;
      const handler = ownValue(deps.actions, name);
      let inbound: Inbound;
      if (!handler) {
        deps.logger.error({ action: name, flow: result.state.flowId }, 'flow calls an action that is not registered');
        inbound = { type: 'actionResult', ok: false, value: null, error: 'unknownAction' };
      } else {
        try {
          const pending = handler(args, { channel: msg.channel, userId: msg.userId, locale: result.state.locale, now });
          const value = await (probe ? probe.action(pending) : pending);
          inbound = { type: 'actionResult', ok: true, value };
        } catch (err) {
          // Without an error path in the flow, a failed action fails the whole turn: nothing is saved, the user
          // keeps their answers and can send the same message again.
          if (!result.awaitingAction.handlesErrors) throw err;
          deps.logger.error({ err, action: name }, 'action failed; the flow takes its onError path');
          inbound = { type: 'actionResult', ok: false, value: null, error: 'failed' };
        }
      }
      result = runTurn(deps.flows, result.state, inbound, ctx);
      outbound.push(...result.outbound);
      effects.push(...result.effects);
    }
    return { ...result, outbound, effects };
  }

  /**
   * One user's messages are handled one at a time: in this process the gate already orders them, so the lease is
   * busy only while another instance runs the same chat's turn (or a redelivery of this very message, which is
   * then answered from the record its commit leaves). Wait for it, briefly.
   */
  async function beginWithWait(msg: InboundMessage, owner: string): Promise<Begun> {
    const deadline = Date.now() + waitForTurnMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        return await deps.conversations.begin(msg.channel, msg.userId, msg.messageId, owner, deps.clock.now(), leaseMs);
      } catch (err) {
        if (!(err instanceof ConversationBusyError) || Date.now() + delay > deadline) throw err;
        await sleep(delay + Math.random() * delay);
      }
    }
  }
}

export type HandleInbound = ReturnType<typeof createInboundHandler>;

function ended(probe: TurnProbe | null, path: Parameters<TurnProbe['end']>[0], result: HandleResult): HandleResult {
  probe?.end(path);
  return result;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
