import { randomUUID } from 'node:crypto';
import type { FlowRegistry } from '../engine/flow/registry.ts';
import { newConversation, runTurn } from '../engine/index.ts';
import type { ChannelCapabilities, ConversationState, Inbound, OutboundMessage, Translator, TurnContext, TurnResult } from '../engine/types.ts';
import type { RegionNode } from '../domain/regions/regions.ts';
import { ownValue } from '../domain/records/ownValue.ts';
import type { Logger } from '../infra/logger.ts';
import type { ActionRegistry } from './actions/types.ts';
import type { Clock } from './ports/clock.ts';
import { ConversationBusyError, type ConversationStore } from './ports/conversationStore.ts';
import type { FunnelRecorder } from './ports/funnel.ts';
import type { InboundLog } from './ports/inboundLog.ts';
import type { TurnMetrics } from './ports/metrics.ts';

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
}

export interface HandleInboundDeps {
  flows: FlowRegistry;
  translator: Translator;
  regions: RegionNode[];
  conversations: ConversationStore;
  inbox: InboundLog;
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
  };
  capabilities(channel: string): ChannelCapabilities;
  /**
   * The user switched language in this turn: remembered beyond the conversation (which expires), so that pushes
   * weeks later reach them in it. A failure is logged; the turn's reply is not affected.
   */
  onLocaleChange?: (channel: string, userId: string, locale: string) => Promise<void>;
}

const MAX_ACTIONS_PER_TURN = 20;

/**
 * The inbound pipeline, the same for every channel: dedupe by (channel, messageId) → take the user's lease →
 * run the turn (feeding action results back into it) → one atomic state write that also releases the lease →
 * hand the replies back for sending. A failure anywhere before the write leaves the stored conversation as it was.
 */
export function createInboundHandler(deps: HandleInboundDeps) {
  const leaseMs = deps.settings.leaseMs ?? 30_000;
  const waitForTurnMs = deps.settings.waitForTurnMs ?? 15_000;

  return async function handleInbound(msg: InboundMessage): Promise<HandleResult> {
    const started = performance.now();
    const now = deps.clock.now();

    if (msg.input.type === 'text' && [...msg.input.text].length > deps.settings.maxMessageLength) {
      // Refused before anything is stored: the conversation stays where it was.
      const text = deps.translator.t(deps.settings.defaultLocale, 'common:tooLong', { length: [...msg.input.text].length, max: deps.settings.maxMessageLength });
      return { replies: [{ text }], duplicate: false };
    }

    if (!(await deps.inbox.claim(msg.channel, msg.messageId, now))) {
      deps.metrics.dedupeHit(msg.channel);
      return { replies: await repliesOfRepeat(msg), duplicate: true };
    }

    const owner = randomUUID();
    let state: ConversationState | null;
    try {
      state = await acquireWithWait(msg, owner);
    } catch (err) {
      await deps.inbox.abandon(msg.channel, msg.messageId);
      if (err instanceof ConversationBusyError) {
        deps.metrics.error('busy');
        return { replies: [{ text: deps.translator.t(deps.settings.defaultLocale, 'common:busy') }], duplicate: false };
      }
      throw err;
    }

    try {
      const current = state ?? newConversation(msg.channel, msg.userId, deps.settings.defaultLocale, now);
      const result = await runWithActions(current, msg, now);
      await deps.conversations.commit(result.state, owner, { messageId: msg.messageId, replies: result.outbound });
      deps.funnel?.turn({ before: current, after: result, now });
      if (result.state.locale !== current.locale && deps.onLocaleChange) {
        await deps.onLocaleChange(msg.channel, msg.userId, result.state.locale).catch((err: unknown) => deps.logger.warn({ err, channel: msg.channel }, 'could not record the chosen language'));
      }
      deps.metrics.turn(msg.channel, (performance.now() - started) / 1000);
      return { replies: result.outbound, duplicate: false };
    } catch (err) {
      deps.metrics.error('turn');
      deps.logger.error({ err, channel: msg.channel, step: state?.stepId, flow: state?.flowId }, 'turn failed; conversation left unchanged');
      await deps.conversations.release(msg.channel, msg.userId, owner).catch(() => undefined);
      await deps.inbox.abandon(msg.channel, msg.messageId).catch(() => undefined);
      const locale = state?.locale ?? deps.settings.defaultLocale;
      return { replies: [{ text: deps.translator.t(locale, 'common:internalError') }], duplicate: false };
    }
  };

  async function runWithActions(state: ConversationState, msg: InboundMessage, now: Date): Promise<TurnResult> {
    const ctx: TurnContext = {
      now,
      translator: deps.translator,
      defaultLocale: deps.settings.defaultLocale,
      sessionTimeoutMs: deps.settings.sessionTimeoutMs,
      capabilities: deps.capabilities(msg.channel),
      data: { regions: deps.regions },
    };
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
          const value = await handler(args, { channel: msg.channel, userId: msg.userId, locale: result.state.locale, now });
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

  /** One user's messages are handled one at a time; a second one waits (briefly) for the first. */
  async function acquireWithWait(msg: InboundMessage, owner: string): Promise<ConversationState | null> {
    const deadline = Date.now() + waitForTurnMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        return await deps.conversations.acquire(msg.channel, msg.userId, owner, deps.clock.now(), leaseMs);
      } catch (err) {
        if (!(err instanceof ConversationBusyError) || Date.now() + delay > deadline) throw err;
        await sleep(delay + Math.random() * delay);
      }
    }
  }

  /**
   * A redelivered message. If it is the conversation's last one, its replies are sent again (a platform retry
   * still gets its answer); while the first delivery is still running, wait for it rather than run the turn
   * twice. A message that is neither (answered long ago, or whose first delivery failed) gets no replies.
   */
  async function repliesOfRepeat(msg: InboundMessage): Promise<OutboundMessage[]> {
    const deadline = Date.now() + waitForTurnMs;
    let idleChecks = 0;
    for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 200)) {
      const { last, busy } = await deps.conversations.lastReply(msg.channel, msg.userId, deps.clock.now());
      if (last?.messageId === msg.messageId) return last.replies;
      if (!(await deps.inbox.seen(msg.channel, msg.messageId))) return []; // the first delivery failed and was forgotten
      // Not busy twice in a row: nothing is processing this message (the first delivery may sit between its
      // claim and its lease for a moment, hence the second look).
      if (!busy && ++idleChecks >= 2) return [];
      if (busy) idleChecks = 0;
      await sleep(delay);
    }
    return [];
  }
}

export type HandleInbound = ReturnType<typeof createInboundHandler>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
