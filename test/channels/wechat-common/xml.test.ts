import { describe, expect, it } from 'vitest';
import { buildWechatXml, hasMarkupDeclaration, parseWechatXml, WechatXmlError } from '../../../src/channels/wechat-common/xml.ts';

describe('parseWechatXml', () => {
  it('reads a text message, keeping the 64-bit MsgId and CreateTime as strings and CDATA as it is', () => {
    const { fields } = parseWechatXml(
      '<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[oAbC123456]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ a &amp; <b> ]]></Content><MsgId>9223372036854775807</MsgId></xml>',
    );
    expect(fields).toEqual({ ToUserName: 'gh_123', FromUserName: 'oAbC123456', CreateTime: '1348831860', MsgType: 'text', Content: ' a &amp; <b> ', MsgId: '9223372036854775807' });
  });

  it('decodes the predefined entities in plain text, without expanding anything else', () => {
    expect(parseWechatXml('<xml><A>a &lt; b &amp;&#x4e2d;&#25991; &unknown;</A></xml>').fields.A).toBe('a < b &中文 &unknown;');
  });

  it('keeps nested elements apart from text fields', () => {
    const r = parseWechatXml('<xml><Event><![CDATA[scancode_push]]></Event><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType></ScanCodeInfo></xml>');
    expect(r.fields).toEqual({ Event: 'scancode_push' });
    expect(r.nested).toEqual({ ScanCodeInfo: { ScanType: 'qrcode' } });
  });

  it.each([
    ['XXE', '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>'],
    ['billion laughs', '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xml><A>&lol2;</A></xml>'],
    ['lower-case doctype', '<!doctype xml><xml><A>1</A></xml>'],
    ['an entity declaration alone', '<xml><!ENTITY a "b"><A>1</A></xml>'],
    ['an element declaration', '<xml><!ELEMENT a ANY><A>1</A></xml>'],
    ['not XML', 'hello'],
    ['JSON', '{"ToUserName":"gh"}'],
    ['unclosed', '<xml><A>1</A>'],
    ['another root', '<foo><A>1</A></foo>'],
    ['an empty message', '<xml></xml>'],
    ['empty', ''],
  ])('refuses %s', (_name, xml) => {
    expect(() => parseWechatXml(xml)).toThrow(WechatXmlError);
  });

  it('lets comments and "<!" inside CDATA through', () => {
    expect(hasMarkupDeclaration('<xml><!-- c --><A><![CDATA[<!hi]]></A></xml>')).toBe(false);
    expect(parseWechatXml('<xml><!-- c --><A><![CDATA[<!hi]]></A></xml>').fields.A).toBe('<!hi');
  });
});

describe('buildWechatXml', () => {
  it('puts strings in CDATA (splitting "]]>"), numbers bare, and drops characters XML cannot carry', () => {
    const xml = buildWechatXml({ Content: 'a]]>b\u0001c', CreateTime: 12 });
    expect(xml).toBe('<xml><Content><![CDATA[a]]]]><![CDATA[>bc]]></Content><CreateTime>12</CreateTime></xml>');
    expect(parseWechatXml(xml).fields).toEqual({ Content: 'a]]>bc', CreateTime: '12' });
  });
});
