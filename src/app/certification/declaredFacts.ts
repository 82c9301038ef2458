import { z } from 'zod';
import type { CertificationFacts } from '../../domain/eligibility/facts.ts';
import { COMMENDATION_LEVELS, ORG_SIZE_CLASSES } from '../../domain/policy/schema.ts';

/** The facts the declaration flow asks for, as they arrive in its answers (each may be missing or skipped). */
const declaredSchema = z.object({
  stillInPost: z.boolean().nullish(),
  orgSizeClass: z.enum(ORG_SIZE_CLASSES).nullish(),
  commendationLevel: z.enum(COMMENDATION_LEVELS).nullish(),
});

export function declaredFacts(answers: unknown): CertificationFacts {
  const parsed = declaredSchema.safeParse(answers ?? {});
  if (!parsed.success) return {};
  const d = parsed.data;
  return {
    ...(typeof d.stillInPost === 'boolean' ? { stillInPost: d.stillInPost } : {}),
    ...(d.orgSizeClass ? { orgSizeClass: d.orgSizeClass } : {}),
    ...(d.commendationLevel ? { commendationLevel: d.commendationLevel } : {}),
  };
}

/** The same facts as stored on the application (`declared`). */
export function declaredRecord(facts: CertificationFacts): Record<string, string | number | boolean | null> {
  return {
    stillInPost: facts.stillInPost ?? null,
    orgSizeClass: facts.orgSizeClass ?? null,
    commendationLevel: facts.commendationLevel ?? null,
  };
}
