/**
 * The stable `code`s of the poll admin API's own refusals (pollAdmin.ts). The API words each in English for
 * scripts; the console words each in the admin's language (console/src/features/polls/feature.ts,
 * `polls.refusal.<code>`), and test/console/pollRefusals.unit.test.ts fails when a code used here has no sentence
 * there. The tier refusal (`notManagingTier`, from admin/scope.ts) and the checks of the request's shape are
 * worded by the console's shared refusal text.
 */
export const POLL_REFUSAL_CODES = [
  'notFound',
  'outOfScope',
  'notOpen',
  'groupsNeeded',
  'groups',
  'closesAt',
  'minGroupSize',
  'invalidCursor',
  'notPollOwner',
  'closed',
  'notExtendable',
  'extendedOnce',
  'conflict',
  'notClosed',
] as const;
export type PollRefusalCode = (typeof POLL_REFUSAL_CODES)[number];
