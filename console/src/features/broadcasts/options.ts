/**
 * The choices the segment builder offers. Levels and stages are the policies' ids (jiangsu, pinghu); the selects
 * also take a typed id, since a region may load a policy with more, and the API checks every value.
 */
export const ROLES = ['secretary', 'deputySecretary', 'staff', 'instructor', 'other'] as const;
export const LEVELS = ['junior', 'intermediate', 'senior', 'special'] as const;
export const STAGES = ['declaration', 'qualificationReview', 'training', 'trainingTest', 'satisfactionSurvey', 'comprehensiveReview', 'publicNotice'] as const;
/** The certificate store's statuses (the API also takes `active` for `valid`). */
export const CERTIFICATE_STATUSES = ['valid', 'suspended', 'expired', 'revoked'] as const;
