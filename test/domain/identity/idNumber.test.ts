import { describe, expect, it } from 'vitest';
import { idNumberCheckChar, idNumberFacts, maskIdNumber, parseIdNumber } from '../../../src/domain/identity/idNumber.ts';

/** The GB 11643-1999 check character, computed here independently of the code under test. */
function withCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11]!;
}

/** A different, still valid-looking check character. */
function wrongCheck(id: string): string {
  const last = id.at(-1)!;
  return id.slice(0, 17) + (last === '0' ? '1' : '0');
}

const toFullWidth = (s: string): string => s.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const MALE_1985 = withCheck('32010219850315123'); // 17th digit 3: male
const FEMALE_2000 = withCheck('33048220000229002'); // leap day, 17th digit 2: female

describe('the test helper', () => {
  it('agrees with a published example number', () => {
    expect(withCheck('11010519491231002')).toBe('11010519491231002X');
  });
});

describe('parseIdNumber: accepted', () => {
  it.each([
    ['11010519491231002X', '11010519491231002X', '1949-12-31', 'female', '110105'],
    ['11010519491231002x', '11010519491231002X', '1949-12-31', 'female', '110105'],
    [' 110105 19491231 002X ', '11010519491231002X', '1949-12-31', 'female', '110105'],
    [toFullWidth('11010519491231002x'), '11010519491231002X', '1949-12-31', 'female', '110105'],
    ['１１０１０５１９４９１２３１００２Ｘ', '11010519491231002X', '1949-12-31', 'female', '110105'],
    [MALE_1985, MALE_1985, '1985-03-15', 'male', '320102'],
    [FEMALE_2000, FEMALE_2000, '2000-02-29', 'female', '330482'],
    [withCheck('32058319000101001'), withCheck('32058319000101001'), '1900-01-01', 'male', '320583'],
  ])('%j', (raw, value, birthDate, gender, regionCode) => {
    expect(parseIdNumber(raw)).toEqual({ ok: true, value, birthDate, gender, regionCode });
  });

  it('accepts a birth date equal to today', () => {
    const id = withCheck('32010220240301001');
    expect(parseIdNumber(id, '2024-03-01')).toMatchObject({ ok: true, birthDate: '2024-03-01' });
  });

  it('computes the check character of the published example', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(idNumberCheckChar('32010219850315123')).toBe(MALE_1985.at(-1));
  });
});

describe('parseIdNumber: rejected', () => {
  it.each([
    ['wrong check digit', wrongCheck(MALE_1985), 'checksum'],
    ['X where a digit is due', MALE_1985.slice(0, 17) + (MALE_1985.endsWith('X') ? '0' : 'X'), 'checksum'],
    ['17 characters', MALE_1985.slice(0, 17), 'length'],
    ['19 characters', MALE_1985 + '1', 'length'],
    ['old 15-digit number', '110105491231002', 'length'],
    ['empty', '', 'length'],
    ['letters', '32010219850315ABCD', 'format'],
    ['X not at the end', '3201021985031512X3', 'format'],
    ['Chinese text', '我的身份证号', 'format'],
    ['punctuation', '320102-19850315-1234', 'format'],
    ['30 February', withCheck('32010219850230123'), 'birthdate'],
    ['29 February of a common year', withCheck('32010219990229123'), 'birthdate'],
    ['month 13', withCheck('32010219851301123'), 'birthdate'],
    ['day 00', withCheck('32010219850300123'), 'birthdate'],
    ['before 1900', withCheck('32010218991231123'), 'birthdate'],
  ])('%s', (_label, raw, reason) => {
    expect(parseIdNumber(raw)).toEqual({ ok: false, reason });
  });

  it('rejects a birth date after today (string)', () => {
    const id = withCheck('32010220240302001');
    expect(parseIdNumber(id, '2024-03-01')).toEqual({ ok: false, reason: 'birthdate' });
    expect(parseIdNumber(id)).toMatchObject({ ok: true }); // without today only the calendar counts
  });

  it('rejects a birth date after today (Date), judging the day in China', () => {
    const id = withCheck('32010220240302001');
    // 2024-03-01 20:00 UTC is already 2 March 04:00 in Beijing: born "today", accepted.
    expect(parseIdNumber(id, new Date(Date.UTC(2024, 2, 1, 20, 0)))).toMatchObject({ ok: true });
    // 2024-03-01 10:00 UTC is 18:00 on 1 March in Beijing: tomorrow's birth date, rejected.
    expect(parseIdNumber(id, new Date(Date.UTC(2024, 2, 1, 10, 0)))).toEqual({ ok: false, reason: 'birthdate' });
  });
});

describe('maskIdNumber', () => {
  it.each([
    ['110105194912311234', '110***********1234'],
    ['11010519491231002x', '110***********002X'],
    [toFullWidth('110105194912311234'), '110***********1234'],
  ])('%j → %j', (input, expected) => {
    expect(maskIdNumber(input)).toBe(expected);
    expect(maskIdNumber(input)).toHaveLength(18);
  });

  it('masks a short string whole', () => {
    expect(maskIdNumber('1234567')).toBe('*******');
  });

  it('keeps 3 and 4 characters of other lengths', () => {
    expect(maskIdNumber('110105491231002')).toBe('110********1002');
  });
});

describe('idNumberFacts', () => {
  it('reads birth date and gender off a stored ID number, the same as parseIdNumber', () => {
    expect(idNumberFacts(MALE_1985)).toEqual({ birthDate: '1985-03-15', gender: 'male' });
    expect(idNumberFacts(FEMALE_2000)).toEqual({ birthDate: '2000-02-29', gender: 'female' });
    for (const id of [MALE_1985, FEMALE_2000, '11010519491231002X']) {
      const parsed = parseIdNumber(id);
      if (!parsed.ok) throw new Error(`${id} should parse`);
      expect(idNumberFacts(id)).toEqual({ birthDate: parsed.birthDate, gender: parsed.gender });
    }
  });

  it('refuses what is not an 18-character ID number', () => {
    expect(() => idNumberFacts('11010519491231002')).toThrow(TypeError);
    expect(() => idNumberFacts('11010519491231002x')).toThrow(TypeError);
  });
});
