import { chinaDate } from '../../domain/dates/parseDate.ts';
import { isPollCommandWithoutCode, normalizeCode, pollCommand } from '../../domain/polls/codes.ts';
import { oneMessageParts } from '../../domain/polls/oneMessage.ts';
import { MAX_COMMENT_LENGTH } from '../../domain/polls/questionnaire.ts';
import type { PollAnswer, PollQuestion } from '../../domain/polls/types.ts';
import type { ConversationState, OutboundMessage } from '../../engine/types.ts';
import type { InboundMessage } from '../handleInbound.ts';
import type { PollRecord, PollSession } from '../ports/polls.ts';
import { identityHash, respondentPoll, type PollDeps } from './deps.ts';
import { openCode, type ChatIdentity } from './respondentAccess.ts';
import { plainQuestionText, questionText as questionTextOf, subjectNames as subjectNamesOf } from './questionText.ts';
import { submitAnswer } from './submitAnswer.ts';
import { submitOneMessage } from './oneMessageSubmit.ts';

const CHOICE_PREFIX = 'poll:';
/** Telegram's callback_data limit: a longer id would come back as the button's label, with no poll in it. */
const MAX_BUTTON_BYTES = 64;
/** The conversation variable that says a poll session is open for this chat. */
const MARKER = 'pollSession';
const is = (text: string, ...words: string[]) => words.includes(text.trim().toLowerCase());
const CANCEL = ['取消', '退出', 'cancel', 'quit'];
const BACK = ['返回', '上一题', 'back'];
const SUBMIT = ['提交', '确认', '确认提交', 'submit', 'confirm'];
const SKIP = ['跳过', '无', '没有', 'skip', 'none', 'no'];

/**
 * A poll button's id, `poll:<poll id>:<option | submit>`: the poll in it lets a tap that comes after the chat's
 * questionnaire ended (a second 提交, an old message's button) be told apart from the flows' input and answered
 * for that poll. Without the poll (longer than Telegram carries) it still works while the questionnaire is open.
 */
function buttonId(pollId: string, value: string): string {
  const id = `${CHOICE_PREFIX}${pollId}:${value}`;
  return Buffer.byteLength(id, 'utf8') <= MAX_BUTTON_BYTES ? id : `${CHOICE_PREFIX}${value}`;
}

/** A tapped poll button (also the ids sent before they named the poll: `poll:<value>`), or null. */
function pollButton(msg: InboundMessage): { pollId: string | null; value: string } | null {
  if (msg.input.type !== 'choice' || !msg.input.choiceId.startsWith(CHOICE_PREFIX)) return null;
  const rest = msg.input.choiceId.slice(CHOICE_PREFIX.length);
  const at = rest.lastIndexOf(':');
  return at < 0 ? { pollId: null, value: rest } : { pollId: rest.slice(0, at), value: rest.slice(at + 1) };
}

/** `测评 <code> <answers>`, and not a bare code that the one-message pattern would split (`测评 7K3M9 QX2PD`). */
function oneMessageForm(text: string): { code: string; rest: string } | null {
  const whole = pollCommand(text);
  return whole !== null && normalizeCode(whole) ? null : oneMessageParts(text);
}

/** Whether a message is a one-message answer, without I/O (what may be answered outside a turn). */
export function isOneMessageAnswer(msg: InboundMessage): boolean {
  return msg.input.type === 'text' && oneMessageForm(msg.input.text) !== null;
}

/**
 * Whether a message may be the poll's, without I/O: a poll command or one-message answer, or any message while a
 * session is open. False: `createPollChat`'s handler answers null (the inbound pipeline runs such turns without
 * the lease).
 */
export function mayBePollMessage(msg: InboundMessage, state: ConversationState): boolean {
  const text = msg.input.type === 'text' ? msg.input.text : msg.input.type === 'choice' ? msg.input.choiceId : null;
  if (text === null) return false;
  return state.vars[MARKER] === true || pollButton(msg) !== null || pollCommand(text) !== null || oneMessageParts(text) !== null || isPollCommandWithoutCode(text);
}

