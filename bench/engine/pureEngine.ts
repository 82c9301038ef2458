/**
 * Part 1 of bench:engine: the pure engine, one user after another on one core. 1a replays recorded action results
 * (runTurn alone, target ≥ 50,000 turns/s); 1b runs the real worker actions over in-memory repositories and counts
 * each turn's funnel events as the inbound pipeline does.
 */
import { createActions } from '../../src/app/actions/registry.ts';
import { createFunnelRecorder } from '../../src/app/funnels/recorder.ts';
import { noFunnel, type FunnelRecorder } from '../../src/app/ports/funnel.ts';
import { createLogger } from '../../src/infra/logger.ts';
import type { ActionRegistry } from '../../src/app/actions/types.ts';
import { loadContent, type Content } from '../../src/app/loadContent.ts';
import { newConversation, runTurn } from '../../src/engine/index.ts';
import type { ConversationState, Inbound, TurnContext } from '../../src/engine/types.ts';
import { createMemoryOrganizationRepository } from '../../test/support/memoryOrganizationRepository.ts';
import { createMemoryWorkerRepository } from '../../test/support/memoryWorkerRepository.ts';
import { fmt, heading, row, status } from '../support/report.ts';
import { ROOT, scriptFor, SUCCESS, TEMPLATE } from './script.ts';

const ENGINE_WARMUP_MS = 1_500;
const ENGINE_MEASURE_MS = 5_000;

interface EngineCounts {
  turns: number;
  steps: number;
  registrations: number;
  successes: number;
  stateBytes: number;
  /** Time spent in the funnel recorder's `turn` (events derived and counted in memory). */
  funnelMs: number;
}

async function playEngineUser(c: Content, actions: ActionRegistry, n: number, now: Date, counts: EngineCounts, measureState: boolean, funnel: FunnelRecorder): Promise<void> {
  let state: ConversationState = newConversation('bench', `u${n}`, 'zh-CN', now);
  const ctx: TurnContext = {
    now,
    translator: c.translator,
    defaultLocale: 'zh-CN',
    sessionTimeoutMs: 30 * 60_000,
    capabilities: { images: false },
    data: { regions: c.regions },
  };
  let succeeded = false;
  for (const text of scriptFor(n)) {
    let result = runTurn(c.flows, state, { type: 'text', text }, ctx);
    counts.steps++;
    if (!succeeded) succeeded = result.outbound.some((m) => m.text.includes(SUCCESS));
    while (result.awaitingAction) {
      const action = actions[result.awaitingAction.name];
      if (!action) throw new Error(`no action ${result.awaitingAction.name}`);
      const s = result.state;
      let inbound: Inbound;
      try {
        const value = await action(result.awaitingAction.args, { channel: s.channel, userId: s.userId, locale: s.locale, now });
        inbound = { type: 'actionResult', ok: true, value };
      } catch (err) {
        inbound = { type: 'actionResult', ok: false, value: null, error: (err as Error).message };
      }
      result = runTurn(c.flows, result.state, inbound, ctx);
      counts.steps++;
      if (!succeeded) succeeded = result.outbound.some((m) => m.text.includes(SUCCESS));
    }
    // What the inbound pipeline does after each turn: count the funnel events (in memory).
    const f0 = performance.now();
    funnel.turn({ before: state, after: result, now });
    counts.funnelMs += performance.now() - f0;
    state = { ...result.state, version: result.state.version + 1 };
    counts.turns++;
    if (measureState) {
      const { channel: _c, userId: _u, flowId: _f, flowVersion: _v, stepId: _s, locale: _l, updatedAt: _t, version: _n, ...sealed } = state;
      counts.stateBytes = Math.max(counts.stateBytes, Buffer.byteLength(JSON.stringify(sealed)));
    }
  }
  counts.registrations++;
  if (succeeded) counts.successes++;
}

/**
 * The engine alone: the same scripts, with every action answered from a recording of one real run (the action
 * sequence of the script is the same for every user), synchronously. This is runTurn's own throughput.
 */
async function recordActionResults(c: Content, now: Date): Promise<Inbound[]> {
  const recorded: Inbound[] = [];
  const real = createActions({ workers: createMemoryWorkerRepository(), organizations: createMemoryOrganizationRepository(), regions: c.regions });
  const recording: ActionRegistry = Object.fromEntries(
    Object.entries(real).map(([name, action]) => [
      name,
      async (args: Parameters<typeof action>[0], ctx: Parameters<typeof action>[1]) => {
        const value = await action(args, ctx);
        recorded.push({ type: 'actionResult', ok: true, value });
        return value;
      },
    ]),
  );
  await playEngineUser(c, recording, 0, now, { turns: 0, steps: 0, registrations: 0, successes: 0, stateBytes: 0, funnelMs: 0 }, false, noFunnel);
  return recorded;
}

