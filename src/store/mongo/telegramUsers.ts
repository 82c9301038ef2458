import { Schema, type Connection } from 'mongoose';
import { TELEGRAM_CHAT_ID, type TelegramUserStore } from '../../channels/ports.ts';
import { typedCollection } from './typedCollection.ts';

/** `telegram_users`: one document per chat that wrote, flagged while the bot cannot reach it (see TelegramUserStore). */
interface TelegramUserDoc {
  _id: string;
  unreachable: boolean;
  reason?: string;
  unreachableSince?: Date;
  updatedAt: Date;
}

const schema = new Schema<TelegramUserDoc>(
  {
    _id: { type: String, required: true },
    unreachable: { type: Boolean, required: true },
    reason: String,
    unreachableSince: Date,
    updatedAt: { type: Date, required: true },
  },
  { collection: 'telegram_users', versionKey: false, _id: false },
);
schema.index({ unreachable: 1 });

function checkChatId(chatId: string): void {
  if (!TELEGRAM_CHAT_ID.test(chatId)) throw new Error(`not a Telegram chat id: ${JSON.stringify(chatId.slice(0, 40))}`);
}

export function createMongoTelegramUsers(connection: Connection): TelegramUserStore {
  const users = typedCollection<TelegramUserDoc>(connection, 'TelegramUser', schema);
  return {
    async markUnreachable(chatId, reason, at) {
      checkChatId(chatId);
      // $min keeps the first time of a run of failures (and sets it when missing).
      await users.updateOne({ _id: chatId }, { $set: { unreachable: true, reason, updatedAt: at }, $min: { unreachableSince: at } }, { upsert: true });
    },
    async markReachable(chatId, at) {
      checkChatId(chatId);
      const r = await users.updateOne({ _id: chatId, unreachable: true }, { $set: { unreachable: false, updatedAt: at }, $unset: { reason: '', unreachableSince: '' } });
      // A chat seen for the first time becomes known; for a known one this matches and changes nothing.
      if (r.matchedCount === 0) await users.updateOne({ _id: chatId }, { $setOnInsert: { unreachable: false, updatedAt: at } }, { upsert: true });
    },
    async isUnreachable(chatId) {
      return (await this.status(chatId)) === 'unreachable';
    },
    async status(chatId) {
      if (!TELEGRAM_CHAT_ID.test(chatId)) return 'unknown';
      const doc = await users.findOne({ _id: chatId }, { projection: { unreachable: 1 } });
      return !doc ? 'unknown' : doc.unreachable ? 'unreachable' : 'reachable';
    },
  };
}
