import type { Answer } from '../../domain/broadcasts/broadcast.ts';
import { deliveryIdOf } from '../../domain/broadcasts/delivery.ts';
import type { Enrolment } from '../../domain/training/types.ts';
import type { BroadcastDeps } from './deps.ts';

/**
 * The answer an enrolment stands for: a seat is 报名; a place in line, or a seat held but not yet taken, is
 * waiting; a seat or place given up (取消报名) or an offer let lapse is 不参加, since the worker will not come.
 * Null: no enrolment, nothing to follow.
 */
export function answerOf(e: Enrolment | null): Answer | null {
  switch (e?.state) {
    case 'enrolled':
      return 'enrol';
    case 'waiting':
    case 'offered':
      return 'waiting';
    case 'cancelled':
    case 'expired':
      return 'decline';
    default:
      return null;
  }
}

type FollowDeps = Pick<BroadcastDeps, 'broadcasts' | 'deliveries'>;

/**
 * Moves a recorded answer to what the enrolment is now, with the notice's counters; a lost race leaves both as
 * the winner wrote them (the move is conditional on the answer it leaves). Returns the answer now recorded.
 */
export async function follow(deps: FollowDeps, deliveryId: string, broadcastId: string, before: Answer | null, to: Answer | null, at: Date): Promise<Answer | null> {
  if (before === null || to === null || before === to) return before;
  if (!(await deps.deliveries.changeAnswer(deliveryId, before, to, at))) return before;
  await deps.broadcasts.inc(broadcastId, { [`answers.${before}`]: -1, [`answers.${to}`]: 1 });
  return to;
}

/**
 * Told of every change to a worker's enrolment that happens without a reply to the notice (a seat taken up
 * under 培训, 取消报名, an offer that lapsed): the answers of the notices that offered that session move with it,
 * so their counters no longer wait for the worker to reply again. Only answered notices move: one never answered
 * stays unanswered. Two indexed reads when the session has notices, one when it has none.
 */
export function followEnrolment(deps: FollowDeps & Pick<BroadcastDeps, 'training' | 'clock'>) {
  return async (sessionId: string, workerId: string): Promise<void> => {
    const broadcastIds = await deps.broadcasts.offeringSession(sessionId);
    if (!broadcastIds.length) return;
    const answered = await deps.deliveries.answeredOf(broadcastIds.map((id) => deliveryIdOf(id, workerId)));
    if (!answered.length) return;
    const to = answerOf(await deps.training.training.enrolment(sessionId, workerId));
    const now = deps.clock.now();
    for (const d of answered) await follow(deps, d.id, d.broadcastId, d.answer, to, now);
  };
}
