import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { z } from 'zod';
import type { ActionHandler } from '../../app/actions/types.ts';
import type { HandleInbound } from '../../app/handleInbound.ts';
import type { Clock } from '../../app/ports/clock.ts';
import type { WorkerRepository } from '../../app/ports/workerRepository.ts';
import { maskIdNumber } from '../../domain/identity/idNumber.ts';
import { maskMobile } from '../../domain/identity/mobile.ts';
import { maskName } from '../../domain/pii/maskName.ts';
import { regionPath, type RegionNode } from '../../domain/regions/regions.ts';
import type { OutboundMessage, Translator } from '../../engine/types.ts';
import { HttpError } from '../../http/errors.ts';
import { answerOverloaded } from '../../http/overloaded.ts';
import type { Logger } from '../../infra/logger.ts';
import { maskOpenid } from '../wechat-common/delivery.ts';
import { Code2SessionError, type Code2Session } from './code2session.ts';
import { buildOpenApi } from './openapi.ts';
import { WECHAT_MP_CHANNEL } from './outbound.ts';
import { loginRequest, statusQuery, subscriptionsRequest, turnRequest } from './schemas.ts';
import type { MpSessionStore, MpSubscriptionStore } from '../ports.ts';

export const MP_API_PREFIX = '/mp/api';

/** A message as the front end shows it: text, and choices as buttons (so `numbered` is never sent). */
const toReply = (r: OutboundMessage) => ({ text: r.text, ...(r.choices ? { choices: r.choices } : {}), ...(r.multi ? { multi: true } : {}) });

export interface MpApiDeps {
  code2Session: Code2Session;
  sessions: MpSessionStore;
  subscriptions: MpSubscriptionStore;
  handleInbound: HandleInbound;
  workers: WorkerRepository;
  regions: RegionNode[];
  /** The `certification.status` action (app/certification/applicationStatus.ts). */
  status: ActionHandler;
  translator: Translator;
  clock: Clock;
  logger: Logger;
  templateIds: string[];
  defaultLocale: 'zh-CN' | 'en';
  /** Notices this user can still answer (a subscribe message carries one line, no buttons). */
  notices?: ((openid: string, now: Date) => Promise<OutboundMessage[]>) | undefined;
}

interface MpState {
  openid: string;
  token: string;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.slice(0, 5).map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  return parsed.data;
}

function jsonBody(ctx: Context): unknown {
  if (!ctx.is('application/json')) throw new HttpError(415, 'send the body as application/json');
  return ctx.request.body;
}

/**
 * The REST API of the mini program front end. Everything but login and the OpenAPI document needs a session
 * token; a missing, malformed, unknown, expired or altered token is one answer (401), so a client has one thing
 * to do about it: wx.login() and POST /mp/api/login again.
 */
