import { pollResults } from '../../domain/polls/results.ts';
import type { PollRecord } from '../ports/polls.ts';
import { runCommand } from '../certification/runCommand.ts';
import type { PollDeps } from './deps.ts';
import { completePending } from './submitAnswer.ts';

const SYSTEM = { kind: 'system' as const, id: 'polls' };
const percent = (r: number) => `${Math.round(r * 1000) / 10} %`;

/**
 * Closes a poll: no new answer is taken, half-counted submissions are finished, the result is computed from the
 * tallies and stored in one write that only succeeds if no answer arrived meanwhile (else it is computed again).
 * Then, with the quorum met, the rate is recorded: on the application as a system action, after which the
 * system tries to advance it and the pipeline's guard decides (below the level's bar the refusal is kept as the
 * reviewer's note), or on the holder's annual record. Every step may run again after a crash; a closed poll
 * whose rate was not recorded is recorded again by the sweep (`recordOutcome` is idempotent).
 */
export async function closePoll(deps: PollDeps, pollId: string, now: Date): Promise<PollRecord | null> {
  if (!(await deps.polls.beginClose(pollId))) return deps.polls.get(pollId);
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = await deps.polls.get(pollId);
    if (!before) return null;
    await completePending(deps, before, now);
    const poll = (await deps.polls.get(pollId, { light: true }))!;
    const { comments: _c, ...result } = pollResults(
      { roster: poll.roster, minGroupSize: poll.minGroupSize, quorum: poll.quorum, positive: poll.questionnaire.positive, tallies: poll.tallies, comments: [] },
      deps.random,
    );
    const recordedOn = result.quorumMet ? poll.subject.kind : null;
    if (await deps.polls.finishClose(pollId, poll.answered, { ...result, recordedOn }, now)) break;
  }
  const closed = await deps.polls.get(pollId);
  if (closed?.status === 'closed') await recordOutcome(deps, closed, now);
  return deps.polls.get(pollId);
}

/** Records a closed poll's rate where it belongs; a note says what the pipeline made of it. */
export async function recordOutcome(deps: PollDeps, poll: PollRecord, now: Date): Promise<void> {
  const r = poll.result;
  if (!r || !r.quorumMet || r.rate === null || r.recordNote !== undefined) return;
  const c = deps.certification;
  let note: string;
  if (poll.subject.kind === 'application') {
    const id = poll.subject.applicationId;
    const app = await c.applications.get(id);
    if (!app) return;
    const already = app.history.some((e) => e.action === 'recordSatisfaction' && e.note?.includes(poll.id));
    if (!already) {
      const recorded = await runCommand(c, id, { type: 'recordSatisfaction', rate: r.rate, note: `满意度测评 ${percent(r.rate)}（${r.valid} 份有效答卷）/ satisfaction poll ${poll.id}` }, SYSTEM);
      if (!recorded.ok) {
        note = `the rate could not be recorded on application ${id}: ${recorded.error.message}`;
        await setNote(deps, poll.id, note);
        return;
      }
    }
    const latest = (await c.applications.get(id)) ?? app;
    const stage = c.policies.get(latest.policyId)?.pipeline.stages.find((s) => s.id === latest.stage);
    if (stage?.kind === 'satisfactionSurvey') {
      const advanced = await runCommand(c, id, { type: 'advance' }, SYSTEM);
      note = advanced.ok ? `recorded ${percent(r.rate)}; the application advanced to ${advanced.value.stage}` : `recorded ${percent(r.rate)}; the application stays: ${advanced.error.message}`;
    } else {
      note = `recorded ${percent(r.rate)} on application ${id}`;
    }
  } else {
    const cert = await c.certificates.get(poll.subject.certificateNumber);
    if (!cert) return;
    await c.annual.recordSatisfaction(cert.workerId, cert.number, poll.subject.year, { pollId: poll.id, rate: r.rate, valid: r.valid, quorumMet: r.quorumMet, recordedAt: now.toISOString() });
    note = `recorded ${percent(r.rate)} with the ${poll.subject.year} annual record of ${cert.number}`;
  }
  await setNote(deps, poll.id, note);
}

async function setNote(deps: PollDeps, pollId: string, note: string): Promise<void> {
  await deps.polls.setRecordNote(pollId, note);
}
