import type { CertificationDeps } from '../certification/deps.ts';
import type { ConversationState, OutboundMessage } from '../../engine/types.ts';
import type { PollRecord, PollStore } from '../ports/polls.ts';
import type { PollSubjectFacts } from './subjectCache.ts';
import type { BurstDetector } from './burstDetector.ts';
import type { PollDefinitions } from './pollDefinitions.ts';

/** The sealing part of the PII cipher: codes and answers in progress are sealed, codes looked up by HMAC. */
export interface PollSealer {
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
  hmac(value: string): string;
}

export interface PollDeps {
  polls: PollStore;
  sealer: PollSealer;
  certification: CertificationDeps;
  bursts: BurstDetector;
  /** Uniform random 0..1 (comment order); crypto-backed in production. */
  random(): number;
  /** Polls as the respondent's path reads them (cached: app/polls/pollDefinitions.ts); without it, from the store. */
  definitions?: PollDefinitions;
  /** Who a poll rates (cached: app/polls/subjectCache.ts). */
  subject: (deps: PollDeps, poll: PollRecord) => Promise<PollSubjectFacts>;
  /** The WeChat Official Account's temporary QR code for a scene (the text it encodes), when that channel is on. */
  wechatQr?: () => ((scene: string, expireSeconds: number) => Promise<string>) | null;
  /** Whether the mini program channel is on: then each code also gets its page's path (`miniProgramPath`). */
  miniProgram?: () => boolean;
  /**
   * After a poll message that leaves no poll session open: the messages that bring the chat back to the question
   * its flow waits at (engine/reaskQuestion.ts; app/backToFlow.ts builds it). Absent: nothing is added.
   */
  backToFlow?: (state: ConversationState, channel: string, now: Date) => OutboundMessage[];
}

/** The poll for a respondent: cached when the deps have a cache. */
export const respondentPoll = (deps: PollDeps, id: string) => (deps.definitions ? deps.definitions.get(deps.polls, id) : deps.polls.get(id, { light: true }));

/** The HMAC a code is stored and looked up under; the prefix keeps it apart from other HMACs of the same key. */
export const codeHash = (sealer: PollSealer, code: string) => sealer.hmac(`poll-code:${code}`);
/** A chat identity as polls see it: never the user id itself. */
export const identityHash = (sealer: PollSealer, channel: string, userId: string) => sealer.hmac(`poll-identity:${channel}:${userId}`);
/** The web page's per-form token: only someone who holds the code can make it. */
export const formToken = (sealer: PollSealer, code: string) => sealer.hmac(`poll-form:${code}`).slice(0, 32);

/** If the POLL_JOB runs a closing on time: the job name, keyed by poll id. */
export const POLL_CLOSE_JOB = 'polls.close';
export const POLL_SWEEP_JOB = 'polls.sweep';
