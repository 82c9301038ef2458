import type { Broadcast } from '../../domain/broadcasts/broadcast.ts';

/** A broadcast as the admin API answers it (the contract's `Broadcast`): times as ISO strings. */
export function broadcastView(b: Broadcast) {
  const { fannedOut: _f, sendAt, expiresAt, createdAt, startedAt, finishedAt, ...rest } = b;
  return {
    ...rest,
    ...(sendAt ? { sendAt: sendAt.toISOString() } : {}),
    ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
    createdAt: createdAt.toISOString(),
    ...(startedAt ? { startedAt: startedAt.toISOString() } : {}),
    ...(finishedAt ? { finishedAt: finishedAt.toISOString() } : {}),
  };
}
export type BroadcastView = ReturnType<typeof broadcastView>;
