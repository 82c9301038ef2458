import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import type { Context } from 'koa';
import { formToken, type PollDeps } from '../../app/polls/deps.ts';
import { plainQuestionText, subjectNames } from '../../app/polls/questionText.ts';
import { openCode, type CodeRefusal } from '../../app/polls/respondentAccess.ts';
import { submitAnswer } from '../../app/polls/submitAnswer.ts';
import type { PollRecord } from '../../app/ports/polls.ts';
import { normalizeCode } from '../../domain/polls/codes.ts';
import { MAX_COMMENT_LENGTH } from '../../domain/polls/questionnaire.ts';
import type { PollAnswer, PollQuestion } from '../../domain/polls/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { esc } from './escape.ts';

/** No script at all, styles from our own file, forms post only here: the page works without JavaScript. */
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'";
const REFUSAL_STATUS: Record<CodeRefusal, number> = { unknown: 404, closed: 410, expired: 410, used: 409, boundToOther: 409, otherCode: 409, ratedWorker: 403 };
/** The chat's refusal asks to type the code again; on the page the code is the link's, so the page says its own. */
const refusalKey = (reason: CodeRefusal) => (reason === 'unknown' ? 'web.unknown' : `refused.${reason}`);
const MAX_FORM_BYTES = 16 * 1024;

type Lang = 'zh-CN' | 'en';

/**
 * `/p/<code>`: the poll as a small mobile web page for respondents who follow no account. Server-rendered from
 * templates/<locale>/polls.yaml: the questions (radio buttons, an optional comment) → a review page with "change"
 * and "submit" → the end text. CSRF: a cross-site page cannot know the code in the path, and each form also carries
 * a token made from the code with the server's key. The code is in the path, so the page never logs its path, and
 * every response says no-referrer and no-store.
 */