/**
 * A satisfaction poll in a chat, on every channel, before the flows see the message: `测评 <code>` (or a QR scene
 * or deep link carrying `poll_<code>`) opens it; while it runs, its answers live in a sealed poll session (never in
 * the conversation state), with back, edit from the summary and cancel; submitting counts the answer and deletes
 * the session. Returns null for messages that are not the poll's, so the flows answer them.
 */
export function createPollChat(deps: PollDeps) {
  const t = (locale: string, key: string, params?: Record<string, unknown>) => deps.certification.translator.t(locale, `polls:${key}`, params);

  const subjectNames = (poll: PollRecord, locale: string) => subjectNamesOf(deps, poll, locale);
  const questionText = (q: PollQuestion, locale: string, names: { worker: string }) => questionTextOf(deps, q, locale, names);

  async function ask(poll: PollRecord, s: PollSession, prefix: string[] = []): Promise<OutboundMessage[]> {
    const names = await subjectNames(poll, s.locale);
    const qs = poll.questionnaire.questions;
    if (s.step >= qs.length) return [summary(poll, s, names, prefix)];
    const q = qs[s.step]!;
    const head = [...prefix, `${t(s.locale, 'progress', { n: s.step + 1, total: qs.length })}${questionText(q, s.locale, names)}`].join('\n');
    if (q.kind === 'comment') return [{ text: head }];
    const choices = poll.questionnaire.scale.map((o) => ({ id: buttonId(poll.id, o), label: t(s.locale, `scale.${o}`) }));
    // `numbered` is only the text that asks for a number: the channels that number choices add the lines themselves
    // (wechat-common/text.ts, the CLI), so options listed here too came out twice on WeChat.
    return [{ text: head, numbered: `${head}\n${t(s.locale, 'replyNumber')}`, choices }];
  }

  function summary(poll: PollRecord, s: PollSession, names: { worker: string }, prefix: string[]): OutboundMessage {
    const answers = open(s);
    const lines = poll.questionnaire.questions.map((q, i) => {
      const value = q.kind === 'comment' ? (answers.comment ?? t(s.locale, 'noComment')) : t(s.locale, `scale.${answers.scale[q.id]}`);
      // Without the question's how-to-reply: here a number edits the question, and 跳过 means nothing.
      return `${i + 1}. ${plainQuestionText(deps, q, s.locale, names)}\n   ${value}`;
    });
    const text = [...prefix, t(s.locale, 'summary', { lines: lines.join('\n') })].join('\n');
    return { text, choices: [{ id: buttonId(poll.id, 'submit'), label: t(s.locale, 'submitButton') }] };
  }

  const open = (s: PollSession): PollAnswer => JSON.parse(deps.sealer.decrypt(s.answers)) as PollAnswer;
  const seal = (a: PollAnswer) => deps.sealer.encrypt(JSON.stringify(a));

  /** A scale answer given by button, number or label, or null. */
  function option(poll: PollRecord, text: string, locale: string, button: { value: string } | null): string | null {
    const scale = poll.questionnaire.scale;
    if (button) return scale.find((o) => o === button.value) ?? null;
    const n = Number(text.trim());
    if (Number.isInteger(n) && n >= 1 && n <= scale.length) return scale[n - 1]!;
    const typed = text.trim().toLowerCase();
    return scale.find((o) => ['zh-CN', 'en', locale].some((l) => t(l, `scale.${o}`).toLowerCase() === typed)) ?? null;
  }

  /**
   * The conversation carries only a marker that a poll session exists (never an answer), so that every other
   * message of every user passes by without a database read.
   */
  const marked = (state: ConversationState, on: boolean): ConversationState => {
    const vars = { ...state.vars };
    if (on) vars[MARKER] = true;
    else delete vars[MARKER];
    return { ...state, vars };
  };

  /**
   * A poll message that leaves no session open (submitted, cancelled, refused) ends the poll's interruption of
   * whatever flow the chat was in: the user is brought back to that flow's question, which the poll's messages
   * took the place of. Read off the state only, which keeps nothing of the poll.
   */
  /**
   * A poll button tapped with no questionnaire of that poll open in this chat (a second 提交, an old message's
   * button): "already recorded" when this account's code in that poll is used (one indexed read of the code's
   * claim, only for such taps), else that the questionnaire is closed for it and how to start again.
   */
  async function staleButton(button: { pollId: string | null }, key: string, locale: string): Promise<OutboundMessage[]> {
    const status = button.pollId ? await deps.polls.claimedCodeStatus(button.pollId, key) : null;
    return [{ text: t(locale, status === 'used' || status === 'pending' ? 'alreadyRecorded' : 'staleButton') }];
  }

  const backToFlow = (state: ConversationState | null, channel: string, now: Date): OutboundMessage[] => (state && deps.backToFlow ? deps.backToFlow(state, channel, now) : []);

  async function pollChat(msg: InboundMessage, state: ConversationState, now: Date): Promise<{ state: ConversationState; replies: OutboundMessage[] } | null> {
    const replies = await answer(msg, state, now);
    if (!replies) return null;
    const back = replies.sessionOpen ? [] : backToFlow(state, msg.channel, now);
    return { state: marked(state, replies.sessionOpen), replies: [...replies.replies, ...back] };
  }

  /**
   * The one-message answer without a conversation turn (app/polls/outsideTurn.ts), given where the chat stands
   * (null: no conversation; the reply is then in `defaultLocale`). Null when it needs the turn: not that form, a
   * bare `测评 <code>` (it opens a session), or a poll session open in this chat (the answer ends it, which the
   * conversation's marker must say). A flow the chat is in is asked again after the answer, as in a turn.
   */
  async function outsideTurn(msg: InboundMessage, state: ConversationState | null, defaultLocale: string, now: Date): Promise<OutboundMessage[] | null> {
    if (msg.input.type !== 'text' || state?.vars[MARKER] === true) return null;
    const parts = oneMessageForm(msg.input.text);
    if (!parts) return null;
    const identity: ChatIdentity = { channel: msg.channel, userId: msg.userId };
    const done = await answerInOne(parts, identity, identityHash(deps.sealer, msg.channel, msg.userId), state ?? { locale: defaultLocale, vars: {} }, now);
    // No session was open (that takes the turn), so none is now: the answer, done or refused, ends the interruption.
    return [...done.replies, ...backToFlow(state, msg.channel, now)];
  }

  return Object.assign(pollChat, { outsideTurn });

  /**
   * The one-message answer. The reply never repeats the answers or the code: the conversation keeps its last
   * replies (to answer a redelivered message), and nothing it keeps may tell what this account answered.
   */
  async function answerInOne(parts: { code: string; rest: string }, identity: ChatIdentity, key: string, state: Pick<ConversationState, 'locale' | 'vars'>, now: Date): Promise<{ replies: OutboundMessage[]; sessionOpen: boolean }> {
    const hadSession = state.vars[MARKER] === true;
    const current = hadSession ? await deps.polls.session(key) : null;
    const lang = current?.locale ?? state.locale;
    const outcome = await submitOneMessage(deps, parts.code, parts.rest, identity, now);
    if (outcome.status === 'badAnswer') {
      const qs = outcome.poll.questionnaire;
      const n = qs.questions.filter((q) => q.kind === 'scale').length;
      const options = qs.scale.map((o, i) => `${i + 1} = ${t(lang, `scale.${o}`)}`).join(t(lang, 'oneMessage.separator'));
      const names = await subjectNames(outcome.poll, lang);
      const questions = qs.questions.filter((q) => q.kind === 'scale').map((q, i) => `${i + 1}. ${questionText(q, lang, names)}`).join('\n');
      const p = outcome.problem;
      const why =
        p.problem === 'commentTooLong' ? t(lang, 'commentTooLong', { max: MAX_COMMENT_LENGTH, length: p.length })
        : p.problem === 'offScale' ? t(lang, 'oneMessage.offScale', { number: p.number, max: p.max })
        : p.problem === 'tooMany' ? t(lang, 'oneMessage.tooMany', { n, count: p.count })
        : t(lang, `oneMessage.${p.problem}`, { n });
      return { replies: [{ text: `${why}\n${t(lang, 'oneMessage.howTo', { n, options, example: Array.from({ length: n }, (_, i) => String((i % 2) + 1)).join(' ') })}\n${questions}` }], sessionOpen: hadSession };
    }
    if (outcome.status === 'refused') return { replies: [{ text: t(lang, `refused.${outcome.reason}`) }], sessionOpen: hadSession };
    if (outcome.status === 'invalid') return { replies: [{ text: `${t(lang, 'invalid')} (${outcome.message})` }], sessionOpen: hadSession };
    // Answered: a questionnaire this account had open for the same poll is moot now.
    if (current && outcome.status === 'recordedAs' && current.pollId === outcome.poll.id) {
      await deps.polls.deleteSession(key);
      return { replies: [{ text: t(lang, 'thanks') }], sessionOpen: false };
    }
    return { replies: [{ text: t(lang, outcome.status === 'recordedAs' ? 'thanks' : 'alreadyRecorded') }], sessionOpen: current !== null };
  }

  async function answer(msg: InboundMessage, state: ConversationState, now: Date): Promise<{ replies: OutboundMessage[]; sessionOpen: boolean } | null> {
    const open_ = (replies: OutboundMessage[]) => ({ replies, sessionOpen: true });
    const ended = (replies: OutboundMessage[]) => ({ replies, sessionOpen: false });
    const locale = state.locale;
    const text = msg.input.type === 'text' ? msg.input.text : msg.input.type === 'choice' ? msg.input.choiceId : null;
    if (text === null || !mayBePollMessage(msg, state)) return null;
    const identity: ChatIdentity = { channel: msg.channel, userId: msg.userId };
    const key = identityHash(deps.sealer, msg.channel, msg.userId);
    // Only typed text is a poll command: a tapped button's id (`poll:veryPleased`, `poll:submit`) reads as
    // `poll <code>` to the command's pattern, and was refused as an unknown code on Telegram and the mini program.
    const typed = msg.input.type === 'text';
    const whole = typed ? pollCommand(text) : null;
    const oneMessage = typed ? oneMessageForm(text) : null;
    const typedCode = oneMessage ? null : whole;
    if (oneMessage) return answerInOne(oneMessage, identity, key, state, now);
    // Checked after the one-message form, which a code spread over spaces (`测评 7K3M9 QX2PD 1 2`) also is.
    if (typed && typedCode === null && isPollCommandWithoutCode(text)) {
      const current = state.vars[MARKER] === true ? await deps.polls.session(key) : null;
      return { replies: [{ text: t(current?.locale ?? locale, 'noCode') }], sessionOpen: state.vars[MARKER] === true };
    }
    const button = pollButton(msg);
    if (button && typedCode === null && state.vars[MARKER] !== true) return ended(await staleButton(button, key, locale));
    if (typedCode === null && state.vars[MARKER] !== true) return null;
    if (typedCode !== null) {
      const current = await deps.polls.session(key);
      const lang = current?.locale ?? locale;
      const access = await openCode(deps, typedCode, identity, now, { bind: true });
      if (!access.ok) return { replies: [{ text: t(lang, `refused.${access.reason}`) }], sessionOpen: current !== null };
      // The code is kept sealed in the session only to submit it; it is never shown back.
      const answers: PollAnswer & { code: string } = { scale: {}, code: access.plain };
      const s: PollSession = { key, pollId: access.poll.id, codeHash: access.code.hash, locale: lang, step: 0, answers: seal(answers), editing: false, day: chinaDate(now) };
      await deps.polls.saveSession(s);
      const names = await subjectNames(access.poll, lang);
      return open_(await ask(access.poll, s, [t(lang, 'intro', { ...names, count: access.poll.questionnaire.questions.length })]));
    }
    const s = await deps.polls.session(key);
    if (!s) return button ? ended(await staleButton(button, key, locale)) : null;
    const poll = await respondentPoll(deps, s.pollId);
    if (!poll || poll.status !== 'open' || now.getTime() >= Date.parse(poll.closesAt)) {
      await deps.polls.deleteSession(key);
      return ended([{ text: t(s.locale, poll && poll.status === 'open' ? 'refused.expired' : 'refused.closed') }]);
    }
    // A button of another poll than the open one: answered for that poll, and the open one's question again.
    if (button?.pollId && button.pollId !== s.pollId) return open_([...(await staleButton(button, key, s.locale)), ...(await ask(poll, s))]);
    if (is(text, ...CANCEL)) {
      await deps.polls.deleteSession(key);
      return ended([{ text: t(s.locale, 'cancelled') }]);
    }
    if (is(text, 'english', '中文')) {
      s.locale = is(text, 'english') ? 'en' : 'zh-CN';
      await deps.polls.saveSession(s);
      return open_(await ask(poll, s));
    }
    const qs = poll.questionnaire.questions;
    if (is(text, ...BACK)) {
      if (s.step === 0) return open_(await ask(poll, s, [t(s.locale, 'atFirst')]));
      s.step = s.editing ? qs.length : s.step - 1;
      s.editing = false;
      await deps.polls.saveSession(s);
      return open_(await ask(poll, s));
    }
    const answers = open(s) as PollAnswer & { code: string };
    if (s.step >= qs.length) {
      if (button ? button.value === 'submit' : is(text, ...SUBMIT)) {
        const { code, ...answer } = answers;
        const outcome = await submitAnswer(deps, code, identity, answer, now);
        if (outcome.status === 'invalid') return open_([{ text: `${t(s.locale, 'invalid')} (${outcome.message})` }]);
        await deps.polls.deleteSession(key);
        if (outcome.status === 'refused') return ended([{ text: t(s.locale, `refused.${outcome.reason}`) }]);
        return ended([{ text: t(s.locale, outcome.status === 'recorded' ? 'thanks' : 'alreadyRecorded') }]);
      }
      const n = Number(text.trim());
      if (Number.isInteger(n) && n >= 1 && n <= qs.length) {
        s.step = n - 1;
        s.editing = true;
        await deps.polls.saveSession(s);
        return open_(await ask(poll, s));
      }
      return open_(await ask(poll, s, [t(s.locale, 'summaryHint')]));
    }
    const q = qs[s.step]!;
    if (q.kind === 'comment') {
      const comment = text.trim();
      if ([...comment].length > MAX_COMMENT_LENGTH) return open_([{ text: t(s.locale, 'commentTooLong', { max: MAX_COMMENT_LENGTH, length: [...comment].length }) }]);
      if (is(comment, ...SKIP) || !comment) delete answers.comment;
      else answers.comment = comment;
    } else {
      const chosen = option(poll, text, s.locale, button);
      if (!chosen) return open_(await ask(poll, s, [t(s.locale, 'notAnOption')]));
      answers.scale[q.id] = chosen;
    }
    s.answers = seal(answers);
    s.step = s.editing ? qs.length : s.step + 1;
    s.editing = false;
    await deps.polls.saveSession(s);
    return open_(await ask(poll, s));
  }
}

export type PollChat = ReturnType<typeof createPollChat>;
