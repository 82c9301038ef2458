/**
 * `npm start`'s own entry (src/main.ts's run), entered only when a line arrives on stdin. The process loads the
 * whole app first, which is most of a start (seconds of module loading on a loaded machine), so a test that kills
 * and restarts the app can have the next process loaded while the current one still serves; the line then starts
 * the database and the app exactly as `node --import tsx src/main.ts` would.
 */
import { createInterface } from 'node:readline';
import { run } from '../../src/main.ts';

const lines = createInterface({ input: process.stdin });
lines.once('line', () => {
  lines.close();
  void run();
});
