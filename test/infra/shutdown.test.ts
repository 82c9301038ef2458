/** `npm start`'s shutdown and banner (src/infra/shutdown.ts), with a stop the test controls and fake timers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createShutdown, FORCED_EXIT_CODE, startupBanner } from '../../src/infra/shutdown.ts';

function harness(limitMs = 10_000) {
  let finish!: () => void;
  const stop = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
  const exits: number[] = [];
  const warnings: string[] = [];
  const shutdown = createShutdown({ stop, exit: (code) => exits.push(code), limitMs: () => limitMs, warn: (m) => warnings.push(m) });
  return { shutdown, stop, exits, warnings, finish: () => finish() };
}

afterEach(() => void vi.useRealTimers());

describe('shutdown', () => {
  it('stops the app once and exits with the given code when the stop finishes', async () => {
    const h = harness();
    h.shutdown(0);
    expect(h.stop).toHaveBeenCalledTimes(1);
    expect(h.exits).toEqual([]);
    h.finish();
    await vi.waitFor(() => expect(h.exits).toEqual([0]));
    expect(h.warnings).toEqual([]);
  });

  it('regression: a second Ctrl-C during shutdown was ignored instead of exiting at once', () => {
    const h = harness();
    h.shutdown(0);
    h.shutdown(0);
    expect(h.exits).toEqual([FORCED_EXIT_CODE]);
    expect(h.stop).toHaveBeenCalledTimes(1);
    expect(h.warnings.join()).toContain('second signal');
  });

  it('regression: a stop that never finished kept the process alive for ever', async () => {
    vi.useFakeTimers();
    const h = harness(10_000);
    h.shutdown(0);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(h.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.exits).toEqual([FORCED_EXIT_CODE]);
    expect(h.warnings.join()).toContain('within 10 s');
    // The late finish does not exit a second time.
    h.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.exits).toEqual([FORCED_EXIT_CODE]);
  });

  it('exits non-zero when stopping fails', async () => {
    const exits: number[] = [];
    const shutdown = createShutdown({ stop: () => Promise.reject(new Error('db gone')), exit: (c) => exits.push(c), limitMs: () => 1000, warn: () => {} });
    shutdown(0);
    await vi.waitFor(() => expect(exits).toEqual([FORCED_EXIT_CODE]));
  });
});

describe('startupBanner', () => {
  it('regression: the banner printed the simulator URL with SIM_ENABLED off', () => {
    expect(startupBanner('http://127.0.0.1:3000', false)).not.toContain('/sim');
    expect(startupBanner('http://127.0.0.1:3000', false)).toContain('http://127.0.0.1:3000/healthz');
    expect(startupBanner('http://127.0.0.1:3000', true)).toContain('Simulator: http://127.0.0.1:3000/sim');
  });

  it('regression: the banner did not say where the console is, nor how to make the first admin', () => {
    const banner = startupBanner('http://127.0.0.1:3000', false);
    expect(banner).toContain('Console:   http://127.0.0.1:3000/console/');
    expect(banner).toContain('npm run admin:create -- --name <name> --region <code> --username <login>');
  });

  it('regression: the banner said "no admin yet?" even when an admin account existed', () => {
    const banner = startupBanner('http://127.0.0.1:3000', false, true);
    expect(banner).toContain('Console:   http://127.0.0.1:3000/console/');
    expect(banner).not.toContain('admin:create');
  });
});
