import { describe, expect, it } from 'vitest';
import { OverloadedError, TurnGate } from '../../src/app/turnGate.ts';

/** A task that runs until the test lets it finish, and records when it started. */
function controlled(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    task: async () => {
      log.push(name);
      await done;
      return name;
    },
    finish,
  };
}

/** Lets the gate's promise callbacks run (finish → start of the next task). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('TurnGate', () => {
  it('runs one key at a time in arrival order, and different keys side by side', async () => {
    const gate = new TurnGate({ maxRunning: 4, maxWaiting: 100, maxWaitingPerKey: 10 });
    const log: string[] = [];
    const a1 = controlled(log, 'a1');
    const a2 = controlled(log, 'a2');
    const b1 = controlled(log, 'b1');
    const results = [gate.run('a', a1.task), gate.run('a', a2.task), gate.run('b', b1.task)];
    await settle();
    expect(log).toEqual(['a1', 'b1']); // a2 waits for a1 only
    expect(gate.running).toBe(2);
    a1.finish();
    await settle();
    expect(log).toEqual(['a1', 'b1', 'a2']);
    a2.finish();
    b1.finish();
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'b1']);
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('never runs more than maxRunning at once; the next ready chat takes a freed slot', async () => {
    const gate = new TurnGate({ maxRunning: 2, maxWaiting: 100, maxWaitingPerKey: 10 });
    const log: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((k) => ({ key: k, ...controlled(log, k) }));
    const runs = tasks.map((t) => gate.run(t.key, t.task));
    await settle();
    expect(log).toEqual(['a', 'b']);
    expect(gate.running).toBe(2);
    expect(gate.waiting).toBe(2);
    tasks[1]!.finish();
    await settle();
    expect(log).toEqual(['a', 'b', 'c']);
    expect(gate.running).toBe(2);
    for (const t of tasks) t.finish();
    await Promise.all(runs);
    expect(log).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runs the outside lane in slots of its own: turns filling theirs do not hold it up, nor it them', async () => {
    const gate = new TurnGate({ maxRunning: 1, maxRunningOutside: 2, maxWaiting: 100, maxWaitingPerKey: 10 });
    const log: string[] = [];
    const turns = ['t1', 't2'].map((k) => ({ key: k, ...controlled(log, k) }));
    const outside = ['o1', 'o2', 'o3'].map((k) => ({ key: k, ...controlled(log, k) }));
    const runs = [...turns.map((t) => gate.run(t.key, t.task)), ...outside.map((t) => gate.run(t.key, t.task, 'outside'))];
    await settle();
    expect(log).toEqual(['t1', 'o1', 'o2']);
    expect(gate.running).toBe(3);
    expect(gate.waiting).toBe(2);
    outside[0]!.finish();
    await settle();
    expect(log).toEqual(['t1', 'o1', 'o2', 'o3']); // an outside slot freed: the next outside task, not the turn
    turns[0]!.finish();
    await settle();
    expect(log.at(-1)).toBe('t2');
    for (const t of [...turns, ...outside]) t.finish();
    await Promise.all(runs);
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it("keeps a chat's order across the lanes: its outside task waits for its running turn", async () => {
    const gate = new TurnGate({ maxRunning: 1, maxRunningOutside: 4, maxWaiting: 100, maxWaitingPerKey: 10 });
    const log: string[] = [];
    const turn = controlled(log, 'a-turn');
    const answer = controlled(log, 'a-outside');
    const after = controlled(log, 'a-turn-2');
    const runs = [gate.run('a', turn.task), gate.run('a', answer.task, 'outside'), gate.run('a', after.task)];
    await settle();
    expect(log).toEqual(['a-turn']);
    turn.finish();
    await settle();
    expect(log).toEqual(['a-turn', 'a-outside']);
    answer.finish();
    await settle();
    expect(log).toEqual(['a-turn', 'a-outside', 'a-turn-2']);
    after.finish();
    expect(await Promise.all(runs)).toEqual(['a-turn', 'a-outside', 'a-turn-2']);
  });

  it('without maxRunningOutside, outside tasks share the turns\' slots', async () => {
    const gate = new TurnGate({ maxRunning: 1, maxWaiting: 100, maxWaitingPerKey: 10 });
    const log: string[] = [];
    const t = controlled(log, 't');
    const o = controlled(log, 'o');
    const runs = [gate.run('t', t.task), gate.run('o', o.task, 'outside')];
    await settle();
    expect(log).toEqual(['t']);
    t.finish();
    await settle();
    expect(log).toEqual(['t', 'o']);
    o.finish();
    await Promise.all(runs);
  });

  it('is fair: a chat with a backlog goes to the back of the line after each turn, behind chats that waited meanwhile', async () => {
    const gate = new TurnGate({ maxRunning: 1, maxWaiting: 100, maxWaitingPerKey: 10 });
    const log: string[] = [];
    const flood = Array.from({ length: 3 }, (_, i) => controlled(log, `a${i + 1}`));
    const others = [controlled(log, 'b1'), controlled(log, 'c1')];
    const runs = [...flood.map((t) => gate.run('a', t.task)), gate.run('b', others[0]!.task), gate.run('c', others[1]!.task)];
    for (const t of [...flood, ...others]) {
      await settle();
      t.finish();
    }
    await Promise.all(runs);
    // Not a1 a2 a3 b1 c1: b and c do not wait for the whole of a's backlog.
    expect(log).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
  });

  it('lets a flooding chat delay each other chat by at most one of its turns, with several slots', async () => {
    const gate = new TurnGate({ maxRunning: 2, maxWaiting: 100, maxWaitingPerKey: 20 });
    const log: string[] = [];
    const tasks = new Map<string, ReturnType<typeof controlled>>();
    const runs: Promise<string>[] = [];
    const submit = (key: string, name: string) => {
      const t = controlled(log, name);
      tasks.set(name, t);
      runs.push(gate.run(key, t.task));
    };
    // Chat a floods 10 messages; then chats b..f send one each, all before anything finishes.
    for (let i = 1; i <= 10; i++) submit('a', `a${i}`);
    for (const k of ['b', 'c', 'd', 'e', 'f']) submit(k, `${k}1`);
    // Finish whatever runs, oldest first, until all has run.
    for (;;) {
      await settle();
      const oldest = log.find((n) => tasks.has(n));
      if (!oldest) break;
      tasks.get(oldest)!.finish();
      tasks.delete(oldest);
    }
    expect(log).toHaveLength(15);
    await Promise.all(runs);
    // Every other chat started before a's second turn: a waited its turn behind them, not they behind a's backlog.
    expect(log.indexOf('a2')).toBeGreaterThan(Math.max(...['b1', 'c1', 'd1', 'e1', 'f1'].map((n) => log.indexOf(n))));
    expect(log.filter((n) => n.startsWith('a'))).toEqual(Array.from({ length: 10 }, (_, i) => `a${i + 1}`));
  });

  it('refuses beyond the global backlog with OverloadedError, without running the task, and accepts again once drained', async () => {
    const gate = new TurnGate({ maxRunning: 1, maxWaiting: 2, maxWaitingPerKey: 10 });
    const log: string[] = [];
    const t = ['a', 'b', 'c', 'd'].map((k) => controlled(log, k));
    const accepted = [gate.run('a', t[0]!.task), gate.run('b', t[1]!.task), gate.run('c', t[2]!.task)];
    await expect(gate.run('d', t[3]!.task)).rejects.toBeInstanceOf(OverloadedError);
    expect(gate.waiting).toBe(2);
    for (const x of t) x.finish();
    await Promise.all(accepted);
    expect(log).toEqual(['a', 'b', 'c']);
    await expect(gate.run('d', async () => 'later')).resolves.toBe('later');
  });

  it('refuses a flooding chat beyond its own limit while other chats still get in', async () => {
    const gate = new TurnGate({ maxRunning: 1, maxWaiting: 100, maxWaitingPerKey: 2 });
    const log: string[] = [];
    const head = controlled(log, 'a0');
    const runs = [gate.run('a', head.task), gate.run('a', async () => 'a1'), gate.run('a', async () => 'a2')];
    await expect(gate.run('a', async () => 'a3')).rejects.toBeInstanceOf(OverloadedError);
    const other = gate.run('b', async () => 'b1');
    head.finish();
    expect(await Promise.all([...runs, other])).toEqual(['a0', 'a1', 'a2', 'b1']);
  });

  it('frees the slot and the key when a task throws, synchronously or not', async () => {
    const gate = new TurnGate({ maxRunning: 1, maxWaiting: 10, maxWaitingPerKey: 10 });
    const sync = gate.run('a', () => {
      throw new Error('sync');
    });
    const async_ = gate.run('a', async () => {
      throw new Error('async');
    });
    await expect(sync).rejects.toThrow('sync');
    await expect(async_).rejects.toThrow('async');
    await expect(gate.run('a', async () => 'ok')).resolves.toBe('ok');
    expect(gate.running).toBe(0);
  });
});
