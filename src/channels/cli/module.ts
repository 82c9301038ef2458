import { randomUUID } from 'node:crypto';
import type { HandleResult } from '../../app/handleInbound.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import { bool } from '../../infra/envFields.ts';
import { defineChannel, type ChannelModule } from '../module.ts';

export const CLI_CHANNEL = 'cli';

/** Where the terminal chat shows messages the bot sends on its own. */
export type CliDisplay = (messages: OutboundMessage[]) => void;

/**
 * The terminal chat when it runs the app in its own process (`npm run chat` with no server to talk to): one user
 * at a time is attached to the terminal; turns go straight to the pipeline, pushes straight to the screen.
 */
export interface CliChannel extends ChannelModule {
  attach(userId: string, display: CliDisplay): void;
  /** One turn as the attached user. */
  say(text: string): Promise<HandleResult>;
}

export function isCliChannel(m: ChannelModule | undefined): m is CliChannel {
  return m?.id === CLI_CHANNEL;
}

export const cliChannel = defineChannel({
  id: CLI_CHANNEL,
  // Set by the terminal chat itself when it starts the app in-process; a server has no terminal to attach.
  settings: { CLI_ENABLED: bool('CLI_ENABLED').default(false) },
  create(ctx, settings): CliChannel | null {
    if (!settings.CLI_ENABLED) return null;
    let attached: { userId: string; display: CliDisplay } | null = null;
    let stopped = false;
    return {
      id: CLI_CHANNEL,
      capabilities: { images: false },
      sender: {
        async send(_channel, userId, messages) {
          if (!attached || attached.userId !== userId) return { ok: false, permanent: false, reason: 'the terminal chat is not attached to this user' };
          attached.display(messages);
          return { ok: true };
        },
      },
      // Direct while the user sits at the terminal; nothing is kept for later.
      reach: { reach: async (userId) => (attached?.userId === userId ? { reachable: true, how: 'direct' } : { reachable: false, reason: 'notConnected' }) },
      attach(userId, display) {
        if (!stopped) attached = { userId, display };
      },
      async say(text) {
        if (stopped || !attached) throw new Error('the terminal chat is not attached (or the app is stopping)');
        return ctx.handleInbound({ channel: CLI_CHANNEL, userId: attached.userId, messageId: randomUUID(), input: { type: 'text', text } });
      },
      start: async () => undefined,
      async stop() {
        stopped = true;
        attached = null;
      },
    };
  },
});
