import type { MediaSource } from '../app/ports/media.ts';
import type { Reach } from '../app/ports/reach.ts';
import type { Sender } from '../app/ports/sender.ts';
import type { ChannelModule } from './module.ts';

/** What the app looks channels up in at send time: filled here, read by `senderByChannel` / `reachByChannel`. */
export interface ChannelRegistry {
  channels: Map<string, ChannelModule>;
  senders: Record<string, Sender>;
  mediaSources: Record<string, MediaSource>;
  reaches: Record<string, Reach>;
}

/**
 * Registers the enabled channels, starts them, and only then starts the jobs. The order is the point: a job due
 * at start (a broadcast resumed after a crash, a reminder sweep) sends through the channels' senders and asks
 * their reach, which exist only once the channels are registered; started the other way round, a resumed
 * broadcast's first batch found no channel and was skipped as unreachable.
 */
export async function startChannelsThenJobs(o: {
  created: Iterable<ChannelModule>;
  registry: ChannelRegistry;
  /** Each channel whose start() completed is added here (the caller stops them on shutdown). */
  started: ChannelModule[];
  /** Run after registering, before the channels start (the channel stores' indexes). */
  beforeStart?: () => Promise<void>;
  startJobs: () => Promise<void>;
}): Promise<void> {
  for (const channel of o.created) {
    o.registry.channels.set(channel.id, channel);
    if (channel.sender) o.registry.senders[channel.id] = channel.sender;
    if (channel.media) o.registry.mediaSources[channel.media.scheme] = channel.media.source;
    o.registry.reaches[channel.id] = channel.reach;
  }
  await o.beforeStart?.();
  for (const channel of o.registry.channels.values()) {
    await channel.start();
    o.started.push(channel);
  }
  await o.startJobs();
}
