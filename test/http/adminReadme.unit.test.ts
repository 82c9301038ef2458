/**
 * The README's admin API table against the router itself: every route the admin API answers is listed with its
 * full path (in the README, or for accounts, polls, training and broadcasts in their guides under docs/), the bodies name the
 * fields a client must send, and the stale promises of the first draft are gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminRouter } from '../../src/http/admin/routes.ts';
import type { AdminService } from '../../src/app/certification/adminService.ts';
import type { AccountService } from '../../src/app/admin/accounts.ts';
import type { ConsoleService } from '../../src/app/console/consoleService.ts';
import type { PollAdmin } from '../../src/app/polls/pollAdmin.ts';
import type { TrainingRouteDeps } from '../../src/http/admin/trainingRoutes.ts';
import type { BroadcastDeps } from '../../src/app/broadcasts/deps.ts';
import { ROOT } from '../support/engineHarness.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Feature routes are tabled in their own guides; the README links them. */
const guides = ['console-accounts.md', 'polls.md', 'training-and-reminders.md', 'broadcasts.md'].map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'));
/** The table rows: `| \`METHOD /admin/api/... \` ... | does |`. */
const rows = [readme, ...guides].flatMap((doc) => doc.split('\n')).filter((l) => l.trimStart().startsWith('| `') && l.includes('/admin/api'));
const routes = adminRouter({ accounts: {} as AccountService, service: {} as AdminService, console: {} as ConsoleService, polls: {} as PollAdmin, training: {} as TrainingRouteDeps, broadcasts: {} as BroadcastDeps })
  .stack.filter((layer) => layer.methods.length > 0)
  .map((layer) => ({ method: layer.methods.filter((m) => m !== 'HEAD')[0]!, path: String(layer.path) }));

const rowOf = (method: string, path: string) => rows.find((r) => r.includes(`\`${method} ${path}`) || r.includes(`\`${method} ${path}?`));

describe('README: the admin API table', () => {
  it.each(routes.map((r) => [`${r.method} ${r.path}`, r]))('lists %s', (_name, route) => {
    expect(rowOf(route.method, route.path), `README has no row for ${route.method} ${route.path}`).toBeDefined();
  });

  it('regression: the objection decision row did not name expectedVersion and GET /admin/api/me was missing', () => {
    expect(rowOf('GET', '/admin/api/me')).toBeDefined();
    expect(rowOf('POST', '/admin/api/applications/:id/objections/:objectionId/decision')).toMatch(/\{upheld, note\?, expectedVersion\}/);
  });

  it('regression: the README still promised declarations "in later releases" and "WeChat, Telegram next"', () => {
    expect(readme).not.toContain('in later releases');
    expect(readme).not.toContain('WeChat, Telegram next');
  });
});
