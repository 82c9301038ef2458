import { z } from 'zod';
import { int } from '../../infra/envFields.ts';

/** Settings both WeChat channels read (each lists them in its own settings, so either alone has them). */
export const wechatCommonSettings = {
  WECHAT_API_BASE: z.url({ message: 'WECHAT_API_BASE must be an absolute URL' }).default('https://api.weixin.qq.com'),
  WECHAT_TIMESTAMP_WINDOW_SECONDS: int('WECHAT_TIMESTAMP_WINDOW_SECONDS', 30, 3600).default(300),
};

export const wechatAppId = (name: string) => z.string().regex(/^wx[0-9a-f]{16}$/i, { message: `${name} looks like wx followed by 16 hex characters` }).optional();
export const wechatPushToken = (name: string, what: string) => z.string().regex(/^[A-Za-z0-9]{3,32}$/, { message: `${name} is the 3-32 letter/digit ${what}` }).optional();
export const wechatAesKey = (name: string, what = 'the 43-character EncodingAESKey') => z.string().regex(/^[A-Za-z0-9]{43}$/, { message: `${name} is ${what}` }).optional();
export const pushMode = (name: string) => z.enum(['plain', 'compatible', 'safe'], { message: `${name} must be plain, compatible or safe (as set in the WeChat console)` }).optional();

/** A non-plain push mode without an AES key cannot decrypt anything: refused at start-up. */
export function keylessMode(modeName: string, mode: string | undefined, keyName: string, key: string | undefined): string[] {
  return mode !== undefined && mode !== 'plain' && key === undefined ? [`${modeName}=${mode} needs ${keyName} (the EncodingAESKey from the WeChat console)`] : [];
}
