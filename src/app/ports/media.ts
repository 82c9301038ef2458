import { ownValue } from '../../domain/records/ownValue.ts';

/**
 * Evidence photos. A channel hands the engine a reference to a picture (`wechat-media:<MediaId>`,
 * `telegram:<file_id>`, ...), not its bytes. Some of those references stop working: WeChat keeps the media of a
 * user's message for 3 days only. So the pictures of a submitted application are copied into our own store
 * (see app/certification/archiveEvidence.ts), where reviewers read them for as long as the application lives.
 */

/** A picture's bytes as a channel's platform serves them. */
export interface MediaContent {
  contentType: string;
  bytes: Buffer;
}

/** One kept copy, under the reference the channel gave. */
export interface StoredMedia extends MediaContent {
  ref: string;
  size: number;
  /** Hex SHA-256 of the bytes, for integrity checks and exports. */
  sha256: string;
  storedAt: string; // ISO time
}

export interface MediaStore {
  get(ref: string): Promise<StoredMedia | null>;
  /** Keeps a copy (size and hash computed here); a second put of the same reference keeps the first. */
  put(media: Omit<StoredMedia, 'size' | 'sha256'>): Promise<void>;
}

/** Fetches a reference's bytes from its platform. Throws when the platform fails or refuses (the caller retries). */
export interface MediaSource {
  fetch(ref: string): Promise<MediaContent>;
}

/** The reference's scheme, e.g. `wechat-media` for `wechat-media:abc`; null when it has none. */
export function mediaScheme(ref: string): string | null {
  const m = /^([a-z][a-z0-9-]*):./.exec(ref);
  return m ? m[1]! : null;
}

/** Thrown for a reference no configured channel can fetch (its channel is switched off, or it is malformed). */
export class UnknownMediaError extends Error {
  override name = 'UnknownMediaError';
}

/** The platform says the reference is gone for good (WeChat after its 3 days, a deleted file): not retried. */
export class MediaGoneError extends Error {
  override name = 'MediaGoneError';
}

/** Routes each reference to the source of its scheme. Looked up at fetch time: channels add their sources later. */
export function mediaSourceByScheme(sources: Record<string, MediaSource>): MediaSource {
  return {
    fetch(ref) {
      const scheme = mediaScheme(ref);
      // A stored reference decides the scheme: `constructor:x` must be unknown, not Object's constructor.
      const source = scheme ? ownValue(sources, scheme) : undefined;
      if (!source) return Promise.reject(new UnknownMediaError(`no channel can fetch media reference ${JSON.stringify(ref.slice(0, 80))}`));
      return source.fetch(ref);
    },
  };
}
