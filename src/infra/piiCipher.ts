import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Personal data at rest: AES-256-GCM for values, HMAC-SHA256 for lookups ("is this ID number registered?")
 * without decrypting anything. Both keys are derived from the one PII_KEY with HKDF, so one secret is managed
 * and the two uses never share a key.
 */
export interface PiiCipher {
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
  /** A stable, keyed fingerprint for unique indexes and lookups. */
  hmac(value: string): string;
  /** The same AES-256-GCM for bytes (evidence photos): version byte, IV, tag, ciphertext, with no text encoding. */
  sealBytes(bytes: Buffer): Buffer;
  openBytes(sealed: Buffer): Buffer;
}

const VERSION = 'v1';
const BYTES_VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
/** IVs drawn from the CSPRNG this many at a time (see nextIv). */
const IVS_PER_DRAW = 256;

export function createPiiCipher(masterKey: Buffer): PiiCipher {
  if (masterKey.length !== 32) throw new Error('PII key must be 32 bytes');
  const encKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'redcollar/pii/aes-256-gcm', 32));
  const macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'redcollar/pii/hmac-sha256', 32));
  // Every turn seals its state and replies: one call into the CSPRNG per 256 IVs rather than one per seal (that
  // call was about 1.5 % of the app's CPU on the /sim path). Each IV is still 96 fresh random bits, used once: a
  // drawn buffer is only read, and replaced whole when used up.
  let ivs = Buffer.alloc(0);
  let ivAt = 0;
  const nextIv = (): Buffer => {
    if (ivAt + IV_LENGTH > ivs.length) {
      ivs = randomBytes(IV_LENGTH * IVS_PER_DRAW);
      ivAt = 0;
    }
    ivAt += IV_LENGTH;
    return ivs.subarray(ivAt - IV_LENGTH, ivAt);
  };
  return {
    encrypt(plaintext) {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}.${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${body.toString('base64')}`;
    },
    decrypt(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed value of this version');
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
    hmac(value) {
      return createHmac('sha256', macKey).update(value, 'utf8').digest('base64url');
    },
    sealBytes(bytes) {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
      return Buffer.concat([Buffer.of(BYTES_VERSION), iv, cipher.getAuthTag(), body]);
    },
    openBytes(sealed) {
      if (sealed.length < 1 + IV_LENGTH + TAG_LENGTH || sealed[0] !== BYTES_VERSION) throw new Error('not sealed bytes of this version');
      const iv = sealed.subarray(1, 1 + IV_LENGTH);
      const decipher = createDecipheriv('aes-256-gcm', encKey, iv);
      decipher.setAuthTag(sealed.subarray(1 + IV_LENGTH, 1 + IV_LENGTH + TAG_LENGTH));
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_LENGTH + TAG_LENGTH)), decipher.final()]);
    },
  };
}
