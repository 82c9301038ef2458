import { maskName } from '../../domain/pii/maskName.ts';
import type { PollQuestion } from '../../domain/polls/types.ts';
import type { PollRecord } from '../ports/polls.ts';
import type { PollDeps } from './deps.ts';

/** Whom the respondent rates, as the questions name them: the masked name and the organisation. */
export async function subjectNames(deps: PollDeps, poll: PollRecord, locale: string): Promise<{ worker: string; org: string }> {
  const facts = await deps.subject(deps, poll);
  return { worker: facts.name ? maskName(facts.name) : deps.certification.translator.t(locale, 'polls:theWorker'), org: facts.org };
}

/** A question in the respondent's language: a template key, or the policy's own text. */
export function questionText(deps: PollDeps, q: PollQuestion, locale: string, names: { worker: string }): string {
  if ('key' in q.text) return deps.certification.translator.t(locale, q.text.key, names);
  return locale === 'en' ? q.text.en : q.text['zh-CN'];
}

/**
 * A question as a form or a summary shows it, without the chat's how-to-reply (“没有的话回复‘跳过’”): a template
 * question's `polls:web.question.<id>` variant when there is one, else its text.
 */
export function plainQuestionText(deps: PollDeps, q: PollQuestion, locale: string, names: { worker: string }): string {
  const plain = 'key' in q.text && q.text.key.startsWith('polls:question.') ? `polls:web.${q.text.key.slice('polls:'.length)}` : null;
  return plain && deps.certification.translator.has(locale, plain) ? deps.certification.translator.t(locale, plain, names) : questionText(deps, q, locale, names);
}
