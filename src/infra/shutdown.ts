import { waitAtMost } from './waitAtMost.ts';

/** Exit code of a shutdown that was cut short (a second signal, or the time limit): not a clean stop. */
export const FORCED_EXIT_CODE = 1;

export interface ShutdownOptions {
  /** Stops the app (closes the server, channels, scheduler and database). */
  stop: () => Promise<void>;
  exit: (code: number) => void;
  /** The whole shutdown's limit, read when it starts; past it the process exits anyway (a stuck close must not keep it alive). */
  limitMs: () => number;
  /** Where to say why the shutdown was cut short (stderr in `npm start`). */
  warn: (message: string) => void;
}

/**
 * The process's one shutdown: the first request stops the app and exits with its code; a second request while
 * stopping (a second Ctrl-C, a SIGTERM after a SIGINT) exits at once, as people expect of a second Ctrl-C; and
 * a stop that takes longer than the limit is abandoned. Exiting still stops the embedded database, whose
 * launcher kills its server in Node's 'exit' handler.
 */
export function createShutdown(opts: ShutdownOptions): (code: number) => void {
  let stopping = false;
  let exited = false;
  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    opts.exit(code);
  };
  return (code) => {
    if (stopping) {
      opts.warn('stopping at once (second signal); work in progress is abandoned');
      exit(FORCED_EXIT_CODE);
      return;
    }
    stopping = true;
    const limitMs = opts.limitMs();
    waitAtMost(opts.stop(), limitMs).then(
      (outcome) => {
        if (outcome === 'timeout') opts.warn(`shutdown did not finish within ${limitMs / 1000} s; exiting anyway`);
        exit(outcome === 'timeout' ? FORCED_EXIT_CODE : code);
      },
      (err: unknown) => {
        opts.warn(`error while stopping: ${(err as Error)?.message ?? String(err)}`);
        exit(FORCED_EXIT_CODE);
      },
    );
  };
}

/**
 * What `npm start` prints once the app is up; the simulator's address only when the simulator is on. The console
 * needs an admin account, which a newcomer does not have yet, so the banner says how to make the first one.
 */
export function startupBanner(url: string, simulator: boolean, hasAdmin = false): string {
  const lines = ['', 'redcollar is running.'];
  if (simulator) lines.push(`  Simulator: ${url}/sim`);
  lines.push(`  Console:   ${url}/console/`);
  if (!hasAdmin) lines.push('             no admin yet: stop the server, then: npm run admin:create -- --name <name> --region <code> --username <login>');
  lines.push(`  Health:    ${url}/healthz`, 'Press Ctrl-C to stop.', '', '');
  return lines.join('\n');
}
