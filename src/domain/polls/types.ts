/**
 * Satisfaction polls (满意度测评) as plain data: who answers (the three respondent groups), the questionnaire a
 * policy defines, one answer, and the per-group tallies a poll keeps. See docs/polls.md.
 */

/** The three kinds of respondent [PH]: the organisation's owner (业主), its party members and its employees. */
export const POLL_GROUPS = ['owner', 'member', 'employee'] as const;
export type PollGroup = (typeof POLL_GROUPS)[number];

export type Localized = { 'zh-CN': string; en: string };

export interface ScaleQuestion {
  id: string;
  kind: 'scale';
  /** Template key (`polls:question.overall`) or the policy's own text. */
  text: Localized | { key: string };
}
export interface CommentQuestion {
  id: 'comment';
  kind: 'comment';
  text: { key: string };
}
export type PollQuestion = ScaleQuestion | CommentQuestion;

/** A poll's questions, fixed when the poll is created (a later policy change does not alter a running poll). */
export interface Questionnaire {
  /** Answer options, best first (the policy's `satisfaction.scale`). */
  scale: string[];
  /** Options counted as satisfied (the policy's formula). */
  positive: string[];
  /** `overall` first, then the policy's dimensions, then the optional comment. */
  questions: PollQuestion[];
}

/** One respondent's answer: an option per scale question (all required), and an optional comment. */
export interface PollAnswer {
  scale: Record<string, string>;
  comment?: string;
}

/** What a poll stores per group: answers counted and, per scale question, how many chose each option. */
export interface GroupTally {
  answers: number;
  counts: Record<string, Record<string, number>>;
}

export interface Quorum {
  /** Share of the roster (all groups together) that must answer, 0..1. */
  minShare: number;
  /** Fewest answers for a result. */
  minAnswers: number;
}

/** The smallest group size a poll may show; no setting goes below it. */
export const MIN_GROUP_SIZE_FLOOR = 3;
export const DEFAULT_MIN_GROUP_SIZE = 5;
export const DEFAULT_QUORUM: Quorum = { minShare: 0.6, minAnswers: 5 };
