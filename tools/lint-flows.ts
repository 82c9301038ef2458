/**
 * `npm run lint:flows`: load every flow and template and print what the start-up check would find.
 * Exits 1 when there are errors (start-up would refuse them), 0 with warnings only.
 */
import { ACTION_NAMES } from '../src/app/actions/registry.ts';
import { loadContent } from '../src/app/loadContent.ts';
import { ROOT } from '../src/root.ts';

try {
  const { findings, flows } = loadContent({ root: ROOT, defaultLocale: process.env.DEFAULT_LOCALE ?? 'zh-CN', actions: ACTION_NAMES });
  for (const f of findings) {
    process.stdout.write(`${f.severity.toUpperCase().padEnd(7)} ${f.file}${f.step ? ` step \`${f.step}\`` : ''}: ${f.message}\n`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  process.stdout.write(`${flows.all().length} flow(s) checked: ${errors} error(s), ${findings.length - errors} warning(s)\n`);
  process.exit(errors ? 1 : 0);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
