/** The console's China-time form values: what a picker shows and what the API is sent, wherever the browser is. */
import { describe, expect, it } from 'vitest';
import { chinaInput, fromChinaInput } from '../../console/src/logic/chinaTime.ts';

describe('China time in forms', () => {
  it('reads an instant as China wall-clock text, and sends that text back as the same instant', () => {
    expect(chinaInput('2026-12-15T16:00:00.000Z')).toBe('2026-12-16T00:00');
    expect(chinaInput(new Date('2026-03-10T01:30:00Z'))).toBe('2026-03-10T09:30');
    expect(fromChinaInput('2026-12-16T00:00')).toBe('2026-12-16T00:00:00+08:00');
    expect(new Date(fromChinaInput(chinaInput('2026-07-01T10:15:00Z'))).toISOString()).toBe('2026-07-01T10:15:00.000Z');
  });

  it('leaves an empty field empty', () => {
    expect(fromChinaInput('')).toBe('');
  });
});
