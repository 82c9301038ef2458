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

  it('never repeats an IV, also across the draws it takes from the random source', () => {
    const ivs = new Set<string>();
    const n = 1_000; // several draws of 256
    for (let i = 0; i < n; i++) {
      const sealed = cipher.encrypt(`value ${i}`);
      ivs.add(sealed.split('.')[1]!);
      expect(cipher.decrypt(sealed)).toBe(`value ${i}`);
    }
    for (let i = 0; i < 300; i++) ivs.add(cipher.sealBytes(Buffer.from([i & 255])).subarray(1, 13).toString('base64'));
    expect(ivs.size).toBe(n + 300);
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

  it('seals bytes: round-trips, fresh IV, plaintext not visible, tampering and truncation refused', () => {
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('320102198503121234 on a scanned page')]);
    const a = cipher.sealBytes(photo);
    const b = cipher.sealBytes(photo);
    expect(a.equals(b)).toBe(false);
    expect(cipher.openBytes(a).equals(photo)).toBe(true);
    expect(a.includes(Buffer.from('320102198503121234'))).toBe(false);
    const tampered = Buffer.from(a);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    expect(() => cipher.openBytes(tampered)).toThrow();
    expect(() => cipher.openBytes(a.subarray(0, 20))).toThrow(/not sealed bytes/);
    expect(() => createPiiCipher(Buffer.alloc(32, 4)).openBytes(a)).toThrow();
  });

  it('requires a 32-byte key', () => {
    expect(() => createPiiCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
