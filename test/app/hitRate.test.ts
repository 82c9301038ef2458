import { describe, expect, it } from 'vitest';
import { HitRate } from '../../src/app/hitRate.ts';

describe('HitRate', () => {
  const tries = (h: HitRate, n: number) => Array.from({ length: n }, () => h.shouldTry()).filter(Boolean).length;

  it('keeps trying while most guesses hold', () => {
    const h = new HitRate();
    for (let i = 0; i < 200; i++) h.record(i % 3 !== 0);
    expect(tries(h, 32)).toBe(32);
  });

  it('tries once in 16 when most miss (a chat spread over three instances), and again always once they hold', () => {
    const h = new HitRate();
    for (let i = 0; i < 200; i++) h.record(i % 3 === 0);
    expect(tries(h, 64)).toBe(4);
    for (let i = 0; i < 200; i++) h.record(true);
    expect(tries(h, 32)).toBe(32);
  });
});
