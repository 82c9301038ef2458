import Router from '@koa/router';
import type { z } from 'zod';
import type { ActionHandler } from '../app/actions/types.ts';
import type { HandleInbound } from '../app/handleInbound.ts';
import type { Clock } from '../app/ports/clock.ts';
import type { MediaSource } from '../app/ports/media.ts';
import type { Reach } from '../app/ports/reach.ts';
import type { ReplayGuard } from '../app/ports/replayGuard.ts';
import type { Sender } from '../app/ports/sender.ts';
import type { WorkerRepository } from '../app/ports/workerRepository.ts';
import type { RegionNode } from '../domain/regions/regions.ts';
import type { ChannelCapabilities, OutboundMessage, Translator } from '../engine/types.ts';
import { HttpError } from '../http/errors.ts';
import type { Logger } from '../infra/logger.ts';
import { waitAtMost } from '../infra/waitAtMost.ts';
import type { ChannelStores } from './ports.ts';

/**
 * One channel as main.ts sees it. Every channel (WeChat OA and mini program, Telegram, the simulator, the terminal
 * chat) has this shape, so main builds the enabled ones from the list in channels/index.ts and loops over them.
 */
export interface ChannelModule {
  /** The channel id of its inbound messages and of its users' conversations (`wechat-oa`, `telegram`, ...). */
  readonly id: string;
  /** What the flows may use on this channel (pictures, ...). */
  readonly capabilities: ChannelCapabilities;
  /** Its HTTP routes (webhooks, the simulator page, the mini program API); none for the terminal chat. */
  readonly routes?: Router;
  /** Messages the bot sends on its own to this channel's users. */
  readonly sender?: Sender;
  /** Where pictures referenced as `<scheme>:...` are fetched from. */
  readonly media?: { scheme: string; source: MediaSource };
  /** "Can I reach this user now, and how". */
  readonly reach: Reach;
  /** Called once before the server listens (indexes, background work). */
  start(): Promise<void>;
  /** Refuse new work, finish what was accepted. Main bounds how long it waits. Calling it twice is harmless. */
  stop(): Promise<void>;
  /** Run from the housekeeping job (purges for databases that ignore TTL indexes). */
  housekeeping?(now: Date): Promise<void>;
}

/** What main hands every channel: the pipeline, the channels' stores and what the mini program's API reads. */
export interface ChannelContext {
  handleInbound: HandleInbound;
  logger: Logger;
  clock: Clock;
  stores: ChannelStores;
  /** (timestamp, nonce) pairs of WeChat pushes already used, shared by every instance. */
  replayGuard: ReplayGuard;
  workers: WorkerRepository;
  regions: RegionNode[];
  translator: Translator;
  /** The `certification.status` action (the mini program's GET /mp/api/status). */
  status: ActionHandler;
  defaultLocale: 'zh-CN' | 'en';
  /** Broadcast notices a user can still answer, for front ends whose platform push carries no buttons. */
  notices?: (channel: string, userId: string, now: Date) => Promise<OutboundMessage[]>;
  /** How long a channel's stop may wait for work in flight. */
  shutdownTimeoutMs: number;
}

/**
 * A channel in the list: its own environment variables (merged into the app's configuration by config.ts), the
 * checks across them, and how to build it; `create` returns null when the channel's settings leave it off.
 */
export interface ChannelDefinition<S extends z.ZodRawShape> {
  id: string;
  settings: S;
  check?(settings: z.output<z.ZodObject<S>>): string[];
  create(ctx: ChannelContext, settings: z.output<z.ZodObject<S>>): ChannelModule | null;
}

export function defineChannel<S extends z.ZodRawShape>(definition: ChannelDefinition<S>): ChannelDefinition<S> {
  return definition;
}

/** `inner`'s routes, answering 503 once `open()` turns false (the channel is stopping). */
export function gatedRoutes(inner: Router, open: () => boolean): Router {
  const router = new Router();
  // Router middleware runs only for requests one of the routes matches; other paths pass by untouched.
  router.use(async (_ctx, next) => {
    if (!open()) throw new HttpError(503, 'this channel is shutting down; try again in a moment');
    await next();
  });
  router.use(inner.routes(), inner.allowedMethods());
  return router;
}

/** Stops the channels in reverse order of start, each bounded by `timeoutMs`; a failing stop does not stop the rest. */
export async function stopChannels(modules: readonly ChannelModule[], timeoutMs: number, logger: Logger): Promise<void> {
  for (const m of [...modules].reverse()) {
    try {
      if ((await waitAtMost(m.stop(), timeoutMs)) === 'timeout') logger.warn({ channel: m.id, timeoutMs }, 'channel did not stop in time; going on');
    } catch (err) {
      logger.error({ err, channel: m.id }, 'error while stopping a channel');
    }
  }
}
