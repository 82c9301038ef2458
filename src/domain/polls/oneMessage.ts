/**
 * The one-message answer: `测评 <code> <a number per question> [comment]`, e.g. `测评 7K3M9QX2PD 1 2 希望多组织学习`
 * or `测评 7K3M9QX2PD 12`. For respondents who know the questions (the card lists them) and for a roster that
 * answers in one go, it records the answer in one turn, with the same checks and the same end as the step by step
 * questionnaire.
 */
import { MAX_COMMENT_LENGTH } from './questionnaire.ts';
import type { PollAnswer, Questionnaire } from './types.ts';

const PREFIX = String.raw`^\s*(?:测评|满意度测评|poll)[\s_:：]*`;
/** Ten code characters, spaces or dashes allowed between them (as printed in groups), then the answers. */
const ONE_MESSAGE = new RegExp(`${PREFIX}([A-Za-z0-9](?:[ -]?[A-Za-z0-9]){9})\\s+(\\S[\\s\\S]*)$`, 'i');

/** The code and what follows it, or null when the text is not the one-message form. */
export function oneMessageParts(text: string): { code: string; rest: string } | null {
  const m = ONE_MESSAGE.exec(text);
  return m ? { code: m[1]!, rest: m[2]!.trim() } : null;
}

export type OneMessageAnswer =
  | { ok: true; answer: PollAnswer }
  | { ok: false; problem: 'format' | 'commentTooLong' | 'noComment'; length?: number }
  /** A number outside the scale (5 on a four-point scale): named, so the respondent sees which one. */
  | { ok: false; problem: 'offScale'; number: string; max: number }
  /** More numbers than questions (`1 2` for one question): the extra one is no comment. */
  | { ok: false; problem: 'tooMany'; count: number };

/**
 * The answers after the code: one number per scale question, in order (1 = the scale's first option), written
 * together (`12`) or apart (`1 2`, `1，2`); the rest, if the questionnaire asks for a comment, is the comment.
 */
export function oneMessageAnswer(q: Questionnaire, rest: string): OneMessageAnswer {
  const scaleQuestions = q.questions.filter((x) => x.kind === 'scale');
  const n = scaleQuestions.length;
  const digit = `[1-${q.scale.length}]`;
  const numbers = new RegExp(`^(?:(${digit}{${n}})|(${digit}(?:[\\s,，、]+${digit}){${n - 1}}))(?=$|[\\s,，、])[\\s,，、]*([\\s\\S]*)$`);
  // The leading numbers as the respondent wrote them (apart, or together as one run of digits).
  const leading = /^(\d+(?:[\s,，、]+\d+)*)(?=$|[\s,，、])/.exec(rest.trim())?.[1]?.split(/[\s,，、]+/) ?? [];
  const digits = leading.length === 1 ? [...leading[0]!] : leading;
  const off = digits.find((d) => !/^\d$/.test(d) || Number(d) < 1 || Number(d) > q.scale.length);
  if (off !== undefined && (leading.length > 1 || digits.length === n)) return { ok: false, problem: 'offScale', number: off, max: q.scale.length };
  if (leading.length > n) return { ok: false, problem: 'tooMany', count: leading.length };
  const m = numbers.exec(rest.trim());
  if (!m) return { ok: false, problem: 'format' };
  const picks = (m[1] ?? m[2]!).replace(/[^0-9]/g, '');
  const scale = Object.fromEntries(scaleQuestions.map((question, i) => [question.id, q.scale[Number(picks[i]) - 1]!]));
  const comment = m[3]!.trim();
  if (!comment) return { ok: true, answer: { scale } };
  if (!q.questions.some((x) => x.kind === 'comment')) return { ok: false, problem: 'noComment' };
  const length = [...comment].length;
  if (length > MAX_COMMENT_LENGTH) return { ok: false, problem: 'commentTooLong', length };
  return { ok: true, answer: { scale, comment } };
}
