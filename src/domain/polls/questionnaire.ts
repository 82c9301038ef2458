import type { Policy } from '../policy/schema.ts';
import { DEFAULT_MIN_GROUP_SIZE, DEFAULT_QUORUM, type PollAnswer, type PollQuestion, type Questionnaire, type Quorum } from './types.ts';

/** Longest comment kept; a longer one is refused with a message rather than cut. */
export const MAX_COMMENT_LENGTH = 500;

/**
 * The questionnaire of a policy: overall satisfaction on the policy's scale, the policy's optional dimensions on
 * the same scale, and an optional comment unless the policy turns it off (docs/polls.md).
 */
export function questionnaireOf(policy: Policy): Questionnaire {
  const poll = policy.satisfaction.poll;
  const questions: PollQuestion[] = [{ id: 'overall', kind: 'scale', text: { key: 'polls:question.overall' } }];
  for (const d of poll?.dimensions ?? []) questions.push({ id: d.id, kind: 'scale', text: d.text });
  if (poll?.comment ?? true) questions.push({ id: 'comment', kind: 'comment', text: { key: 'polls:question.comment' } });
  return { scale: [...policy.satisfaction.scale], positive: [...policy.satisfaction.positive], questions };
}

/** The policy's defaults for a new poll; an admin may ask for more, never for a group size below 3. */
export function pollDefaultsOf(policy: Policy): { minGroupSize: number; quorum: Quorum } {
  const poll = policy.satisfaction.poll;
  return { minGroupSize: poll?.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE, quorum: { ...DEFAULT_QUORUM, ...poll?.quorum } };
}

/** Why an answer does not fit the questionnaire, or null: every scale question answered on the scale. */
export function answerProblem(q: Questionnaire, answer: PollAnswer): string | null {
  for (const question of q.questions) {
    if (question.kind !== 'scale') continue;
    const v = answer.scale[question.id];
    if (v === undefined) return `question ${question.id} is not answered`;
    if (!q.scale.includes(v)) return `${v} is not on the scale`;
  }
  for (const key of Object.keys(answer.scale)) if (!q.questions.some((x) => x.kind === 'scale' && x.id === key)) return `no question ${key}`;
  if (answer.comment !== undefined && [...answer.comment].length > MAX_COMMENT_LENGTH) return `the comment is longer than ${MAX_COMMENT_LENGTH} characters`;
  return null;
}
