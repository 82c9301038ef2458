import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkinCodeValid, currentCheckinCode } from '../../../src/app/training/checkinCode.ts';

const secret = randomBytes(32);
const t0 = new Date('2026-04-10T01:00:05Z');

describe('check-in codes', () => {
  it('the current code is accepted, and for the next window while it is typed', () => {
    const { code, validUntil } = currentCheckinCode(secret, 's1', t0);
    expect(code).toMatch(/^\d{6}$/);
    expect(validUntil.toISOString()).toBe('2026-04-10T01:00:30.000Z');
    expect(checkinCodeValid(secret, 's1', code, t0)).toBe(true);
    expect(checkinCodeValid(secret, 's1', code, new Date(validUntil.getTime() + 29_000))).toBe(true);
  });
  it('an old code (a photo sent to a friend) is refused a minute later', () => {
    const { code } = currentCheckinCode(secret, 's1', t0);
    expect(checkinCodeValid(secret, 's1', code, new Date(t0.getTime() + 60_000))).toBe(false);
  });
  it('a forged code, another session code or another server secret is refused', () => {
    const { code } = currentCheckinCode(secret, 's1', t0);
    expect(checkinCodeValid(secret, 's2', code, t0)).toBe(false);
    expect(checkinCodeValid(randomBytes(32), 's1', code, t0)).toBe(false);
    const forged = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(checkinCodeValid(secret, 's1', forged, t0)).toBe(false);
    expect(checkinCodeValid(secret, 's1', '12345', t0)).toBe(false);
  });
});