function playEngineUserReplayed(c: Content, replies: Inbound[], n: number, ctx: TurnContext, counts: EngineCounts): void {
  let state: ConversationState = newConversation('bench', `u${n}`, 'zh-CN', ctx.now);
  let next = 0;
  for (const text of scriptFor(n)) {
    let result = runTurn(c.flows, state, { type: 'text', text }, ctx);
    counts.steps++;
    while (result.awaitingAction) {
      result = runTurn(c.flows, result.state, replies[next++]!, ctx);
      counts.steps++;
    }
    state = { ...result.state, version: result.state.version + 1 };
    counts.turns++;
  }
  counts.registrations++;
}

export async function benchEngineOnly(): Promise<void> {
  heading('1a. Engine only — runTurn through the registration flow, one core (action results replayed)');
  const c = loadContent({ root: ROOT, defaultLocale: 'zh-CN' });
  const now = new Date('2026-03-01T02:00:00Z');
  const replies = await recordActionResults(c, now);
  const ctx: TurnContext = { now, translator: c.translator, defaultLocale: 'zh-CN', sessionTimeoutMs: 30 * 60_000, capabilities: { images: false }, data: { regions: c.regions } };
  const zero = (): EngineCounts => ({ turns: 0, steps: 0, registrations: 0, successes: 0, stateBytes: 0, funnelMs: 0 });
  let n = 0;
  status(`engine-only warm-up ${ENGINE_WARMUP_MS / 1000} s`);
  for (const end = performance.now() + ENGINE_WARMUP_MS; performance.now() < end; n++) playEngineUserReplayed(c, replies, n, ctx, zero());
  status(`engine-only measuring ${ENGINE_MEASURE_MS / 1000} s`);
  const counts = zero();
  const t0 = performance.now();
  let elapsed = 0;
  while ((elapsed = performance.now() - t0) < ENGINE_MEASURE_MS) playEngineUserReplayed(c, replies, n++, ctx, counts);
  const turnsPerS = counts.turns / (elapsed / 1000);
  row('registrations played', fmt(counts.registrations));
  row('turns/s (one user message = one turn)', fmt(turnsPerS));
  row('mean time per turn', `${fmt((elapsed * 1000) / counts.turns, 1)} µs`);
  row('target ≥ 50,000 turns/s', turnsPerS >= 50_000 ? 'PASS' : 'BELOW');
}

export async function benchEngine(): Promise<void> {
  heading('1b. Engine with the real actions — registration flow, one core (in-memory worker repository)');
  const c = loadContent({ root: ROOT, defaultLocale: 'zh-CN' });
  const now = new Date('2026-03-01T02:00:00Z');
  const fresh = () => createActions({ workers: createMemoryWorkerRepository(), organizations: createMemoryOrganizationRepository(), regions: c.regions });
  const zero = (): EngineCounts => ({ turns: 0, steps: 0, registrations: 0, successes: 0, stateBytes: 0, funnelMs: 0 });

  // The pipeline's funnel counting, flushed to nowhere: its cost per message is part of these figures.
  const funnel = createFunnelRecorder({ store: { add: async () => undefined, read: async () => [], versions: async () => [] }, sessionTimeoutMs: 30 * 60_000, flushEveryMs: 5_000, logger: createLogger('silent') });
  let n = 0;
  status(`engine warm-up ${ENGINE_WARMUP_MS / 1000} s`);
  const warm = zero();
  let actions = fresh();
  for (const end = performance.now() + ENGINE_WARMUP_MS; performance.now() < end; n++) await playEngineUser(c, actions, n, now, warm, n < 3, funnel);

  status(`engine measuring ${ENGINE_MEASURE_MS / 1000} s`);
  actions = fresh();
  const counts = zero();
  const t0 = performance.now();
  let elapsed = 0;
  while ((elapsed = performance.now() - t0) < ENGINE_MEASURE_MS) {
    // A fresh repository every 5,000 users keeps its maps from growing without bound (users never collide anyway).
    if (counts.registrations % 5_000 === 4_999) actions = fresh();
    await playEngineUser(c, actions, n++, now, counts, false, funnel);
  }
  const turnsPerS = counts.turns / (elapsed / 1000);
  row('user messages (turns) per script', fmt(TEMPLATE.length));
  row('registrations played', fmt(counts.registrations), `${fmt(counts.successes)} reached "${SUCCESS}"`);
  row('measured for', `${fmt(elapsed / 1000, 2)} s`);
  row('turns/s (one user message = one turn)', fmt(turnsPerS));
  row('engine steps incl. action resumptions/s', fmt(counts.steps / (elapsed / 1000)), `(${fmt(counts.steps / counts.turns, 2)} runTurn calls per turn)`);
  row('mean time per turn', `${fmt((elapsed * 1000) / counts.turns, 1)} µs`);
  row('of which funnel counting per turn', `${fmt((counts.funnelMs * 1000) / counts.turns, 2)} µs`, '(the inbound pipeline\'s FunnelRecorder.turn)');
  row('largest sealed state (JSON, warm-up users)', `${fmt(warm.stateBytes)} B`);
  row('(the 50,000 target is for the engine alone, 1a)', '');
  await funnel.stop();
}
