import { describe, expect, it } from 'vitest';
import { maskPii } from '../../../src/domain/pii/mask.ts';

describe('maskPii', () => {
  it.each([
    ['身份证号11010519491231002X已提交', '身份证号110***********002X已提交'],
    ['id=110105194912311234;', 'id=110***********1234;'],
    ['lower x: 11010519491231002x', 'lower x: 110***********002X'],
    ['wrong checksum 110105194912311239', 'wrong checksum 110***********1239'],
    ['spaced 110105 19491231 002X end', 'spaced 110***********002X end'],
    ['手机13812345678，请联系', '手机138****5678，请联系'],
    ['tel: 138-1234-5678', 'tel: 138****5678'],
    ['tel: 138 1234 5678', 'tel: 138****5678'],
    ['+8613812345678', '+86138****5678'],
    ['+86 13812345678', '+86 138****5678'],
    ['８６１３８１２３４５６７８', '８６138****5678'],
    ['全角１３８１２３４５６７８', '全角138****5678'],
    ['两个: 13812345678 / 15987654321', '两个: 138****5678 / 159****4321'],
  ])('%j → %j', (input, expected) => {
    expect(maskPii(input)).toBe(expected);
  });

  it('masks inside JSON strings and keeps the JSON valid', () => {
    const json = JSON.stringify({ user: { idNumber: '11010519491231002X', mobile: '13812345678' }, note: 'x' });
    const masked = maskPii(json);
    expect(JSON.parse(masked)).toEqual({
      user: { idNumber: '110***********002X', mobile: '138****5678' },
      note: 'x',
    });
  });

  it.each([
    ['a 12-digit number', 'order 138123456789'],
    ['a 19-digit bank card', 'card 6222021234567890123'],
    ['a number not starting with 1[3-9]', 'code 12812345678'],
    ['a hex id', 'trace 5f3a13812345678bc'],
    ['an 18-digit number with no plausible birth date', 'seq 123456789012345678'],
    ['already masked text', '110***********002X 138****5678'],
    ['no digits', '没有个人信息'],
  ])('leaves %s alone', (_label, text) => {
    expect(maskPii(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = maskPii('ID 11010519491231002X phone +86 138 1234 5678');
    expect(maskPii(once)).toBe(once);
  });
});
