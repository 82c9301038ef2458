import { defineConfig } from 'vitest/config';

/**
 * Two projects, chosen by WHERE a test file is and HOW it is named — never by a list of files:
 *
 *   unit         test/engine/**, test/domain/**, test/templates/**, test/app/**, test/infra/**, and any
 *                test/**\/*.unit.test.ts elsewhere (e.g. the in-memory stores' contract runs in test/store).
 *                Pure code and use cases over in-memory fakes: no Java, no database, no network, seconds.
 *   integration  everything else under test/ (channels, http, e2e, store/mongo, scheduler, tools, ...), plus any
 *                *.int.test.ts inside the unit folders (a use case run against the embedded database).
 *
 * So: a new test of a use case with fakes goes in test/app/ and is a unit test; one that needs the database is
 * named *.int.test.ts (or lives outside the unit folders). test/unitBoundary.unit.test.ts fails when a unit test
 * file imports the database, the launcher or the app's wiring, and names the file to rename.
 *
 * `npm test` runs both (CI runs exactly that); `npm run test:unit` runs only the first, without Java.
 */
const UNIT_DIRS = ['engine', 'domain', 'templates', 'app', 'infra'];
const unitDirs = `test/{${UNIT_DIRS.join(',')}}`;
const UNIT_SUFFIX = 'test/**/*.unit.test.ts';
const INT_SUFFIX = 'test/**/*.int.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: integration files share one Java server, keep parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [`${unitDirs}/**/*.test.ts`, UNIT_SUFFIX],
          exclude: [INT_SUFFIX],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // Unit files are excluded by name and folder, except the *.int.test.ts among them.
          exclude: [UNIT_SUFFIX, `${unitDirs}/**/!(*.int).test.ts`],
          // One embedded database server per test run; each file gets its own database (test/support/db.ts).
          // Only this project starts it, and only when one of its files is about to run.
          globalSetup: ['test/support/globalSetup.ts'],
        },
      },
    ],
  },
});
