import { fileURLToPath } from 'node:url';
import { loadContent, type Content } from '../../src/app/loadContent.ts';
import { newConversation, runTurn } from '../../src/engine/index.ts';
import type { AnswerValue, ConversationState, Inbound, OutboundMessage, TurnContext } from '../../src/engine/types.ts';
import { createActions } from '../../src/app/actions/registry.ts';
import { idNumberCheckChar } from '../../src/domain/identity/idNumber.ts';
import type { ActionRegistry } from '../../src/app/actions/types.ts';
import { createMemoryWorkerRepository } from './memoryWorkerRepository.ts';
import { createMemoryOrganizationRepository } from './memoryOrganizationRepository.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let cached: Content | undefined;
/** The real flows, templates and region tree of the repository (loaded once per test file). */
export function content(): Content {
  return (cached ??= loadContent({ root: ROOT, defaultLocale: 'zh-CN' }));
}


/**
 * Drives the pure engine the way app/handleInbound does (actions fed back into the same turn), with actions
 * answered by plain functions. For engine tests only: integration tests use the real app and database.
 */
export class EngineHarness {
  state: ConversationState;
  now: Date;
  readonly sent: OutboundMessage[][] = [];

  constructor(
    readonly actions: ActionRegistry = defaultActions(),
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

  async send(input: string | Inbound): Promise<OutboundMessage[]> {
    const inbound: Inbound = typeof input === 'string' ? { type: 'text', text: input } : input;
    let result = runTurn(this.c.flows, this.state, inbound, this.ctx());
    const out = [...result.outbound];
    while (result.awaitingAction) {
      const action = this.actions[result.awaitingAction.name];
      if (!action) throw new Error(`no action ${result.awaitingAction.name}`);
      let actionInbound: Inbound;
      const s = result.state;
      try {
        const value = await action(result.awaitingAction.args, { channel: s.channel, userId: s.userId, locale: s.locale, now: this.now });
        actionInbound = { type: 'actionResult', ok: true, value };
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
  async say(input: string | Inbound): Promise<string> {
    return (await this.send(input))
      .map((m) => m.text)
      .join('\n---\n');
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

/**
 * The real worker actions (app/actions) over in-memory repositories. The certification actions, which need the
 * certification stores, answer as for a worker with no application yet; their real behaviour is tested with the
 * database (test/e2e/certification-journey.test.ts).
 */
export function defaultActions(): ActionRegistry {
  const workers = createMemoryWorkerRepository();
  const registered = async (ctx: { channel: string; userId: string }) => (await workers.findByAccount(ctx.channel, ctx.userId)) !== null;
  return {
    ...createActions({ workers, organizations: createMemoryOrganizationRepository(), regions: content().regions }),
    'certification.status': async (_args, ctx): Promise<AnswerValue> => ((await registered(ctx)) ? { registered: true, text: '注册：已完成。' } : { registered: false }),
    'certification.levels': async (_args, ctx): Promise<AnswerValue> => ((await registered(ctx)) ? { registered: true, policy: null } : { registered: false }),
    'certification.certificates': async (_args, ctx): Promise<AnswerValue> => ((await registered(ctx)) ? { registered: true, count: 0, text: '您还没有资格证书。' } : { registered: false }),
    'certification.declare': async (): Promise<AnswerValue> => ({ status: 'noPolicy' }),
  };
}

/** A valid 18-character ID number for a birth date and sequence (the check character from the domain's own rule). */
export function makeIdNumber(region = '320102', birth = '19850312', seq = '123'): string {
  const body = `${region}${birth}${seq}`;
  return body + idNumberCheckChar(body);
}
