import { Schema, type Connection } from 'mongoose';
import { modelOf } from '../../store/mongo/connection.ts';

/**
 * What the bot knows about reaching a Telegram chat. A 403 ("bot was blocked by the user", "user is
 * deactivated") or "chat not found" marks it unreachable, so broadcasts and reminders can skip it; the next
 * message from that chat (unblocking shows the user a Restart button that sends /start) marks it reachable.
 */
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

export interface TelegramUsers {
  markUnreachable(chatId: string, reason: string, at: Date): Promise<void>;
  /** Cheap when the chat was reachable all along: the filter matches nothing and nothing is written. */
  markReachable(chatId: string, at: Date): Promise<void>;
  isUnreachable(chatId: string): Promise<boolean>;
}

export function createTelegramUsers(connection: Connection): TelegramUsers {
  const Model = modelOf<TelegramUserDoc>(connection, 'TelegramUser', schema);
  return {
    async markUnreachable(chatId, reason, at) {
      await Model.collection.updateOne(
        { _id: chatId as never },
        // $min keeps the first time of a run of failures (and sets it when missing).
        { $set: { unreachable: true, reason, updatedAt: at }, $min: { unreachableSince: at } },
        { upsert: true },
      );
    },
    async markReachable(chatId, at) {
      await Model.collection.updateOne({ _id: chatId as never, unreachable: true }, { $set: { unreachable: false, updatedAt: at }, $unset: { reason: '', unreachableSince: '' } });
    },
    async isUnreachable(chatId) {
      const doc = await Model.collection.findOne({ _id: chatId as never }, { projection: { unreachable: 1 } });
      return doc?.unreachable === true;
    },
  };
}
