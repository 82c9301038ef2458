import type { Broadcast } from '../../domain/broadcasts/broadcast.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import { renderNotice } from '../../templates/renderNotice.ts';
import type { TrainingSession } from '../../domain/training/types.ts';
import { chinaTime } from '../training/sessionReminders.ts';
import type { BroadcastDeps } from './deps.ts';

/** Choice ids of a broadcast's message: `bc:<broadcast>:enrol|decline` (short: Telegram's callback data is 64 bytes). */
export const CHOICE = /^bc:([A-Za-z0-9_-]{1,64}):(enrol|decline)$/;
export const choiceId = (broadcastId: string, answer: 'enrol' | 'decline') => `bc:${broadcastId}:${answer}`;

const localeOf = (l: string | undefined): 'zh-CN' | 'en' => (l === 'en' ? 'en' : 'zh-CN');

/**
 * The notice for one worker in their language (zh-CN when the broadcast has no English text), placeholders
 * filled in; with a linked session it offers 报名 / 不参加: as buttons to tap, or as numbered lines (a number or
 * the word) where a channel has no buttons.
 */
export function noticeMessage(deps: Pick<BroadcastDeps, 'translator'>, b: Broadcast, who: { name: string; locale?: string }, session: TrainingSession | null): OutboundMessage {
  const locale = localeOf(who.locale) === 'en' && b.text.en ? 'en' : 'zh-CN';
  const text = renderNotice(b.text[locale] ?? b.text['zh-CN'], {
    name: who.name,
    ...(session ? { session: session.title, startsAt: chinaTime(session.startsAt), place: session.place } : {}),
  }, locale);
  if (!b.sessionId) return { text };
  const t = (k: string) => deps.translator.t(locale, `broadcasts:${k}`);
  const choices = [
    { id: choiceId(b.id, 'enrol'), label: t('enrolButton') },
    { id: choiceId(b.id, 'decline'), label: t('declineButton') },
  ];
  // Channels with buttons show `text` (tap); text channels show `numbered` and add the numbered lines themselves.
  return { text: `${text}\n\n${t('tapToAnswer')}`, choices, numbered: `${text}\n\n${t('replyNumberOrWord')}` };
}
