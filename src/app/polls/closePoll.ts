import { pollResults } from '../../domain/polls/results.ts';
import type { Localized } from '../../domain/polls/types.ts';
import type { PollRecord } from '../ports/polls.ts';
import { runCommand } from '../certification/runCommand.ts';
import type { PollDeps } from './deps.ts';
import { completePending } from './submitAnswer.ts';

const SYSTEM = { kind: 'system' as const, id: 'polls' };
const percent = (r: number) => `${Math.round(r * 1000) / 10} %`;

/**
 * Closes a poll: no new answer is taken, half-counted submissions are finished, the tallies are closed (nothing
 * more is counted), and the result computed from them is stored.
 * Then, with the quorum met, the rate is recorded: on the application as a system action, after which the
 * system tries to advance it and the pipeline's guard decides (below the level's bar the refusal is kept as the
 * reviewer's note), or on the holder's annual record. Every step may run again after a crash; a closed poll
 * whose rate was not recorded is recorded again by the sweep (`recordOutcome` is idempotent).
 */
export async function closePoll(deps: PollDeps, pollId: string, now: Date): Promise<PollRecord | null> {
  if (!(await deps.polls.beginClose(pollId))) return deps.polls.get(pollId);
  deps.definitions?.forget(pollId);
  const before = await deps.polls.get(pollId, { light: true });
  if (!before) return null;
  // Finish what a crash left half done, stop counting, then finish what was under way meanwhile (counted before
  // the stop, or given back to the respondent as closed).
  await completePending(deps, before, now);
  await deps.polls.closeTallies(pollId);
  await completePending(deps, before, now);
  const poll = (await deps.polls.get(pollId, { light: true }))!;
  const { comments: _c, ...result } = pollResults(
    { roster: poll.roster, minGroupSize: poll.minGroupSize, quorum: poll.quorum, positive: poll.questionnaire.positive, tallies: poll.tallies, comments: [] },
    deps.random,
  );
  const recordedOn = result.quorumMet ? poll.subject.kind : null;
  await deps.polls.finishClose(pollId, { ...result, recordedOn }, now);
  const closed = await deps.polls.get(pollId);
  if (closed?.status === 'closed') await recordOutcome(deps, closed, now);
  return deps.polls.get(pollId);
}

/**
 * Records a closed poll's rate where it belongs. `note` (English, for scripts and logs) and `notes` (each console
 * language, with the stage's and level's names rather than their ids) say what the pipeline made of it.
 */
export async function recordOutcome(deps: PollDeps, poll: PollRecord, now: Date): Promise<void> {
  const r = poll.result;
  if (!r || !r.quorumMet || r.rate === null || r.recordNote !== undefined) return;
  const c = deps.certification;
  const say = (key: string, params: Record<string, string | number | ((l: string) => string)>): Localized => {
    const text = (locale: string) => c.translator.t(locale, `polls:outcome.${key}`, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'function' ? v(locale) : v])));
    return { 'zh-CN': text('zh-CN'), en: text('en') };
  };
  const rate = percent(r.rate);
  let note: string;
  let notes: Localized;
  if (poll.subject.kind === 'application') {
    const id = poll.subject.applicationId;
    const app = await c.applications.get(id);
    if (!app) return;
    const already = app.history.some((e) => e.action === 'recordSatisfaction' && e.note?.includes(poll.id));
    if (!already) {
      const recorded = await runCommand(c, id, { type: 'recordSatisfaction', rate: r.rate, note: `满意度测评 ${rate}（${r.valid} 份有效答卷）/ satisfaction poll ${poll.id}` }, SYSTEM);
      if (!recorded.ok) {
        note = `the rate could not be recorded on application ${id}: ${recorded.error.message}`;
        await deps.polls.setRecordNote(poll.id, note, say('failed', { id, reason: recorded.error.message }));
        return;
      }
    }
    const latest = (await c.applications.get(id)) ?? app;
    const policy = c.policies.get(latest.policyId);
    const nameOf = (stageId: string) => (locale: string) => pick(policy?.pipeline.stages.find((s) => s.id === stageId)?.name, locale) ?? stageId;
    const stage = policy?.pipeline.stages.find((s) => s.id === latest.stage);
    if (stage?.kind === 'satisfactionSurvey') {
      const advanced = await runCommand(c, id, { type: 'advance' }, SYSTEM);
      if (advanced.ok) {
        note = `recorded ${rate}; the application advanced to ${advanced.value.stage}`;
        notes = say('advanced', { rate, stage: nameOf(advanced.value.stage) });
      } else {
        note = `recorded ${rate}; the application stays: ${advanced.error.message}`;
        const level = policy?.levels.find((l) => l.id === latest.level);
        const min = level?.conditions.minSatisfaction;
        // The guard's own message is English; the one refusal a poll causes is said again in each language.
        const reason =
          advanced.error.code === 'guard' && min !== undefined && r.rate < min
            ? (locale: string) => c.translator.t(locale, 'polls:outcome.belowBar', { rate, min: percent(min), level: pick(level?.name, locale) ?? latest.level })
            : advanced.error.message;
        notes = say('stays', { rate, stage: nameOf(latest.stage), reason });
      }
    } else {
      note = `recorded ${rate} on application ${id}`;
      notes = say('recorded', { rate, id, stage: nameOf(latest.stage) });
    }
  } else {
    const cert = await c.certificates.get(poll.subject.certificateNumber);
    if (!cert) return;
    await c.annual.recordSatisfaction(cert.workerId, cert.number, poll.subject.year, { pollId: poll.id, rate: r.rate, valid: r.valid, quorumMet: r.quorumMet, recordedAt: now.toISOString() });
    note = `recorded ${rate} with the ${poll.subject.year} annual record of ${cert.number}`;
    notes = say('annual', { rate, year: poll.subject.year, number: cert.number });
  }
  await deps.polls.setRecordNote(poll.id, note, notes);
}

const pick = (name: Partial<Localized> | string | undefined, locale: string): string | undefined => (typeof name === 'string' ? name : name?.[locale as keyof Localized]);
