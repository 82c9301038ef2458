import type { ConversationState, OutboundMessage } from '../../engine/types.ts';
import type { InboundMessage } from '../handleInbound.ts';
import { enrol } from '../training/workerTraining.ts';
import type { BroadcastDeps } from './deps.ts';
import { CHOICE } from './message.ts';

const ENROL_WORDS = ['报名', 'enrol', 'enroll', 'sign up'];
const DECLINE_WORDS = ['不参加', '不去', 'decline', 'no thanks'];
/** A reply by number or word acts on notices of the last two weeks; a button names its broadcast itself. */
const ANSWER_WINDOW_MS = 14 * 86_400_000;

/**
 * What a message answers if it is an answer to a broadcast, without I/O: by button (its id names the broadcast)
 * or by word or number. Null: not a broadcast answer (the inbound pipeline runs such turns without the lease).
 */
export function broadcastAnswerOf(msg: InboundMessage, state: ConversationState): { choice: 'enrol' | 'decline'; broadcastId?: string; button: boolean } | null {
  const raw = msg.input.type === 'choice' ? msg.input.choiceId : msg.input.type === 'text' ? msg.input.text.trim() : null;
  if (raw === null) return null;
  const button = CHOICE.exec(raw);
  if (button) return { choice: button[2] as 'enrol' | 'decline', broadcastId: button[1], button: true };
  const word = raw.toLowerCase();
  if (ENROL_WORDS.includes(word) || (word === '1' && !state.flowId)) return { choice: 'enrol', button: false };
  if (DECLINE_WORDS.includes(word) || (word === '2' && !state.flowId)) return { choice: 'decline', button: false };
  return null;
}

/**
 * A worker's answer to a broadcast that offered 报名 / 不参加: by button (its id names the broadcast), or by
 * word or number for the latest unanswered notice. 报名 goes through the training use case (a seat or the waiting
 * list, idempotent: a second 报名 says "already"); 不参加 is recorded. Each delivery counts one answer. Numbers
 * are only taken outside a flow, where the flows' own numbered menus do not use them. Null: not an answer to a
 * broadcast, the flows answer it (one indexed read, only for messages that look like an answer).
 */
export function createBroadcastReplies(deps: BroadcastDeps) {
  return async function broadcastReply(msg: InboundMessage, state: ConversationState, now: Date): Promise<{ state: ConversationState; replies: OutboundMessage[] } | null> {
    const asked = broadcastAnswerOf(msg, state);
    if (!asked) return null;
    const { choice, broadcastId, button } = asked;
    const delivery = await deps.deliveries.awaitingAnswer(msg.channel, msg.userId, new Date(now.getTime() - ANSWER_WINDOW_MS), broadcastId);
    const t = (k: string, p?: Record<string, unknown>) => deps.translator.t(state.locale, `broadcasts:${k}`, p);
    if (!delivery) {
      // A button of an answered notice: say so. A bare word with no notice behind it belongs to the flows.
      return button ? { state, replies: [{ text: t('alreadyAnswered') }] } : null;
    }
    const b = await deps.broadcasts.get(delivery.broadcastId);
    if (!b?.sessionId) return null;
    if (choice === 'decline') {
      if (await deps.deliveries.answer(delivery.id, 'decline', now)) await deps.broadcasts.inc(b.id, { 'answers.decline': 1 });
      return { state, replies: [{ text: t('declined', { title: b.sessionTitle ?? '' }) }] };
    }
    const r = await enrol(deps.training)({ sessionId: b.sessionId }, { channel: msg.channel, userId: msg.userId, locale: state.locale, now });
    const status = typeof r === 'object' && r !== null && 'status' in r ? String(r.status) : 'invalid';
    const text = typeof r === 'object' && r !== null && 'text' in r ? String(r.text) : t('failed');
    const answer = status === 'waiting' ? 'waiting' : status === 'enrolled' || status === 'accepted' || status === 'already' ? 'enrol' : null;
    if (answer && (await deps.deliveries.answer(delivery.id, answer, now))) await deps.broadcasts.inc(b.id, { [`answers.${answer}`]: 1 });
    return { state, replies: [{ text }] };
  };
}
