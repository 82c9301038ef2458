/** What an admin may do to a broadcast in its present state; the API decides, the page only offers. */
import type { Broadcast } from './types.ts';

export type BroadcastAction = 'edit' | 'dryRun' | 'testSend' | 'send' | 'approve' | 'pause' | 'resume' | 'cancel' | 'decideUnknown';

export function availableActions(b: Pick<Broadcast, 'status' | 'createdBy' | 'counts' | 'inFlight'>, adminId: string | undefined): BroadcastAction[] {
  const out: BroadcastAction[] = [];
  switch (b.status) {
    case 'draft':
      out.push('edit', 'dryRun', 'testSend', 'send', 'cancel');
      break;
    case 'awaitingApproval':
      // The creator cannot approve their own notice (the API answers 403); a second admin must.
      if (b.createdBy?.id !== adminId) out.push('approve');
      out.push('cancel');
      break;
    case 'scheduled':
      out.push('cancel');
      break;
    case 'sending':
      out.push('pause', 'cancel');
      break;
    case 'paused':
      out.push('resume', 'cancel');
      break;
    default:
      break;
  }
  if ((b.counts?.unknown ?? 0) > 0 && b.status !== 'cancelled') out.push('decideUnknown');
  return out;
}

/** Actions that change what recipients get, asked for confirmation first. */
export const CONFIRMED: readonly BroadcastAction[] = ['send', 'approve', 'pause', 'resume', 'cancel', 'decideUnknown'];
