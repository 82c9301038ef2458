import { Schema, type Connection } from 'mongoose';
import type { TokenStore } from '../../channels/ports.ts';
import { typedCollection } from './typedCollection.ts';

/** `wechat_tokens`: the access token of each app id, shared by every instance (see wechat-common/apiClient.ts). */
interface TokenDoc {
  _id: string;
  accessToken: string;
  expiresAt: Date;
  fetchedAt: Date;
}
const schema = new Schema<TokenDoc>(
  { _id: String, accessToken: { type: String, required: true }, expiresAt: { type: Date, required: true }, fetchedAt: { type: Date, required: true } },
  { collection: 'wechat_tokens', versionKey: false, _id: false },
);

/** App ids come from the configuration (checked by its schema), never from a request. */
export function createMongoWechatTokenStore(connection: Connection): TokenStore {
  const tokens = typedCollection<TokenDoc>(connection, 'WechatToken', schema);
  return {
    async load(appId) {
      return tokens.findOne({ _id: appId });
    },
    async save(appId, accessToken, expiresAt, fetchedAt) {
      await tokens.updateOne({ _id: appId }, { $set: { accessToken, expiresAt, fetchedAt } }, { upsert: true });
    },
  };
}
