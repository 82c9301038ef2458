import type { Connection } from 'mongoose';
import type { Clock } from '../../app/ports/clock.ts';
import type { ChannelStores } from '../../channels/ports.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import { createSimOutbox } from './simOutbox.ts';
import { createMongoTelegramUsers } from './telegramUsers.ts';
import { createMongoWechatTokenStore } from './wechatAccessTokens.ts';
import { createMongoDeliveryClaims } from './wechatDeliveryClaims.ts';
import { createMongoMpSessions } from './wechatMpSessions.ts';
import { createMongoMpSubscriptions } from './wechatMpSubscriptions.ts';
import { createMongoWechatUsers } from './wechatUsers.ts';

/** The channels' state in MongoDB; a store's collection (and its indexes) exists only once a channel asks for it. */
export function createMongoChannelStores(connection: Connection, cipher: PiiCipher, clock: Clock): ChannelStores {
  return {
    simOutbox: () => createSimOutbox(connection, cipher, () => clock.now()),
    telegramUsers: () => createMongoTelegramUsers(connection),
    wechatTokens: () => createMongoWechatTokenStore(connection),
    wechatUsers: (settings) => createMongoWechatUsers(connection, settings),
    wechatDeliveryClaims: (appId) => createMongoDeliveryClaims(connection, appId),
    mpSessions: (opts) => createMongoMpSessions(connection, cipher, opts),
    mpSubscriptions: () => createMongoMpSubscriptions(connection),
    async ready() {
      await Promise.all(Object.values(connection.models).map((m) => m.init()));
    },
  };
}
