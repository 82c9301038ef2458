import type { ConversationState, OutboundMessage } from '../../engine/types.ts';
import type { BackToFlow } from '../backToFlow.ts';
import type { InboundMessage } from '../handleInbound.ts';
import { enrol, whereTheyStand } from '../training/workerTraining.ts';
import { answerOf, follow } from './answerFollows.ts';
import type { BroadcastDeps } from './deps.ts';
import { CHOICE } from './message.ts';

const ENROL_WORDS = ['报名', 'enrol', 'enroll', 'sign up'];
const DECLINE_WORDS = ['不参加', '不去', 'decline', 'no thanks'];
/** A reply by number or word acts on notices of the last two weeks; a button names its broadcast itself. */
export const ANSWER_WINDOW_MS = 14 * 86_400_000;

/**
 * What a message answers if it is an answer to a broadcast, without I/O: by button (its id names the broadcast)
 * or by word or number. Null: not a broadcast answer (the inbound pipeline runs such turns without the lease).
 * A number may still belong to a flow's own numbered question: `createBroadcastReplies` decides that once it has
 * read the notice's time.
 */
export function broadcastAnswerOf(msg: InboundMessage): { choice: 'enrol' | 'decline'; broadcastId?: string; button: boolean; byNumber: boolean } | null {
  const raw = msg.input.type === 'choice' ? msg.input.choiceId : msg.input.type === 'text' ? msg.input.text.trim() : null;
  if (raw === null) return null;
  const button = CHOICE.exec(raw);
  if (button) return { choice: button[2] as 'enrol' | 'decline', broadcastId: button[1], button: true, byNumber: false };
  const word = raw.toLowerCase();
  if (ENROL_WORDS.includes(word)) return { choice: 'enrol', button: false, byNumber: false };
  if (DECLINE_WORDS.includes(word)) return { choice: 'decline', button: false, byNumber: false };
  if (word === '1' || word === '2') return { choice: word === '1' ? 'enrol' : 'decline', button: false, byNumber: true };
  return null;
}

/**
 * Whether the broadcast replies may answer this message, without I/O (the inbound pipeline's `mayIntercept`). A
 * bare number inside a flow is the flow's unless a notice came after the flow's last turn; that case is left to
 * the conversation store, which will not write a turn on a remembered state older than a notice sent to the chat
 * (ConversationStore.noticeSent), so such a number takes the long way, where these replies see the notice.
 */
export function mayBeBroadcastAnswer(msg: InboundMessage, state: ConversationState): boolean {
  const asked = broadcastAnswerOf(msg);
  return asked !== null && !(asked.byNumber && state.flowId);
}

/**
 * A worker's answer to a broadcast that offered 报名 / 不参加: by button (its id names the broadcast), or by
 * word or number for the latest unanswered notice, else the latest answered one. 报名 goes through the training
 * use case (a seat or the waiting list, idempotent: a second 报名 says it was answered and where the worker
 * stands); 不参加 is recorded, and a later 报名 turns it into an enrolment. Each delivery counts one answer, and
 * that answer follows the enrolment (a seat from the waiting list makes it 报名, a seat given up makes it 不参加):
 * here, when the worker replies, and through answerFollows.ts as soon as the enrolment changes.
 * Numbers are taken outside a flow, or inside one when the notice came after the flow's last turn. Null: not an
 * answer to a broadcast, the flows answer it (indexed reads, only for messages that look like an answer).
 */
