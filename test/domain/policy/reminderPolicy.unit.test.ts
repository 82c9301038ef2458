import { describe, expect, it } from 'vitest';
import { REMINDER_KINDS, reminderPolicySchema } from '../../../src/domain/policy/trainingSchema.ts';

describe('the reminders: section of a policy', () => {
  it('regression: the default rotation offset (1765 days) was refused as over the 400-day maximum, so a region could not write the defaults back', () => {
    const defaults = reminderPolicySchema.parse({});
    expect(defaults.kinds.rotation.offsetsHours).toEqual([24 * 1765]);
    const written = reminderPolicySchema.safeParse(JSON.parse(JSON.stringify(defaults)));
    expect(written.success, written.success ? '' : JSON.stringify(written.error.issues)).toBe(true);
  });

  it('every kind has a setting, and a kind without offsets is refused with a clear message', () => {
    expect(Object.keys(reminderPolicySchema.parse({}).kinds).sort()).toEqual([...REMINDER_KINDS].sort());
    const r = reminderPolicySchema.safeParse({ kinds: { hoursShort: { offsetsHours: [] } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/switch it off with enabled: false/);
  });
});