export function mpApiRouter(deps: MpApiDeps): Router {
  const { clock, logger } = deps;
  const router = new Router({ prefix: MP_API_PREFIX });
  let openapi: Record<string, unknown> | undefined;

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  async function auth(ctx: Context, next: Next): Promise<void> {
    const header = ctx.get('authorization');
    const m = /^Bearer ([^\s]+)$/i.exec(header);
    const session = m ? await deps.sessions.find(m[1]!, clock.now()) : null;
    if (!m || !session) {
      ctx.set('WWW-Authenticate', `Bearer realm="mp", error="invalid_token"`);
      throw new HttpError(401, header ? 'the session token is invalid or has expired; log in again' : 'send the session token as Authorization: Bearer <token> (POST /mp/api/login gives one)');
    }
    ctx.state.mp = { openid: session.openid, token: m[1]! } satisfies MpState;
    await next();
  }
  const me = (ctx: Context) => ctx.state.mp as MpState;

  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi ??= buildOpenApi();
  });

  router.post('/login', async (ctx) => {
    const { code } = parse(loginRequest, jsonBody(ctx));
    let result;
    try {
      result = await deps.code2Session(code);
    } catch (err) {
      if (!(err instanceof Code2SessionError)) throw err;
      if (err.kind === 'badCode') throw new HttpError(400, err.message);
      if (err.kind === 'limited') throw new HttpError(429, err.message);
      if (err.kind === 'risky') throw new HttpError(403, 'WeChat refused this login');
      logger.warn({ errcode: err.errcode, error: err.message }, 'mini program login: jscode2session failed');
      throw new HttpError(502, 'WeChat login is not available right now; try again');
    }
    const session = await deps.sessions.create(result.openid, result.sessionKey, clock.now());
    logger.info({ openid: maskOpenid(result.openid) }, 'mini program login');
    ctx.body = { token: session.token, expiresAt: session.expiresAt.toISOString() };
  });

  router.post('/logout', auth, async (ctx) => {
    await deps.sessions.revoke(me(ctx).token);
    ctx.status = 204;
  });

  router.get('/me', auth, async (ctx) => {
    const w = await deps.workers.findByAccount(WECHAT_MP_CHANNEL, me(ctx).openid);
    if (!w) {
      ctx.body = { registered: false };
      return;
    }
    const regionName = regionPath(deps.regions, w.regionCode)
      .map((n) => n.name['zh-CN'])
      .join(' / ');
    ctx.body = {
      registered: true,
      profile: {
        name: maskName(w.name),
        mobile: maskMobile(w.mobile),
        idNumber: maskIdNumber(w.idNumber),
        gender: w.gender,
        orgName: w.orgName,
        regionCode: w.regionCode,
        regionName: regionName || w.regionCode,
        registeredOn: w.registeredAt.toISOString().slice(0, 10),
      },
    };
  });

  router.post('/turn', auth, async (ctx) => {
    const body = parse(turnRequest, jsonBody(ctx));
    const header = ctx.get('idempotency-key');
    if (header && !/^[A-Za-z0-9_.:-]{1,100}$/.test(header)) throw new HttpError(400, 'Idempotency-Key must be 1-100 letters, digits or _ . : -');
    if (header && body.messageId && header !== body.messageId) throw new HttpError(400, 'Idempotency-Key and messageId differ; send one of them');
    const key = body.messageId ?? (header || randomUUID());
    const { openid } = me(ctx);
    // The pipeline dedupes by (channel, messageId) across all users: a client-chosen key is scoped to its user.
    const result = await deps.handleInbound({
      channel: WECHAT_MP_CHANNEL,
      userId: openid,
      messageId: `${openid}:${key}`,
      input: 'text' in body ? { type: 'text', text: body.text } : { type: 'choice', choiceId: body.choiceId },
    });
    if (result.overloaded) return answerOverloaded(ctx, result.replies);
    ctx.body = {
      replies: result.replies.map(toReply),
      ...(result.duplicate ? { duplicate: true } : {}),
    };
  });

  router.get('/notices', auth, async (ctx) => {
    const notices = deps.notices ? await deps.notices(me(ctx).openid, clock.now()) : [];
    ctx.body = { notices: notices.map(toReply) };
  });

  router.get('/status', auth, async (ctx) => {
    const locale = parse(statusQuery, ctx.query).locale ?? deps.defaultLocale;
    const value = (await deps.status({}, { channel: WECHAT_MP_CHANNEL, userId: me(ctx).openid, locale, now: clock.now() })) as { registered?: boolean; text?: string } | null;
    const registered = value?.registered === true;
    ctx.body = { registered, text: registered ? String(value?.text ?? '') : deps.translator.t(locale, 'status:notRegistered.text') };
  });

  const grants = async (openid: string, ignored?: string[]) => ({
    templates: await deps.subscriptions.view(openid, deps.templateIds),
    ...(ignored?.length ? { ignored } : {}),
  });

  router.get('/subscriptions', auth, async (ctx) => {
    ctx.body = await grants(me(ctx).openid);
  });

  router.post('/subscriptions', auth, async (ctx) => {
    const raw = jsonBody(ctx) as { results?: unknown } | undefined;
    // wx.requestSubscribeMessage's result carries errMsg beside the template ids; the front end may pass it as is.
    const results = raw?.results && typeof raw.results === 'object' && !Array.isArray(raw.results) ? Object.fromEntries(Object.entries(raw.results).filter(([k]) => k !== 'errMsg')) : raw?.results;
    const body = parse(subscriptionsRequest, { ...(raw && typeof raw === 'object' ? raw : {}), results });
    const known = Object.fromEntries(Object.entries(body.results).filter(([id]) => deps.templateIds.includes(id)));
    const ignored = Object.keys(body.results).filter((id) => !deps.templateIds.includes(id));
    const { openid } = me(ctx);
    if (Object.keys(known).length) await deps.subscriptions.record(openid, known, clock.now());
    ctx.body = await grants(openid, ignored);
  });

  return router;
}