export function pollPageRouter(deps: PollDeps, logger: Logger): Router {
  const css = readFileSync(new URL('./poll.css', import.meta.url), 'utf8');
  const t = (lang: Lang, key: string, params?: Record<string, unknown>) => deps.certification.translator.t(lang, `polls:${key}`, params);
  const router = new Router();

  router.get('/p/assets/poll.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });

  const langOf = (ctx: Context, form?: URLSearchParams): Lang => {
    const asked = form?.get('lang') ?? (typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined);
    if (asked === 'en' || asked === 'zh-CN') return asked;
    return /^en\b/i.test(ctx.get('accept-language')) ? 'en' : 'zh-CN';
  };

  function page(ctx: Context, lang: Lang, status: number, body: string) {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(t(lang, 'web.title'))}</title><link rel="stylesheet" href="/p/assets/poll.css"></head><body><h1>${esc(t(lang, 'web.title'))}</h1>${body}</body></html>`;
  }

  const message = (ctx: Context, lang: Lang, status: number, key: string) => page(ctx, lang, status, `<p>${esc(t(lang, key))}</p>`);

  async function form(ctx: Context, lang: Lang, poll: PollRecord, code: string, answers: PollAnswer, error?: string) {
    const names = await subjectNames(deps, poll, lang);
    const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
    const fields = poll.questionnaire.questions.map((q, i) => {
      const legend = `${i + 1}. ${esc(webQuestionText(q, lang, names))}`;
      if (q.kind === 'comment') {
        return `<fieldset><legend>${legend}</legend><label class="note" for="comment">${esc(t(lang, 'web.commentLabel', { max: MAX_COMMENT_LENGTH }))}</label><textarea id="comment" name="comment" maxlength="${MAX_COMMENT_LENGTH}">${esc(answers.comment ?? '')}</textarea></fieldset>`;
      }
      const options = poll.questionnaire.scale
        .map((o) => `<label class="option"><input type="radio" name="q.${esc(q.id)}" value="${esc(o)}" required${answers.scale[q.id] === o ? ' checked' : ''}> ${esc(t(lang, `scale.${o}`))}</label>`)
        .join('');
      return `<fieldset><legend>${legend}</legend>${options}</fieldset>`;
    });
    const intro = t(lang, 'web.intro', { ...names, count: poll.questionnaire.questions.length });
    page(
      ctx,
      lang,
      error ? 400 : 200,
      `<p>${esc(intro)}</p><p class="note">${esc(t(lang, 'web.anonymous'))} <a href="?lang=${other}">${esc(t(lang, 'web.language'))}</a></p>${error ? `<p class="error">${esc(error)}</p>` : ''}<form method="post">${hidden(code, lang)}<input type="hidden" name="step" value="review">${fields.join('')}<button type="submit">${esc(t(lang, 'web.review'))}</button></form>`,
    );
  }

  /** The chat's question text says how to reply in a chat, which a form with an optional field must not. */
  const webQuestionText = (q: PollQuestion, lang: Lang, names: { worker: string }) => plainQuestionText(deps, q, lang, names);

  const hidden = (code: string, lang: Lang) => `<input type="hidden" name="t" value="${esc(formToken(deps.sealer, code))}"><input type="hidden" name="lang" value="${lang}">`;

  async function review(ctx: Context, lang: Lang, poll: PollRecord, code: string, answers: PollAnswer) {
    const names = await subjectNames(deps, poll, lang);
    const rows = poll.questionnaire.questions.map((q, i) => {
      const v = q.kind === 'comment' ? (answers.comment ?? t(lang, 'noComment')) : t(lang, `scale.${answers.scale[q.id]}`);
      return `<dt>${i + 1}. ${esc(webQuestionText(q, lang, names))}</dt><dd>${esc(v)}</dd>`;
    });
    const carry = [...Object.entries(answers.scale).map(([k, v]) => `<input type="hidden" name="q.${esc(k)}" value="${esc(v)}">`), `<input type="hidden" name="comment" value="${esc(answers.comment ?? '')}">`].join('');
    page(
      ctx,
      lang,
      200,
      `<h2>${esc(t(lang, 'web.reviewTitle'))}</h2><dl>${rows.join('')}</dl><form method="post">${hidden(code, lang)}${carry}<button type="submit" name="step" value="submit">${esc(t(lang, 'web.submit'))}</button><button type="submit" name="step" value="edit" class="secondary">${esc(t(lang, 'web.edit'))}</button></form>`,
    );
  }

  /** Errors here are logged without the request path: it holds the code. */
  const guarded = (handler: (ctx: Context) => Promise<void>) => async (ctx: Context) => {
    try {
      await handler(ctx);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status && status < 500) return message(ctx, langOf(ctx), status, 'web.badForm');
      logger.error({ err: { message: (err as Error).message } }, 'poll page failed');
      page(ctx, langOf(ctx), 500, '<p>Internal error / 系统错误，请稍后再试。</p>');
    }
  };

  router.get('/p/:code', guarded(async (ctx) => {
    const lang = langOf(ctx);
    const access = await openCode(deps, String(ctx.params.code), null, deps.certification.clock.now(), { bind: false });
    if (!access.ok) return message(ctx, lang, REFUSAL_STATUS[access.reason], refusalKey(access.reason));
    await form(ctx, lang, access.poll, access.plain, { scale: {} });
  }));

  router.post('/p/:code', guarded(async (ctx) => {
    const body = await formBody(ctx);
    const lang = langOf(ctx, body);
    const now = deps.certification.clock.now();
    const access = await openCode(deps, String(ctx.params.code), null, now, { bind: false });
    if (!access.ok) {
      // The form of a code used since it was shown, submitted (again): a double click, or the answer page reloaded.
      // Its holder is told, as the chat tells a repeated submit, that it is recorded, not that the code "was used".
      const plain = normalizeCode(String(ctx.params.code));
      if (access.reason === 'used' && body.get('step') === 'submit' && plain && tokenMatches(body.get('t') ?? '', formToken(deps.sealer, plain))) return message(ctx, lang, 200, 'alreadyRecorded');
      return message(ctx, lang, REFUSAL_STATUS[access.reason], refusalKey(access.reason));
    }
    if (!tokenMatches(body.get('t') ?? '', formToken(deps.sealer, access.plain))) return message(ctx, lang, 403, 'web.badForm');
    const { poll } = access;
    const answers: PollAnswer = { scale: {} };
    for (const q of poll.questionnaire.questions) {
      const v = body.get(`q.${q.id}`);
      if (q.kind === 'scale' && v && poll.questionnaire.scale.includes(v)) answers.scale[q.id] = v;
    }
    const comment = (body.get('comment') ?? '').trim();
    if (comment) answers.comment = comment.slice(0, MAX_COMMENT_LENGTH);
    const complete = poll.questionnaire.questions.every((q) => q.kind !== 'scale' || answers.scale[q.id]);
    const step = body.get('step');
    if (step === 'edit') return form(ctx, lang, poll, access.plain, answers);
    if (!complete) return form(ctx, lang, poll, access.plain, answers, t(lang, 'web.missing'));
    if (step !== 'submit') return review(ctx, lang, poll, access.plain, answers);
    const outcome = await submitAnswer(deps, access.plain, null, answers, now);
    if (outcome.status === 'recorded') return message(ctx, lang, 200, 'thanks');
    if (outcome.status === 'alreadyRecorded') return message(ctx, lang, 200, 'alreadyRecorded');
    if (outcome.status === 'refused') return message(ctx, lang, REFUSAL_STATUS[outcome.reason], refusalKey(outcome.reason));
    return form(ctx, lang, poll, access.plain, answers, t(lang, 'web.missing'));
  }));

  return router;
}

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** An HTML form's body (application/x-www-form-urlencoded), bounded; the app's body parser reads JSON only. */
async function formBody(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw Object.assign(new Error('not a form'), { status: 415 });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw Object.assign(new Error('form too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
