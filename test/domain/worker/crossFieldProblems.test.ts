/**
 * The last guard on a saved profile: dates that contradict the birth date are refused at save, whichever path the
 * change came by (the chat's date questions catch most of them earlier, with their own messages).
 */
import { describe, expect, it } from 'vitest';
import { crossFieldProblems } from '../../../src/domain/worker/profile.ts';

const born = { birthDate: '1985-03-12', joinDate: '2008-07-01', workStart: '2010-09-01' };

describe('crossFieldProblems', () => {
  it('a consistent profile has no problem', () => {
    expect(crossFieldProblems(born)).toEqual([]);
  });

  it('joining the party or starting party work on or before the birth date is a problem of that field', () => {
    expect(crossFieldProblems({ ...born, joinDate: '1985-03-12' }).map((p) => p.field)).toEqual(['joinDate']);
    expect(crossFieldProblems({ ...born, workStart: '1980-01-01' }).map((p) => p.field)).toEqual(['workStart']);
    expect(crossFieldProblems({ ...born, joinDate: '1970-01-01', workStart: '1970-01-01' }).map((p) => p.field)).toEqual(['joinDate', 'workStart']);
  });
});
