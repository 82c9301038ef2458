import { describe, expect, it } from 'vitest';
import { createPiiCipher } from '../../src/infra/piiCipher.ts';

const cipher = createPiiCipher(Buffer.alloc(32, 3));

describe('PII cipher', () => {
  it('round-trips, with a fresh IV every time', () => {
    const a = cipher.encrypt('320102198503121234');
    const b = cipher.encrypt('320102198503121234');
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a)).toBe('320102198503121234');
    expect(a).not.toContain('320102198503121234');
  });

  it('refuses tampered ciphertext instead of returning garbage', () => {
    const sealed = cipher.encrypt('13812345678');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
    expect(() => cipher.decrypt('v0.x.y.z')).toThrow(/not a sealed value/);
  });

  it('gives a stable HMAC per value and key', () => {
    expect(cipher.hmac('a')).toBe(cipher.hmac('a'));
    expect(cipher.hmac('a')).not.toBe(cipher.hmac('b'));
    expect(createPiiCipher(Buffer.alloc(32, 4)).hmac('a')).not.toBe(cipher.hmac('a'));
  });

  it('requires a 32-byte key', () => {
    expect(() => createPiiCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
