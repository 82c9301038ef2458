/**
 * How the load generator child (loadChild.ts) speaks to the app: the /sim API (the reply is the HTTP answer),
 * Telegram webhook updates (the reply is the sendMessage calls the app makes to a fake Bot API run in the child),
 * and WeChat OA safe-mode messages (encrypted and signed; the passive reply is the HTTP answer). Each checks the
 * replies turn by turn as the benches did in-process: status, the "busy" and "internal error" texts, the
 * registration's success text, and (Telegram) that every turn's messages arrive and none more.
 */
import type http from 'node:http';
import * as wecom from '@wecom/crypto';
import { createWechatCrypto } from '../../src/channels/wechat-common/crypto.ts';
import { buildWechatXml, parseWechatXml } from '../../src/channels/wechat-common/xml.ts';
import { FakeBotApi } from '../../test/channels/telegram/fakeBotApi.ts';
import { makeIdNumber } from '../../test/support/engineHarness.ts';
import { registrationScript } from '../../test/support/registrationScript.ts';
import { scriptFor } from '../engine/script.ts';
import { post } from './http.ts';
import type { SimUser } from './loadTypes.ts';

export type ProtocolSpec =
  | { kind: 'sim'; url: string; userPrefix: string; firstUser: number }
  | { kind: 'telegram'; url: string; secret: string; chatBase: number; firstUser: number; replyTimeoutMs: number }
  | { kind: 'wechat'; url: string; token: string; appId: string; aesKey: string; gh: string; runTag: string; budgetMs: number; firstUser: number };

export interface Seen {
  outcome: string;
  error?: string;
  socketWaitMs: number;
}

export interface Protocol {
  newUser(): SimUser;
  /** `base` overrides the spec's URL (Telegram's second webhook with the production send limits). */
  send(user: SimUser, text: string, startedAt: number, base?: string): Promise<Seen>;
  /** Telegram: sendMessage calls per script position, learned from the sanity user. */
  learned?(): number[];
}

export const BUSY = '上一条消息还在处理中';
export const INTERNAL_ERROR = '系统暂时出现问题';
export const SUCCESS = '注册成功';

