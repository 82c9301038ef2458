import { maskPii } from '../pii/mask.ts';
import { MIN_GROUP_SIZE_FLOOR, POLL_GROUPS, type GroupTally, type PollGroup, type Quorum } from './types.ts';

export type GroupResult = { answers: number; counts: Record<string, Record<string, number>> } | { hidden: true };

export interface PollResults {
  /**
   * Share of positive `overall` answers among valid ones (0..1); null with no valid answer, and when a poll that
   * missed its quorum has fewer valid answers than the minimum group size: nothing is recorded then, and the rate
   * of so few answers would tell what they were (one answer at 100 % is that answer).
   */
  rate: number | null;
  valid: number;
  quorumMet: boolean;
  /** Answers needed for the quorum, and the roster it is a share of. */
  quorum: { required: number; roster: number };
  groups: Record<PollGroup, GroupResult>;
  /** Comments of the groups shown only, in random order, ID and mobile numbers masked. */
  comments: { group: PollGroup; text: string }[];
}

export interface ResultsInput {
  roster: Record<PollGroup, number>;
  minGroupSize: number;
  quorum: Quorum;
  positive: readonly string[];
  tallies: Partial<Record<PollGroup, GroupTally>>;
  comments: readonly { group: PollGroup; text: string }[];
}

/** Answers needed: the larger of the roster share (rounded up) and the fixed minimum. */
export function quorumRequired(roster: Record<PollGroup, number>, quorum: Quorum): { required: number; roster: number } {
  const total = POLL_GROUPS.reduce((n, g) => n + roster[g], 0);
  return { required: Math.max(Math.ceil(total * quorum.minShare - 1e-9), quorum.minAnswers), roster: total };
}

/**
 * Which groups stay hidden. A group below the minimum is hidden; the owner (one person) is never shown apart
 * from others. The overall rate and count are public, so if the hidden answers could be worked out by subtracting
 * the shown groups from the total (the hidden set holds answers but fewer than the minimum, e.g. one group alone),
 * the smallest shown group is hidden too, until the hidden set is empty or large enough.
 */
export function hiddenGroups(answers: Record<PollGroup, number>, minGroupSize: number): Set<PollGroup> {
  const min = Math.max(MIN_GROUP_SIZE_FLOOR, minGroupSize);
  const hidden = new Set<PollGroup>(POLL_GROUPS.filter((g) => g === 'owner' || answers[g] < min));
  const hiddenTotal = () => [...hidden].reduce((n, g) => n + answers[g], 0);
  for (;;) {
    const n = hiddenTotal();
    if (n === 0 || n >= min) break;
    const shown = POLL_GROUPS.filter((g) => !hidden.has(g)).sort((a, b) => answers[a] - answers[b]);
    if (!shown.length) break;
    hidden.add(shown[0]!);
  }
  return hidden;
}

/** The closed poll's results, suppressed as above. `random` (0..1) orders the comments; tests pass their own. */
export function pollResults(input: ResultsInput, random: () => number): PollResults {
  const answers = Object.fromEntries(POLL_GROUPS.map((g) => [g, input.tallies[g]?.answers ?? 0])) as Record<PollGroup, number>;
  const hidden = hiddenGroups(answers, input.minGroupSize);
  let valid = 0;
  let positive = 0;
  for (const g of POLL_GROUPS) {
    const overall = input.tallies[g]?.counts.overall ?? {};
    for (const [option, n] of Object.entries(overall)) {
      valid += n;
      if (input.positive.includes(option)) positive += n;
    }
  }
  const q = quorumRequired(input.roster, input.quorum);
  const quorumMet = valid >= q.required;
  const tooFew = !quorumMet && valid < Math.max(MIN_GROUP_SIZE_FLOOR, input.minGroupSize);
  const groups = Object.fromEntries(
    POLL_GROUPS.map((g) => [g, hidden.has(g) ? { hidden: true as const } : { answers: answers[g], counts: structuredClone(input.tallies[g]?.counts ?? {}) }]),
  ) as Record<PollGroup, GroupResult>;
  const comments = shuffle(
    input.comments.filter((c) => !hidden.has(c.group)).map((c) => ({ group: c.group, text: maskPii(c.text) })),
    random,
  );
  return { rate: valid && !tooFew ? positive / valid : null, valid, quorumMet, quorum: q, groups, comments };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
