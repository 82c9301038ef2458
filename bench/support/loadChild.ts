/**
 * The benchmarks' load generator, in a process of its own (child_process.fork, driven by loadDriver.ts), so that
 * the CPU a bench reports for the app is the app's alone and the generator's HTTP client does not share the app's
 * event loop. One job at a time over IPC; the simulated users (and, for Telegram, the fake Bot API that receives
 * the replies) live here between jobs, so a saturated run, the half-rate run after it and the steady run go on
 * with the same users where they left off.
 *
 * Jobs: `users` (set up the users and the protocol they speak: /sim, Telegram webhook, WeChat OA safe mode),
 * `sanity` (one fresh user plays its whole script alone), `saturate` (closed loop), `openLoop` (fixed arrival
 * rate), `telegramApi` (start the fake Bot API here), and `poll` (bench:polls's satisfaction answers).
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { post } from './http.ts';
import { openLoop, saturate } from './load.ts';
import { makeProtocol, startTelegramReplies, type Protocol, type ProtocolSpec, type TelegramReplies } from './loadProtocols.ts';
import { runPollJob, type PollLoadJob } from './pollJob.ts';
import type { LoadRun, LoadSample, SimUser } from './loadTypes.ts';

export type LoadJob =
  | { op: 'telegramApi'; token: string }
  | { op: 'users'; spec: ProtocolSpec; users: number; maxSockets: number }
  | { op: 'sanity'; base?: string }
  | { op: 'saturate'; ms: number; base?: string }
  | { op: 'openLoop'; rate: number; ms: number; base?: string }
  | { op: 'poll'; job: PollLoadJob }
  | { op: 'stop' };

let agent: http.Agent | undefined;
let protocol: Protocol | undefined;
let users: SimUser[] = [];
let telegram: TelegramReplies | undefined;

function newRun(): LoadRun {
  return { samples: [], messages: 0, registrations: 0, successes: 0, outcomes: {}, firstError: null, elapsedMs: 0, issued: 0, maxBacklog: 0, minPos: Infinity, maxPos: 0 };
}

/** Sends the user's next message through the protocol, records it, returns the user to go on with. */
async function sendNext(run: LoadRun, user: SimUser, startedAt: number, base: string | undefined): Promise<SimUser> {
  const lateMs = performance.now() - startedAt;
  const pos = ++user.i;
  const text = user.script[pos - 1]!;
  const seen = await protocol!.send(user, text, startedAt, base);
  run.outcomes[seen.outcome] = (run.outcomes[seen.outcome] ?? 0) + 1;
  if (seen.error) run.firstError ??= seen.error;
  const doneAt = performance.now();
  const sample: LoadSample = { userId: user.userId, pos, latencyMs: doneAt - startedAt, socketWaitMs: seen.socketWaitMs, lateMs, doneAt };
  run.samples.push(sample);
  run.messages++;
  run.minPos = Math.min(run.minPos, pos);
  run.maxPos = Math.max(run.maxPos, pos);
  if (user.i < user.script.length) return user;
  run.registrations++;
  if (user.success) run.successes++;
  return protocol!.newUser();
}

/** The generator's own event-loop delay from now until the returned function is called: its part of a tail. */
function watchLoop(): () => NonNullable<LoadRun['loop']> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return () => {
    h.disable();
    return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  };
}

async function handle(job: LoadJob): Promise<unknown> {
  switch (job.op) {
    case 'telegramApi': {
      telegram = await startTelegramReplies(job.token);
      return { url: telegram.url };
    }
    case 'users': {
      agent?.destroy();
      agent = new http.Agent({ keepAlive: true, maxSockets: job.maxSockets });
      protocol = makeProtocol(job.spec, agent, telegram);
      users = Array.from({ length: job.users }, () => protocol!.newUser());
      return { users: users.length };
    }
    case 'sanity': {
      const run = newRun();
      const t0 = performance.now();
      for (let u = protocol!.newUser(), first = u; u === first; ) u = await sendNext(run, u, performance.now(), job.base);
      run.elapsedMs = performance.now() - t0;
      return { ...run, repliesPerMessage: protocol!.learned?.() };
    }
    case 'saturate': {
      const run = newRun();
      const loop = watchLoop();
      run.elapsedMs = await saturate((u, t) => sendNext(run, u, t, job.base), users, job.ms);
      run.issued = run.messages;
      return { ...run, loop: loop() };
    }
    case 'openLoop': {
      const run = newRun();
      const loop = watchLoop();
      const ol = await openLoop((u, t) => sendNext(run, u, t, job.base), users, job.rate, job.ms);
      return { ...run, elapsedMs: ol.elapsed, issued: ol.issued, maxBacklog: ol.maxBacklog, loop: loop() };
    }
    case 'poll':
      agent ??= new http.Agent({ keepAlive: true, maxSockets: 256 });
      return runPollJob(job.job, (base, body) => post(agent!, base, '/sim/api/messages', body, { 'content-type': 'application/json' }));
    case 'stop':
      agent?.destroy();
      await telegram?.stop();
      process.disconnect();
      return undefined;
  }
}

process.on('message', (job: LoadJob) => {
  handle(job).then(
    (result) => job.op !== 'stop' && process.send!({ ok: true, result }),
    (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
