import { cliChannel } from './cli/module.ts';
import { simChannel } from './sim/module.ts';
import { telegramChannel } from './telegram/module.ts';
import { wechatMpChannel } from './wechat-mp/module.ts';
import { wechatOaChannel } from './wechat-oa/module.ts';

/**
 * Every channel the app knows: main builds the enabled ones in this order (and stops them in reverse), config.ts
 * merges their settings into the configuration. A new channel is its folder and one entry here.
 */
export const CHANNELS = [simChannel, cliChannel, wechatOaChannel, telegramChannel, wechatMpChannel] as const;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** All channels' environment variables, one zod shape. */
export type ChannelSettingsShape = UnionToIntersection<(typeof CHANNELS)[number]['settings']>;
export const channelSettingsShape = Object.assign({}, ...CHANNELS.map((c) => c.settings)) as ChannelSettingsShape;
