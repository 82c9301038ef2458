import { fileURLToPath } from 'node:url';
import { loadContent, type Content } from '../../src/app/loadContent.ts';
import { newConversation, runTurn } from '../../src/engine/index.ts';
import type { AnswerValue, ConversationState, Inbound, OutboundMessage, TurnContext } from '../../src/engine/types.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let cached: Content | undefined;
/** The real flows, templates and region tree of the repository (loaded once per test file). */
export function content(): Content {
  return (cached ??= loadContent({ root: ROOT, defaultLocale: 'zh-CN' }));
}

export type ActionFake = (args: Record<string, AnswerValue>, state: ConversationState) => AnswerValue;

/**
 * Drives the pure engine the way app/handleInbound does (actions fed back into the same turn), with actions
 * answered by plain functions. For engine tests only: integration tests use the real app and database.
 */
export class EngineHarness {
  state: ConversationState;
  now: Date;
  readonly sent: OutboundMessage[][] = [];

  constructor(
    readonly actions: Record<string, ActionFake> = defaultActions(),
    readonly c: Content = content(),
    opts: { now?: Date; images?: boolean; channel?: string } = {},
  ) {
    this.now = opts.now ?? new Date('2026-03-01T02:00:00Z');
    this.images = opts.images ?? false;
    this.state = newConversation(opts.channel ?? 'test', 'u1', 'zh-CN', this.now);
  }
  images: boolean;

  ctx(): TurnContext {
    return {
      now: this.now,
      translator: this.c.translator,
      defaultLocale: 'zh-CN',
      sessionTimeoutMs: 30 * 60_000,
      capabilities: { images: this.images },
      data: { regions: this.c.regions },
    };
  }

  send(input: string | Inbound): OutboundMessage[] {
    const inbound: Inbound = typeof input === 'string' ? { type: 'text', text: input } : input;
    let result = runTurn(this.c.flows, this.state, inbound, this.ctx());
    const out = [...result.outbound];
    while (result.awaitingAction) {
      const fake = this.actions[result.awaitingAction.name];
      if (!fake) throw new Error(`no fake for action ${result.awaitingAction.name}`);
      let actionInbound: Inbound;
      try {
        actionInbound = { type: 'actionResult', ok: true, value: fake(result.awaitingAction.args, result.state) };
      } catch (err) {
        actionInbound = { type: 'actionResult', ok: false, value: null, error: (err as Error).message };
      }
      result = runTurn(this.c.flows, result.state, actionInbound, this.ctx());
      out.push(...result.outbound);
    }
    this.state = { ...result.state, version: result.state.version + 1 };
    this.sent.push(out);
    return out;
  }

  /** All reply texts of one message, joined: the thing most assertions look at. */
  say(input: string | Inbound): string {
    return this.send(input)
      .map((m) => m.text)
      .join('\n---\n');
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

/** In-memory stand-ins for the worker actions; enough for the engine to walk the flows. */
export function defaultActions(): Record<string, ActionFake> {
  const byUser = new Map<string, Record<string, AnswerValue>>();
  const ids = new Map<string, string>();
  return {
    'worker.profile': (_args, state) => {
      const w = byUser.get(state.userId);
      return w ? { registered: true, ...w, registeredOn: '2026-03-01', regionName: String(w.region), idMasked: 'masked' } : { registered: false };
    },
    'worker.register': (args, state) => {
      const answers = args.answers as Record<string, AnswerValue>;
      const id = (answers.idNumber as Record<string, string>).number!;
      const owner = ids.get(id);
      if (owner && owner !== state.userId) return { status: 'duplicateId' };
      ids.set(id, state.userId);
      byUser.set(state.userId, { ...answers, gender: (answers.idNumber as Record<string, string>).gender! });
      return { status: 'registered' };
    },
    'worker.update': (args, state) => {
      const w = byUser.get(state.userId)!;
      const a = args.answers as Record<string, AnswerValue>;
      const field = String(a.pick);
      w[field] = a[field]!;
      return { status: 'updated' };
    },
  };
}

/** A valid 18-character ID number for a birth date and sequence (GB 11643 check digit computed here). */
export function makeIdNumber(region = '320102', birth = '19850312', seq = '123'): string {
  const body = `${region}${birth}${seq}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0);
  return body + '10X98765432'[sum % 11];
}
