import { describe, expect, it } from 'vitest';
import { maskMobile, parseMobile } from '../../../src/domain/identity/mobile.ts';

describe('parseMobile: accepted', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['19912345678', '19912345678'],
    ['16612345678', '16612345678'],
    [' 138 1234 5678 ', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['138—1234—5678', '13812345678'],
    ['+8613812345678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['(+86) 138-1234-5678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['0086 13812345678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
    ['＋８６　１３８　１２３４　５６７８', '13812345678'],
  ])('%j → %j', (raw, value) => {
    expect(parseMobile(raw)).toEqual({ ok: true, value });
  });
});

describe('parseMobile: rejected', () => {
  it.each([
    ['starts with 12', '12812345678', 'prefix'],
    ['starts with 10', '10012345678', 'prefix'],
    ['starts with 2', '23812345678', 'prefix'],
    ['landline with area code', '025-12345678', 'prefix'],
    ['Hong Kong country code', '+852 91234567', 'prefix'],
    ['other international prefix', '00852912345678', 'prefix'],
    ['10 digits', '1381234567', 'length'],
    ['12 digits', '138123456789', 'length'],
    ['+86 and 10 digits', '+86 1381234567', 'length'],
    ['empty', '', 'length'],
    ['letters', '138abcd5678', 'format'],
    ['Chinese text', '没有手机', 'format'],
    ['a lone plus', '+', 'format'],
    ['plus and letters', '+86abc', 'format'],
  ])('%s', (_label, raw, reason) => {
    expect(parseMobile(raw)).toEqual({ ok: false, reason });
  });
});

describe('maskMobile', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+86 138-1234-5678', '138****5678'],
    ['１３８１２３４５６７８', '138****5678'],
    ['123456', '******'],
  ])('%j → %j', (input, expected) => {
    expect(maskMobile(input)).toBe(expected);
  });
});
