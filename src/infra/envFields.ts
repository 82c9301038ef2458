import { z } from 'zod';

/** zod fields for environment variables, shared by config.ts and the channels' own settings. */

export const bool = (name: string) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: `${name} must be true or false` })
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ message: `${name} must be a whole number` })
    .int({ message: `${name} must be a whole number` })
    .min(min, { message: `${name} must be at least ${min}` })
    .max(max, { message: `${name} must be at most ${max}` });

/** For settings that only make sense together: one problem per variable missing while its partner is set. */
export function requiredTogether(pairs: [string, unknown, string, unknown][]): string[] {
  return pairs
    .filter(([, a, , b]) => (a === undefined) !== (b === undefined))
    .map(([a, av, b]) => (av === undefined ? `${a} is required when ${b} is set` : `${b} is required when ${a} is set`));
}