/** Registration script of user #n with a distinct valid ID number: birth 1970-01-01 + ⌊n/1000⌋ days, sequence n mod 1000. */
function channelScript(n: number): string[] {
  const birth = new Date(Date.UTC(1970, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  return [...registrationScript(makeIdNumber('320102', birth, String(n % 1000).padStart(3, '0'))), '确认'];
}

/** POST with the time spent waiting for one of the pool's sockets. */
async function timedPost(agent: http.Agent, base: URL, path: string, body: Buffer, headers: Record<string, string>) {
  const sentAt = performance.now();
  let socketAt = sentAt;
  const res = await post(agent, base, path, body, headers, () => (socketAt = performance.now()));
  return { res, socketWaitMs: socketAt - sentAt };
}

export function makeProtocol(spec: ProtocolSpec, agent: http.Agent, telegram: TelegramReplies | undefined): Protocol {
  switch (spec.kind) {
    case 'sim':
      return simProtocol(spec, agent);
    case 'telegram':
      if (!telegram) throw new Error('telegram: start the fake Bot API (job telegramApi) first');
      return telegramProtocol(spec, agent, telegram);
    case 'wechat':
      return wechatProtocol(spec, agent);
  }
}

function simProtocol(spec: Extract<ProtocolSpec, { kind: 'sim' }>, agent: http.Agent): Protocol {
  let n = spec.firstUser;
  const url = new URL(spec.url);
  return {
    newUser: () => ({ n, userId: `${spec.userPrefix}-${n}`, script: scriptFor(n++), i: 0, success: false }),
    async send(user, text) {
      let socketWaitMs = 0;
      try {
        const r = await timedPost(agent, url, '/sim/api/messages', Buffer.from(JSON.stringify({ userId: user.userId, text })), { 'content-type': 'application/json' });
        socketWaitMs = r.socketWaitMs;
        if (r.res.status !== 200) return { outcome: `HTTP ${r.res.status}`, error: `HTTP ${r.res.status}: ${r.res.body.slice(0, 200)}`, socketWaitMs };
        if (r.res.body.includes(SUCCESS)) user.success = true;
        if (r.res.body.includes(BUSY)) return { outcome: 'busy', socketWaitMs };
        if (r.res.body.includes(INTERNAL_ERROR)) return { outcome: 'internal error', socketWaitMs };
        return { outcome: 'ok', socketWaitMs };
      } catch (err) {
        return { outcome: 'network', error: `network: ${(err as Error).message}`, socketWaitMs };
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Telegram

interface Waiting {
  /** sendMessage calls the turn makes; null while learning them (the sanity user). */
  expected: number | null;
  got: number;
  user: SimUser;
  done: () => void;
}

/** The fake Bot API, in this process: it sees each turn's sendMessage calls and settles the update waiting for them. */
export interface TelegramReplies {
  url: string;
  waiting: Map<string, Waiting>;
  /** sendMessage calls for a chat with no update waiting (more than its turn was expected to send). */
  stray: number;
  stop(): Promise<void>;
}

export async function startTelegramReplies(token: string): Promise<TelegramReplies> {
  const fake = await new FakeBotApi(token, { keepLog: false }).start();
  const replies: TelegramReplies = { url: fake.url, waiting: new Map(), stray: 0, stop: () => fake.stop() };
  fake.onCall = (call) => {
    if (call.method !== 'sendMessage') return;
    const chat = String(call.params.chat_id);
    const w = replies.waiting.get(chat);
    if (!w) return void replies.stray++;
    w.got++;
    if (String(call.params.text).includes(SUCCESS)) w.user.success = true;
    if (w.expected !== null && w.got >= w.expected) {
      replies.waiting.delete(chat);
      w.done();
    }
  };
  return replies;
}

/**
 * While learning (the sanity user, alone): a turn's messages are complete when none followed the last for this
 * long. Only the sanity user waits for it; the runs then know each position's count.
 */
const LEARN_QUIET_MS = 250;

function telegramProtocol(spec: Extract<ProtocolSpec, { kind: 'telegram' }>, agent: http.Agent, replies: TelegramReplies): Protocol {
  let n = spec.firstUser;
  let updateId = 1;
  let counts: number[] | null = null;
  const learning: number[] = [];
  return {
    newUser: () => {
      const m = n++;
      return { n: m, userId: String(spec.chatBase + m), script: channelScript(m), i: 0, success: false };
    },
    learned: () => (counts ??= [...learning]),
    async send(user, text, _startedAt, base) {
      const chat = user.userId;
      const expected = counts ? counts[user.i - 1]! : null;
      let timer: NodeJS.Timeout | undefined;
      const replied = new Promise<void>((done) => replies.waiting.set(chat, { expected, got: 0, user, done }));
      const strayBefore = replies.stray;
      const update = { update_id: updateId++, message: { message_id: user.i, date: Math.floor(Date.now() / 1000), chat: { id: Number(chat), type: 'private' }, from: { id: Number(chat), is_bot: false, first_name: 'Bench' }, text } };
      let socketWaitMs = 0;
      try {
        const r = await timedPost(agent, new URL(base ?? spec.url), '/telegram/webhook', Buffer.from(JSON.stringify(update)), { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': spec.secret });
        socketWaitMs = r.socketWaitMs;
        if (r.res.status !== 200) {
          replies.waiting.delete(chat);
          return { outcome: `HTTP ${r.res.status}`, error: `HTTP ${r.res.status}: ${r.res.body.slice(0, 200)}`, socketWaitMs };
        }
      } catch (err) {
        replies.waiting.delete(chat);
        return { outcome: 'network', error: (err as Error).message, socketWaitMs };
      }
      if (expected === null) {
        // Learning: wait for the first message, then for quiet.
        const w = replies.waiting.get(chat)!;
        const deadline = performance.now() + spec.replyTimeoutMs;
        let seen = -1;
        while (performance.now() < deadline && (w.got === 0 || w.got !== seen)) {
          seen = w.got;
          await new Promise((r) => setTimeout(r, LEARN_QUIET_MS));
        }
        replies.waiting.delete(chat);
        learning.push(w.got);
        return { outcome: w.got > 0 ? 'answered' : `no sendMessage within ${spec.replyTimeoutMs / 1000} s`, socketWaitMs };
      }
      const timedOut = await Promise.race([replied.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), spec.replyTimeoutMs)))]);
      clearTimeout(timer);
      if (timedOut) {
        const got = replies.waiting.get(chat)?.got ?? 0;
        replies.waiting.delete(chat);
        return { outcome: `no complete reply within ${spec.replyTimeoutMs / 1000} s`, error: `chat ${chat} position ${user.i}: ${got} of ${expected} sendMessage calls`, socketWaitMs };
      }
      // A message beyond the expected count lands after this update was settled: it shows on a later one.
      if (replies.stray > strayBefore) return { outcome: 'answered, and a sendMessage beyond a turn\'s count arrived meanwhile', socketWaitMs };
      return { outcome: 'answered', socketWaitMs };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// WeChat OA, safe mode

function wechatProtocol(spec: Extract<ProtocolSpec, { kind: 'wechat' }>, agent: http.Agent): Protocol {
  let n = spec.firstUser;
  let msgSeq = 0;
  const ours = createWechatCrypto({ token: spec.token, appId: spec.appId, aesKey: spec.aesKey });
  const url = new URL(spec.url);
  let sanity = true;
  return {
    newUser: () => {
      const m = n++;
      return { n: m, userId: `oBench_${spec.runTag}_${String(m).padStart(8, '0')}`, script: channelScript(m), i: 0, success: false };
    },
    // The sanity user decrypts every reply; the runs decrypt only the last one of each script (the success text).
    learned: () => ((sanity = false), []),
    async send(user, text, startedAt) {
      const openid = user.userId;
      const ts = Math.floor(Date.now() / 1000);
      const nonce = String(100000 + (msgSeq % 900000));
      const inner = buildWechatXml({ ToUserName: spec.gh, FromUserName: openid, CreateTime: ts, MsgType: 'text', Content: text, MsgId: `${Date.now()}${String(++msgSeq).padStart(7, '0')}` });
      const encrypt = wecom.encrypt(spec.aesKey, inner, spec.appId);
      const qs = new URLSearchParams({ signature: ours.signature(String(ts), nonce), timestamp: String(ts), nonce, openid, encrypt_type: 'aes', msg_signature: wecom.getSignature(spec.token, ts, nonce, encrypt) });
      const body = Buffer.from(`<xml><ToUserName><![CDATA[${spec.gh}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
      let socketWaitMs = 0;
      try {
        const r = await timedPost(agent, url, `/wechat/oa?${qs}`, body, { 'content-type': 'text/xml' });
        socketWaitMs = r.socketWaitMs;
        const took = performance.now() - startedAt;
        if (r.res.status !== 200) return { outcome: `HTTP ${r.res.status}`, error: `HTTP ${r.res.status}: ${r.res.body.slice(0, 200)}`, socketWaitMs };
        if (r.res.body === 'success') return { outcome: 'success (answered later by customer-service message)', socketWaitMs };
        if (!r.res.body.startsWith('<xml><Encrypt>')) return { outcome: 'unexpected body', error: `unexpected: ${r.res.body.slice(0, 200)}`, socketWaitMs };
        if (sanity || text === '确认') {
          const f = parseWechatXml(r.res.body).fields;
          if (wecom.getSignature(spec.token, f.TimeStamp!, f.Nonce!, f.Encrypt!) !== f.MsgSignature) return { outcome: 'reply signature does not verify', error: 'reply signature does not verify', socketWaitMs };
          const content = parseWechatXml(wecom.decrypt(spec.aesKey, f.Encrypt!).message).fields.Content ?? '';
          if (content.includes(SUCCESS)) user.success = true;
        }
        return { outcome: took > spec.budgetMs ? 'passive reply later than the budget' : 'passive reply', socketWaitMs };
      } catch (err) {
        return { outcome: 'network', error: `network: ${(err as Error).message}`, socketWaitMs };
      }
    },
  };
}
