import { describe, expect, it } from 'vitest';
import { parseUscc, usccCheckChar } from '../../../src/domain/identity/uscc.ts';

describe('unified social credit code (GB 32100)', () => {
  it.each([
    ['91350100M000100Y43', '350100'],
    ['91110000802100433B', '110000'],
    ['52330482MJ00000019', '330482'], // a social organisation in Pinghu (made-up code with a valid check character)
  ])('accepts %s', (code, region) => {
    expect(parseUscc(code)).toEqual({ ok: true, value: code, regionCode: region });
  });

  it('accepts lower case, spaces, dashes and full-width characters', () => {
    expect(parseUscc('91350100m000100y43').ok).toBe(true);
    expect(parseUscc('9135 0100-M000 100Y43').ok).toBe(true);
    expect(parseUscc('９１３５０１００Ｍ０００１００Ｙ４３').ok).toBe(true);
  });

  it.each([
    ['91350100M000100Y4', 'length'],
    ['91350100M000100Y433', 'length'],
    ['91350100M000100YI3', 'format'], // I is not in the alphabet
    ['91AB0100M000100Y43', 'format'], // the region part must be digits
    ['91350100M000100Y44', 'checksum'],
  ])('refuses %s (%s)', (code, reason) => {
    expect(parseUscc(code)).toEqual({ ok: false, reason });
  });

  it('computes the check character of the first 17 characters', () => {
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
  });
});
