/**
 * The organisation facts of the registration answers: all optional (flow version 1 did not ask them), and read with a
 * schema built once (regression: `organizationFacts` built a `.partial()` schema on every call, which zod compiles on
 * its first parse, so every registration's final turn paid for a new schema).
 */
import { describe, expect, it, vi } from 'vitest';
import { organizationFacts, registrationAnswersSchema } from '../../../src/domain/worker/profile.ts';

describe('organizationFacts', () => {
  it('reads the code, the size class and the employees when the answers have them', () => {
    expect(organizationFacts({ orgCode: '91320500MA1XXXXX0X', orgSize: 'aboveDesignatedSize', employees: 120 })).toEqual({
      uscc: '91320500MA1XXXXX0X',
      sizeClass: 'aboveDesignatedSize',
      employees: 120,
    });
  });

  it('answers null for facts a version-1 conversation never asked, and for answers that are not valid', () => {
    expect(organizationFacts({ name: '张三' })).toEqual({ uscc: null, sizeClass: null, employees: null });
    expect(organizationFacts({ employees: -3 })).toEqual({ uscc: null, sizeClass: null, employees: null });
    expect(organizationFacts('not an object')).toEqual({ uscc: null, sizeClass: null, employees: null });
  });

  it('regression: builds no schema per call (the partial schema is made once, when the module loads)', () => {
    const partial = vi.spyOn(registrationAnswersSchema, 'partial');
    try {
      for (let i = 0; i < 3; i++) organizationFacts({ orgSize: 'belowDesignatedSize' });
      expect(partial).not.toHaveBeenCalled();
    } finally {
      partial.mockRestore();
    }
  });
});
