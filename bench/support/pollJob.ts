/**
 * bench:polls's load: satisfaction-poll answers through /sim, run in the load generator child (loadChild.ts) so
 * that the CPU the bench reports for the app is the app's alone.
 */
export interface PollLoadJob {
  url: string;
  /** `one`: 测评 <code> 1 2 [意见] (every tenth with a comment); `steps`: 测评 <code> → 1 → 2 → 跳过 → 提交. */
  form: 'one' | 'steps';
  codes: string[];
  /** Answer codes[from … from+count), `respondents` at once, user `resp-<i>` for code i. */
  from: number;
  count: number;
  respondents: number;
}
export interface PollLoadResult {
  recorded: number;
  messages: number;
  latencies: number[];
  seconds: number;
}

type Post = (base: URL, body: Buffer) => Promise<{ status: number; body: string }>;
let sent = 0;

export async function runPollJob(job: PollLoadJob, postMessage: Post): Promise<PollLoadResult> {
  const base = new URL(job.url);
  /**
   * One message, with its own id: a keep-alive socket the server closed while idle (between the warm-up and the
   * run, on a loaded machine) resets the next request on it, which is then sent again — and a message that did
   * arrive the first time is answered as already recorded, not counted twice.
   */
  const say = async (userId: string, text: string) => {
    const body = Buffer.from(JSON.stringify({ userId, text, messageId: `bench-${process.pid}-${++sent}` }));
    for (let attempt = 1; ; attempt++) {
      try {
        return await postMessage(base, body);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' || attempt >= 3) throw err;
      }
    }
  };
  const latencies: number[] = [];
  let next = job.from;
  let recorded = 0;
  let messages = 0;
  const answerOne = async (i: number) => {
    const code = job.codes[i]!;
    const t0 = performance.now();
    const texts = job.form === 'one' ? [`测评 ${code} ${(i % 3) + 1} ${(i % 2) + 1}${i % 10 === 0 ? ' 希望多组织学习交流' : ''}`] : [`测评 ${code}`, '1', '2', '跳过', '提交'];
    let last = '';
    for (const text of texts) {
      last = (await say(`resp-${i}`, text)).body;
      messages++;
    }
    if (last.includes('已提交')) recorded++;
    latencies.push(performance.now() - t0);
  };
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: job.respondents }, async () => {
      for (let i = next++; i < job.from + job.count; i = next++) await answerOne(i);
    }),
  );
  return { recorded, messages, latencies, seconds: (performance.now() - t1) / 1000 };
}