export function createBroadcastReplies(deps: BroadcastDeps, opts: { backToFlow?: BackToFlow } = {}) {
  return async function broadcastReply(msg: InboundMessage, state: ConversationState, now: Date): Promise<{ state: ConversationState; replies: OutboundMessage[] } | null> {
    const asked = broadcastAnswerOf(msg);
    if (!asked) return null;
    const { choice, broadcastId, button, byNumber } = asked;
    const since = new Date(now.getTime() - ANSWER_WINDOW_MS);
    const delivery = (await deps.deliveries.awaitingAnswer(msg.channel, msg.userId, since, broadcastId)) ?? (await deps.deliveries.answered(msg.channel, msg.userId, since, broadcastId));
    const t = (k: string, p?: Record<string, unknown>) => deps.translator.t(state.locale, `broadcasts:${k}`, p);
    // An answer typed in the middle of a flow (报名 at registration's ID-number question) leaves the flow waiting:
    // its question comes again after the reply, read off the state, as after a poll (app/backToFlow.ts).
    const say = (text: string) => ({ state, replies: [{ text }, ...(opts.backToFlow?.(state, msg.channel, now) ?? [])] });
    if (!delivery) {
      // A button of a notice not sent to this chat (a test send) or too old: say so. A bare word with no notice
      // behind it belongs to the flows.
      return button ? say(t('notYours')) : null;
    }
    // Inside a flow a number answers the flow's own numbered question, unless the notice came after the flow's
    // last turn: then the notice is the last thing the user read, and its numbers are what they answer.
    if (byNumber && state.flowId && !(delivery.at && delivery.at.getTime() > Date.parse(state.updatedAt))) return null;
    const b = await deps.broadcasts.get(delivery.broadcastId);
    if (!b?.sessionId) return null;
    const worker = await deps.training.workers.findByAccount(msg.channel, msg.userId);
    const enrolmentNow = async () => (worker ? deps.training.training.enrolment(b.sessionId!, worker.id) : null);
    // The recorded answer follows the enrolment, which moves on without the notice (a seat from the waiting list,
    // a cancellation): read it afresh, so neither the reply nor the counters keep saying "waiting".
    const e = await enrolmentNow();
    const before = await follow(deps, delivery.id, b.id, delivery.answer ?? null, answerOf(e), now);
    if (choice === 'decline') {
      const stands = answerOf(e);
      // A seat given up under 取消报名 already counts as 不参加 (answerFollows.ts): confirm it rather than say
      // "you answered that before", which the worker never did.
      if (before === 'decline') return say(stands === 'decline' ? t('declined', { title: b.sessionTitle ?? '' }) : t('alreadyDeclined'));
      // Giving up a seat is the training flow's business (it offers the seat to the next in line).
      if (before && e && (stands === 'enrol' || stands === 'waiting')) {
        const tt = (k: string, p?: Record<string, unknown>) => deps.translator.t(state.locale, k, p);
        return say(t('enrolledNotDecline', { state: (await whereTheyStand(deps.training, e, now, tt, 'states')) ?? tt(`training:states.${e.state}`) }));
      }
      // No answer yet, or one with no enrolment behind it: 不参加 is recorded. (A 报名 given up since, 取消报名,
      // was moved to 不参加 above.)
      if (before === null) {
        if (await deps.deliveries.answer(delivery.id, 'decline', now)) await deps.broadcasts.inc(b.id, { 'answers.decline': 1 });
      } else await follow(deps, delivery.id, b.id, before, 'decline', now);
      return say(t('declined', { title: b.sessionTitle ?? '' }));
    }
    const r = await enrol(deps.training)({ sessionId: b.sessionId }, { channel: msg.channel, userId: msg.userId, locale: state.locale, now });
    const status = typeof r === 'object' && r !== null && 'status' in r ? String(r.status) : 'invalid';
    const text = typeof r === 'object' && r !== null && 'text' in r ? String(r.text) : t('failed');
    const answer = ['waiting', 'enrolled', 'accepted', 'already'].includes(status) ? answerOf(await enrolmentNow()) : null;
    if (answer && before === null && (await deps.deliveries.answer(delivery.id, answer, now))) await deps.broadcasts.inc(b.id, { [`answers.${answer}`]: 1 });
    if (answer && before !== null) await follow(deps, delivery.id, b.id, before, answer, now);
    // A second 报名: the training use case says where the worker stands (enrolled, waiting); say it was answered.
    return say(before && before !== 'decline' && status === 'already' ? `${t('answeredBefore', { answer: t('enrolButton') })}${text}` : text);
  };
}

