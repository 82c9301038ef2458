import type { Connection } from 'mongoose';
import { isDuplicateKey } from './connection.ts';

interface LegacyDoc {
  _id: string;
  kind: string;
  subject: string;
  workerId: string;
  [field: string]: unknown;
}

const SHARED_KINDS = ['sessionStart', 'examDate'];

/**
 * Earlier versions keyed a session's reminders kind|session|occurrence|offset, without the worker, so each enrolment
 * replaced the previous one's. Each such reminder still waiting is moved to its worker's key (it then cannot fire
 * beside the same worker's new one); returns the sessions concerned, whose other seat holders lost theirs and need
 * them scheduled again. Idempotent: a moved reminder has five key parts and is not found again.
 */
export async function rekeyLegacySessionReminders(connection: Connection): Promise<string[]> {
  const reminders = connection.collection<LegacyDoc>('reminders');
  const waiting = await reminders.find({ kind: { $in: SHARED_KINDS }, status: 'scheduled' }).toArray();
  const sessions = new Set<string>();
  for (const { _id, ...fields } of waiting) {
    if (_id.split('|').length !== 4) continue;
    try {
      await reminders.insertOne({ _id: `${_id}|${fields.workerId}`, ...fields });
    } catch (err) {
      // Already moved by an instance starting at the same time.
      if (!isDuplicateKey(err)) throw err;
    }
    await reminders.deleteOne({ _id, status: 'scheduled' });
    sessions.add(fields.subject);
  }
  return [...sessions];
}
