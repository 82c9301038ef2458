import { describe, expect, it } from 'vitest';
import { normalizeInput, toHalfWidth } from '../../../src/domain/text/normalize.ts';

describe('toHalfWidth', () => {
  it.each([
    ['１３８１２３４５６７８', '13812345678'],
    ['ＡＢＣｘｙｚ', 'ABCxyz'],
    ['！', '!'], // U+FF01, first of the range
    ['～', '~'], // U+FF5E, last of the range
    ['２０２４年３月１日', '2024年3月1日'],
    ['a\u3000b', 'a b'],
    ['＋８６－１３８', '+86-138'],
    ['中文，不变。', '中文,不变。'], // the full-width comma is ASCII-range; the ideographic full stop is not
    ['｟', '｟'], // U+FF5F, just past the range
    ['plain 123', 'plain 123'],
  ])('%j → %j', (input, expected) => {
    expect(toHalfWidth(input)).toBe(expected);
  });
});

describe('normalizeInput', () => {
  it.each([
    ['  1381234 5678  ', '1381234 5678'],
    ['１３８\u3000\u3000１２３４\t５６７８\n', '138 1234 5678'],
    ['\u200B138\uFEFF1234', '1381234'],
    ['a\u00A0\u00A0b', 'a b'],
    ['①②③', '123'], // NFKC folds circled digits
    ['张　三', '张 三'],
    ['', ''],
    ['   ', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeInput(input)).toBe(expected);
  });

  it('keeps the zero-width joiner inside emoji sequences', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    expect(normalizeInput(family)).toBe(family);
  });
});
