/**
 * Load generators shared by the benchmark scripts. Users are sequential (one message in flight each) and `next`
 * sends a user's next message, records it with latency counted from `startedAt`, and returns the user to go on
 * with (the same one, or a fresh one when its script is done).
 */
export type NextMessage<U> = (user: U, startedAt: number) => Promise<U>;

/** Closed loop: each user sends its next message as soon as the previous reply arrived, until the deadline. */
export async function saturate<U>(next: NextMessage<U>, users: U[], durationMs: number): Promise<number> {
  const t0 = performance.now();
  const end = t0 + durationMs;
  let lastDone = t0;
  await Promise.all(
    users.map(async (_, slot) => {
      while (performance.now() < end) {
        users[slot] = await next(users[slot]!, performance.now());
        lastDone = performance.now();
      }
    }),
  );
  return lastDone - t0;
}

/**
 * Open loop: arrivals at a fixed rate (one every 1/rate s) spread over the users, each user still sequential.
 * An arrival goes to an idle user (FIFO); if all users are busy it waits in a backlog and its latency is still
 * counted from its scheduled time (no coordinated omission). `users` gets the users back when it is done.
 */
export async function openLoop<U>(next: NextMessage<U>, users: U[], rate: number, durationMs: number): Promise<{ issued: number; maxBacklog: number; elapsed: number }> {
  const idle: U[] = users.splice(0);
  const backlog: number[] = []; // scheduled times waiting for an idle user
  const inFlight = new Set<Promise<void>>();
  let issued = 0;
  let maxBacklog = 0;

  const dispatch = (user: U, scheduledAt: number): void => {
    const p: Promise<void> = next(user, scheduledAt).then((following) => {
      inFlight.delete(p);
      const waiting = backlog.shift();
      if (waiting !== undefined) dispatch(following, waiting);
      else idle.push(following);
    });
    inFlight.add(p);
  };

  const interval = 1000 / rate;
  const t0 = performance.now();
  let k = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      for (; t0 + k * interval <= now && k * interval < durationMs; k++) {
        const scheduledAt = t0 + k * interval;
        issued++;
        const user = idle.shift();
        if (user) dispatch(user, scheduledAt);
        else {
          backlog.push(scheduledAt);
          maxBacklog = Math.max(maxBacklog, backlog.length);
        }
      }
      if (k * interval >= durationMs) return done();
      setTimeout(tick, Math.max(0, t0 + k * interval - performance.now()));
    };
    tick();
  });
  // The messages already issued (and any backlog) belong to this phase: let them finish.
  while (inFlight.size > 0 || backlog.length > 0) await Promise.race([...inFlight]);
  users.push(...idle);
  return { issued, maxBacklog, elapsed: performance.now() - t0 };
}
