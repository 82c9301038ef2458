import { createHash } from 'node:crypto';
import { Binary } from 'mongodb';
import { Schema, type Connection } from 'mongoose';
import type { MediaStore, StoredMedia } from '../../app/ports/media.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Kept copies of evidence photos, one document per channel reference (`_id`). The bytes are sealed with the PII
 * key: a photo of a certificate or an ID card is personal data like the numbers on it. A document holds one
 * picture whole (MongoDB's limit is 16 MB; pictures are capped well below it by MAX_MEDIA_BYTES).
 */
interface MediaDoc {
  _id: string;
  contentType: string;
  size: number;
  sha256: string;
  sealed: Binary;
  storedAt: Date;
}

/** The largest picture kept: WeChat's own limit for an image message is 10 MB. */
export const MAX_MEDIA_BYTES = 10 * 1024 * 1024;

const schema = new Schema<MediaDoc>(
  { _id: String, contentType: String, size: Number, sha256: String, sealed: Buffer, storedAt: Date },
  { collection: 'media', versionKey: false, _id: false },
);

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export function createMongoMediaStore(connection: Connection, cipher: PiiCipher): MediaStore {
  const collection = typedCollection<MediaDoc>(connection, 'Media', schema);
  return {
    async get(ref) {
      if (typeof ref !== 'string') throw new TypeError('ref must be a string');
      const doc = await collection.findOne({ _id: ref });
      if (!doc) return null;
      const bytes = cipher.openBytes(Buffer.from(doc.sealed.buffer));
      return { ref, contentType: doc.contentType, size: doc.size, sha256: doc.sha256, bytes, storedAt: doc.storedAt.toISOString() } satisfies StoredMedia;
    },
    async put(media) {
      if (typeof media.ref !== 'string' || media.ref.length === 0 || media.ref.length > 512) throw new TypeError('ref must be a string of 1-512 characters');
      if (media.bytes.length > MAX_MEDIA_BYTES) throw new RangeError(`media ${media.ref} is ${media.bytes.length} bytes; the most kept is ${MAX_MEDIA_BYTES}`);
      try {
        await collection.insertOne({
          _id: media.ref,
          contentType: media.contentType,
          size: media.bytes.length,
          sha256: sha256Hex(media.bytes),
          sealed: new Binary(cipher.sealBytes(media.bytes)),
          storedAt: new Date(media.storedAt),
        });
      } catch (err) {
        // Kept already (a retried job, two instances): the first copy stays.
        if (!isDuplicateKey(err)) throw err;
      }
    },
  };
}
