/**
 * `npm run admin:create` (tools/admin-create.ts) against a test database, then the app on that database: the
 * first admin must be a province or city committee; `--username` adds a console login with a temporary password
 * (changed at the first login) beside the bearer token; without it the output is what scripts have always read.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedcollar, type RunningApp } from '../../src/main.ts';
import { testDbUri } from '../support/db.ts';
import { ROOT } from '../support/engineHarness.ts';
import { adminApi } from '../support/httpApp.ts';
import { consoleClient } from '../support/consoleClient.ts';

const run = promisify(execFile);
const uri = testDbUri('admin_create');
const env = { ...process.env, MONGODB_URI: uri, PII_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(join(tmpdir(), 'redcollar-tool-')) };
const tool = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'tools/admin-create.ts', ...args], { cwd: ROOT, env, timeout: 60_000 });
const refusal = async (...args: string[]) => (await tool(...args).catch((e: unknown) => e)) as { code: number; stderr: string };

let app: RunningApp | undefined;
afterAll(() => app?.stop());

describe('tools/admin-create.ts', () => {
  let cityOut = '';
  let plainOut = '';

  beforeAll(async () => {
    // Refused before anything exists, so the database is still empty for the first real one.
    const first = await refusal('--name', '玄武区两新工委', '--region', '320102', '--username', 'xuanwu');
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('the first admin must be a province or city committee (region 320102 玄武区 is a county)');
    cityOut = (await tool('--name', '南京市两新工委', '--region', '320100', '--username', 'Nanjing')).stdout;
    plainOut = (await tool('--name', '玄武区两新工委', '--region', '320102', '--levels', 'junior')).stdout;
  });

  it('prints the temporary password and the token of the first account', () => {
    expect(cityOut).toMatch(/^Admin created: 南京市两新工委 \(id [0-9a-f]{32}\), region 320100 南京市, levels all\nTier city: acts on .+\nConsole login: nanjing\nTemporary password \(shown once; must be changed at the first login\):\n[A-Za-z0-9_-]{16}\nToken \(shown once; store it safely\):\nrca_[0-9a-f]{32}_[A-Za-z0-9_-]{43}\n$/);
  });

  it('keeps its old output without --username, and creates a county admin once a city one exists', () => {
    expect(plainOut).toMatch(/^Admin created: 玄武区两新工委 \(id [0-9a-f]{32}\), region 320102 玄武区, levels junior\nTier county: acts on .+\nToken \(shown once; store it safely\):\nrca_[0-9a-f]{32}_[A-Za-z0-9_-]{43}\n$/);
  });

  it('refuses a taken username and a bad one, saying why', async () => {
    // Two processes at once: each is mostly tsx starting up, which on a loaded machine took most of the time limit.
    const [taken, bad] = await Promise.all([
      refusal('--name', 'x', '--region', '320100', '--username', 'nanjing'),
      refusal('--name', 'x', '--region', '320100', '--username', 'a b'),
    ]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('the username nanjing is taken; choose another');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--username: a username is 3-32 letters');
  });

  it('makes a login the app accepts, password change first, and a token that works at once', async () => {
    const lines = cityOut.trim().split('\n');
    const password = lines[lines.indexOf('Temporary password (shown once; must be changed at the first login):') + 1]!;
    const token = lines.at(-1)!;
    app = await startRedcollar({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', MONGODB_URI: uri, PII_KEY: env.PII_KEY, DATA_DIR: env.DATA_DIR });
    expect((await adminApi(app.url, token, 'GET', '/me')).body).toMatchObject({ username: 'nanjing', regionCode: '320100', tier: 'city' });
    const login = await consoleClient(app.url).login('nanjing', password);
    expect(login.status).toBe(200);
    expect(login.body.mustChangePassword).toBe(true);
  });
});
