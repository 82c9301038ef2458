import { Schema, type Connection } from 'mongoose';
import type { ReminderSettingsStore } from '../../app/ports/reminderSettings.ts';
import { reminderPolicySchema, type ReminderPolicy } from '../../domain/policy/trainingSchema.ts';
import { typedCollection } from './typedCollection.ts';

/** `reminder_settings`: one document per region prefix (its _id), the settings an admin put for it. */
interface SettingsDoc {
  _id: string;
  settings: ReminderPolicy;
  updatedAt: Date;
  updatedBy: string;
}
const schema = new Schema<SettingsDoc>({ _id: String }, { versionKey: false, _id: false, strict: false, collection: 'reminder_settings' });

export function createMongoReminderSettingsStore(connection: Connection): ReminderSettingsStore {
  const settings = typedCollection<SettingsDoc>(connection, 'ReminderSettings', schema);
  // Read back through the schema, so a document written by an older version gets today's defaults for what it lacks.
  const toEntry = (d: SettingsDoc) => ({ region: d._id, settings: reminderPolicySchema.parse(d.settings), updatedAt: d.updatedAt, updatedBy: d.updatedBy });
  return {
    async all() {
      return (await settings.find({}).toArray()).map(toEntry);
    },
    async get(region) {
      const d = await settings.findOne({ _id: region });
      return d ? toEntry(d) : null;
    },
    async put(e) {
      await settings.updateOne({ _id: e.region }, { $set: { settings: e.settings, updatedAt: e.updatedAt, updatedBy: e.updatedBy } }, { upsert: true });
    },
  };
}
