import type { OutboundMessage } from '../../engine/types.ts';
import type { BroadcastDeps } from './deps.ts';
import { noticeMessage } from './message.ts';
import { ANSWER_WINDOW_MS } from './replies.ts';

/** At most this many notices are shown at once: a front end lists them above the chat. */
const MAX_OPEN = 5;

/**
 * The notices a worker can still answer (sent with 报名 / 不参加, not answered, of the last two weeks), newest
 * first, rendered again as they were sent. A platform whose own push cannot carry buttons (the mini program's
 * subscribe message shows a line of text) shows these in its front end, where a tap answers as a button does.
 */
export function openNotices(deps: Pick<BroadcastDeps, 'deliveries' | 'broadcasts' | 'training' | 'translator'>) {
  return async function notices(channel: string, userId: string, now: Date): Promise<OutboundMessage[]> {
    const open = await deps.deliveries.listAwaiting(channel, userId, new Date(now.getTime() - ANSWER_WINDOW_MS), MAX_OPEN);
    const out: OutboundMessage[] = [];
    for (const d of open) {
      const b = await deps.broadcasts.get(d.broadcastId);
      if (!b?.sessionId) continue;
      out.push(noticeMessage(deps, b, d, await deps.training.training.get(b.sessionId)));
    }
    return out;
  };
}
