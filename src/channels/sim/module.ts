import { bool } from '../../infra/envFields.ts';
import { defineChannel, gatedRoutes, type ChannelModule } from '../module.ts';
import { SIM_CHANNEL, SIM_USER_ID, simRouter } from './routes.ts';

/** The web simulator (/sim): replies in the HTTP response, pushes kept in the outbox until the page fetches them. */
export const simChannel = defineChannel({
  id: SIM_CHANNEL,
  settings: { SIM_ENABLED: bool('SIM_ENABLED').default(true) },
  create(ctx, settings): ChannelModule | null {
    if (!settings.SIM_ENABLED) return null;
    const outbox = ctx.stores.simOutbox();
    let stopped = false;
    return {
      id: SIM_CHANNEL,
      // Pictures cannot be sent from the simulator page.
      capabilities: { images: false },
      routes: gatedRoutes(simRouter(ctx.handleInbound, outbox), () => !stopped),
      sender: outbox,
      // Every push waits in the outbox, so any simulator user can be reached.
      reach: { reach: async (userId) => (SIM_USER_ID.test(userId) ? { reachable: true, how: 'direct' } : { reachable: false, reason: 'unknownUser' }) },
      start: () => ctx.stores.ready(),
      async stop() {
        stopped = true;
      },
    };
  },
});
