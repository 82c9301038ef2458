/**
 * `npm run test:unit` must run on a machine without Java (vitest.config.ts says which files are unit tests).
 * This asks vitest itself how it splits the files, then checks that no unit test file can reach the database:
 * the unit project has no global setup (the one that starts the Java server), and no unit file imports, even
 * through helpers, the launcher, a database adapter, a database driver or the app's wiring.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVitest, type Vitest } from 'vitest/node';
import { ROOT } from './support/engineHarness.ts';
import { findForbiddenImport } from './support/importClosure.ts';

/** What a unit test may not load: each starts Java, needs the server's URI, or opens the network. */
const FORBIDDEN_FILES = ['src/store/embedded/', 'test/support/db.ts', 'test/support/globalSetup.ts', 'test/support/httpApp.ts', 'src/main.ts', 'src/store/mongo/', 'src/scheduler/agenda/'];
const FORBIDDEN_PACKAGES = ['mongoose', 'mongodb', 'agenda', '@agendajs/mongo-backend', 'playwright-core', 'node:child_process', 'node:http', 'node:https', 'node:net'];
const forbidden = (module: string) => FORBIDDEN_FILES.some((f) => (f.endsWith('/') ? module.startsWith(f) : module === f)) || FORBIDDEN_PACKAGES.includes(module);

let vitest: Vitest;
let byProject: Map<string, string[]>;

beforeAll(async () => {
  vitest = await createVitest('test', { watch: false, root: ROOT, reporters: [] });
  byProject = new Map();
  for (const spec of await vitest.globTestSpecifications()) {
    const name = spec.project.name;
    byProject.set(name, [...(byProject.get(name) ?? []), relative(ROOT, spec.moduleId)]);
  }
}, 60_000);
afterAll(() => vitest?.close());

function testFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

describe('the unit and integration projects', () => {
  it('put every test file in exactly one project', () => {
    const unit = byProject.get('unit') ?? [];
    const integration = byProject.get('integration') ?? [];
    expect([...byProject.keys()].sort()).toEqual(['integration', 'unit']);
    expect(unit.filter((f) => integration.includes(f))).toEqual([]);
    expect([...unit, ...integration].sort()).toEqual(testFiles('test'));
  });

  it('classify by folder and name as vitest.config.ts documents', () => {
    const unit = byProject.get('unit') ?? [];
    expect(unit).toEqual(expect.arrayContaining(['test/engine/steps.test.ts', 'test/domain/certification/pipeline.test.ts', 'test/store/memoryWorkerRepository.unit.test.ts', 'test/unitBoundary.unit.test.ts']));
    expect(byProject.get('integration')).toEqual(expect.arrayContaining(['test/app/handleInbound.int.test.ts', 'test/store/mongo/workerRepository.test.ts', 'test/e2e/app.test.ts']));
  });

  it('start the Java database only for the integration project', () => {
    const setups = Object.fromEntries(vitest.projects.map((p) => [p.name, [p.config.globalSetup].flat().map((f) => relative(ROOT, f))]));
    expect(setups).toEqual({ unit: [], integration: ['test/support/globalSetup.ts'] });
  });

  it('keep every unit test file away from the database, the launcher and the network', () => {
    const parsed = new Map<string, string[]>();
    const offenders = (byProject.get('unit') ?? [])
      .map((file) => findForbiddenImport(ROOT, file, forbidden, parsed))
      .filter((chain) => chain !== null)
      .map((chain) => `${chain.join(' → ')}  (needs the database or the network: rename ${chain[0]} to *.int.test.ts, or use the in-memory fakes in test/support)`);
    expect(offenders).toEqual([]);
  });
});

describe('the import check', () => {
  it('finds a forbidden module behind a helper, and ignores type-only imports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redcollar-imports-'));
    writeFileSync(join(dir, 'a.test.ts'), "import { helper } from './helper.ts';\nimport type { Connection } from 'mongoose';\nhelper();\n");
    writeFileSync(join(dir, 'helper.ts'), "export { connect as helper } from './db.ts';\n");
    writeFileSync(join(dir, 'db.ts'), "import {\n  connect,\n} from 'mongodb';\nexport { connect };\n");
    writeFileSync(join(dir, 'clean.test.ts'), "import type { Connection } from 'mongoose';\nconst later = () => import('./other.ts');\n");
    writeFileSync(join(dir, 'other.ts'), 'export const x = 1;\n');
    const mongo = (m: string) => m === 'mongoose' || m === 'mongodb';
    expect(findForbiddenImport(dir, 'a.test.ts', mongo)).toEqual(['a.test.ts', 'helper.ts', 'db.ts', 'mongodb']);
    expect(findForbiddenImport(dir, 'clean.test.ts', mongo)).toBeNull();
    expect(findForbiddenImport(dir, 'clean.test.ts', (m) => m === 'other.ts')).toEqual(['clean.test.ts', 'other.ts']);
  });
});
