import { describe, expect, it } from 'vitest';
import { decide, OaMessageError, readEnvelope } from '../../../src/channels/wechat-oa/inbound.ts';
import { renderCustomMessages, renderText, splitText } from '../../../src/channels/wechat-oa/render.ts';
import { DEFAULT_OA_TEXTS } from '../../../src/channels/wechat-oa/texts.ts';
import { inheritedNameVariants } from '../../support/inheritedNames.ts';

const OPENID = 'oWx_abcdefghijklmnopqrstuv';
const env = (extra: Record<string, string>) => ({ ToUserName: 'gh_1', FromUserName: OPENID, CreateTime: '1714112445', ...extra });
const run = (fields: Record<string, string>) => decide(readEnvelope(fields), fields, DEFAULT_OA_TEXTS);

describe('decide: from a WeChat push to what the channel does', () => {
  it.each([
    ['text', { MsgType: 'text', Content: '你好', MsgId: '7000000000000000001' }, { messageId: '7000000000000000001', input: { type: 'text', text: '你好' } }],
    ['image', { MsgType: 'image', MediaId: 'abc_DEF-1', PicUrl: 'http://x', MsgId: '2' }, { messageId: '2', input: { type: 'image', mediaRef: 'wechat-media:abc_DEF-1' } }],
    ['recognised voice', { MsgType: 'voice', MediaId: 'm', Recognition: ' 进度 ', MsgId: '3' }, { messageId: '3', input: { type: 'text', text: '进度' } }],
    ['subscribe', { MsgType: 'event', Event: 'subscribe' }, { messageId: `evt:${OPENID}:1714112445:subscribe`, input: { type: 'text', text: '菜单' } }],
    ['subscribe by QR scene', { MsgType: 'event', Event: 'subscribe', EventKey: 'qrscene_declare' }, { messageId: `evt:${OPENID}:1714112445:subscribe:qrscene_declare`, input: { type: 'text', text: 'declare' } }],
    ['SCAN', { MsgType: 'event', Event: 'SCAN', EventKey: 'register', Ticket: 't' }, { messageId: `evt:${OPENID}:1714112445:scan:register`, input: { type: 'text', text: 'register' } }],
    ['CLICK DECLARE', { MsgType: 'event', Event: 'CLICK', EventKey: 'DECLARE' }, { input: { type: 'text', text: '申报' } }],
    ['CLICK STATUS', { MsgType: 'event', Event: 'CLICK', EventKey: 'STATUS' }, { input: { type: 'text', text: '进度' } }],
  ])('%s runs a turn', (_name, fields, expected) => {
    const d = run(env(fields));
    expect(d.kind).toBe('turn');
    if (d.kind !== 'turn') return;
    expect(d.message).toMatchObject({ channel: 'wechat-oa', userId: OPENID, ...expected });
    expect(d.subscribe).toBe((fields as Record<string, string>).Event === 'subscribe');
  });

  it.each([
    ['voice without recognition', { MsgType: 'voice', MediaId: 'm', MsgId: '4' }, { kind: 'say', text: DEFAULT_OA_TEXTS.voiceNotRecognised }],
    ['video', { MsgType: 'video', MediaId: 'm', MsgId: '5' }, { kind: 'say', text: DEFAULT_OA_TEXTS.unsupported }],
    ['location', { MsgType: 'location', Location_X: '1', MsgId: '6' }, { kind: 'say', text: DEFAULT_OA_TEXTS.unsupported }],
    ['unsubscribe', { MsgType: 'event', Event: 'unsubscribe' }, { kind: 'unsubscribe' }],
    ['VIEW', { MsgType: 'event', Event: 'VIEW', EventKey: 'https://x' }, { kind: 'ignore', opensWindow: false }],
    ['an unknown CLICK key', { MsgType: 'event', Event: 'CLICK', EventKey: 'NOPE' }, { kind: 'ignore', opensWindow: true }],
    ['a template receipt', { MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', Status: 'success' }, { kind: 'ignore', opensWindow: false }],
  ])('%s does not run a turn', (_name, fields, expected) => {
    expect(run(env(fields))).toMatchObject({ openid: OPENID, ...expected });
  });

  it('regression: a CLICK key named like an inherited property ("constructor") ran a turn on Object\'s property', () => {
    for (const key of inheritedNameVariants()) {
      expect(run(env({ MsgType: 'event', Event: 'CLICK', EventKey: key })), key).toEqual({ kind: 'ignore', openid: OPENID, opensWindow: true });
    }
  });

  it('refuses envelopes that are not WeChat pushes', () => {
    expect(() => readEnvelope({ ...env({ MsgType: 'text' }), FromUserName: '../../etc' })).toThrow(OaMessageError);
    expect(() => readEnvelope({ ...env({ MsgType: 'text' }), CreateTime: 'yesterday' })).toThrow(OaMessageError);
    expect(() => readEnvelope(env({}))).toThrow(/MsgType/);
    expect(() => readEnvelope({ ...env({ MsgType: 'text' }), MsgId: '1e9' })).toThrow(OaMessageError);
  });
});

describe('rendering for WeChat text', () => {
  it('merges the messages of a turn and numbers the choices under their text', () => {
    expect(
      renderText([
        { text: '您好！' },
        { text: '请选择：', choices: [{ id: 'a', label: '注册' }, { id: 'b', label: '帮助' }] },
      ]),
    ).toBe('您好！\n\n请选择：\n1. 注册\n2. 帮助');
  });

  it('splits long texts at line boundaries within the byte limit, losing nothing', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `第${i}行内容`);
    const parts = splitText(lines.join('\n'), 500);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => Buffer.byteLength(p) <= 500)).toBe(true);
    expect(parts.join('\n')).toBe(lines.join('\n'));
    const oneLine = '字'.repeat(1000);
    expect(splitText(oneLine, 300).join('')).toBe(oneLine);
  });

  it('uses msgmenu only for a final single-choice question, when enabled', () => {
    const q = [{ text: '要继续吗？', choices: [{ id: 'y', label: '是' }, { id: 'n', label: '否' }] }];
    expect(renderCustomMessages(q, { menus: false })).toEqual([{ msgtype: 'text', text: { content: '要继续吗？\n1. 是\n2. 否' } }]);
    expect(renderCustomMessages(q, { menus: true })[0]).toMatchObject({ msgtype: 'msgmenu' });
    expect(renderCustomMessages([{ ...q[0]!, multi: true }], { menus: true })[0]).toMatchObject({ msgtype: 'text' });
  });
});
