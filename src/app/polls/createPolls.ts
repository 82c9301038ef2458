import { randomInt } from 'node:crypto';
import type { CertificationDeps } from '../certification/deps.ts';
import type { PollStore } from '../ports/polls.ts';
import { createBurstDetector } from './burstDetector.ts';
import type { PollDeps, PollSealer } from './deps.ts';
import { createPollAdmin } from './pollAdmin.ts';
import { pollCloseJob, pollSweepJob } from './pollJobs.ts';
import { createPollChat } from './respondentChat.ts';
import { createSubjectCache } from './subjectCache.ts';
import { createPollDefinitions } from './pollDefinitions.ts';

/** randomInt takes a range below 2^48. */
const RANDOM_RANGE = 2 ** 47;

/** Five answers of one group within 30 seconds is more than people filling a form by hand produce. */
export const BURST = { answers: 5, withinSeconds: 30 };

/** Everything of polls that main wires: the chat part of the pipeline, the admin service, the jobs. */
export function createPolls(input: { polls: PollStore; sealer: PollSealer; certification: CertificationDeps; wechatQr?: PollDeps['wechatQr']; miniProgram?: PollDeps['miniProgram']; backToFlow?: PollDeps['backToFlow'] }) {
  const deps: PollDeps = { ...input, bursts: createBurstDetector(BURST), random: () => randomInt(0, RANDOM_RANGE) / RANDOM_RANGE, subject: createSubjectCache(), definitions: createPollDefinitions() };
  return { deps, chat: createPollChat(deps), admin: createPollAdmin(deps), jobs: [pollCloseJob(deps), pollSweepJob(deps)] };
}
